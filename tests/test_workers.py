"""Per-item isolation inside the pipeline and `-j N` workers that stop with their parent (issue 13)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MODEL

TEXT = "قال الأمين العام للأمم المتحدة أنطونيو غوتيريش إن قوة اليونيفيل فقدت جنديا جنوب لبنان."
PARENT = os.getpid()


@pytest.fixture(scope="module")
def fragile(shipped_copy):
    """The shipped pipeline plus a component that raises on 'BOOM' and kills its (worker)
    process on 'DIE': failures the reading layer cannot catch."""
    from spacy.language import Language

    if "arpk_test_fragile" not in Language.factories:
        @Language.component("arpk_test_fragile")
        def fragile_component(doc):
            if "BOOM" in doc.text:
                raise ValueError("boom")
            if "DIE" in doc.text and os.getpid() != PARENT:
                os._exit(3)
            return doc

    shipped_copy.add_pipe("arpk_test_fragile", last=True)
    return shipped_copy


@pytest.mark.parametrize("n_process", [1, 2])
def test_failing_item_alone_is_reported(fragile, n_process):
    from arpk_nlp.annotate import annotate_stream
    from arpk_nlp.inputs import InputError, Item

    entries = [Item("a", "s:1", TEXT), Item("boom", "s:2", "BOOM " + TEXT), InputError("s:3: not valid JSON"),
               Item("b", "s:4", TEXT), Item("c", "s:5", TEXT)]
    if n_process > 1:
        entries.insert(4, Item("die", "s:5a", "DIE " + TEXT))
    out = list(annotate_stream(fragile, entries, n_process=n_process, batch_size=4))
    kinds = [o.args[0].split(":")[1] if isinstance(o, InputError) else o[0].id for o in out]
    expected = ["a", "2", "3", "b", *(["5a"] if n_process > 1 else []), "c"]
    assert kinds == expected
    assert "cannot annotate (ValueError: boom)" in str(out[1])
    if n_process > 1:
        assert "worker process died" in str(out[4])
    for o in out:
        if not isinstance(o, InputError):
            assert any(e["actor"] == "person:antonio-guterres" for e in o[1]["entities"])


def _children(pid: int) -> list[int]:
    """Descendants of pid, from /proc (no psutil needed)."""
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    p = tmp_path_factory.mktemp("big") / "big.jsonl"
    p.write_text("".join(json.dumps({"id": f"a{i}", "text": TEXT * 4}, ensure_ascii=False) + "\n" for i in range(3000)),
                 encoding="utf-8")
    return p


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"])
def test_workers_stop_with_parent(tmp_path, big_input, sig):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "arpk_nlp", "annotate", str(big_input), "-j", "2", "-f", "jsonl",
                             "-o", str(out), "-m", str(MODEL)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    kids = []
    try:
        deadline = time.time() + 120
        while len(_children(proc.pid)) < 2 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        kids = _children(proc.pid)
        assert len(kids) >= 2, "the workers never started"
        time.sleep(1.5)  # mid-work: batches in flight, records going to a temp file
        t0 = time.time()
        proc.send_signal(sig)
        rc = proc.wait(timeout=20)  # never hangs
        stop = time.time() - t0
        deadline = time.time() + 5
        while any(_alive(k) for k in kids) and time.time() < deadline:
            time.sleep(0.1)
        survivors = [k for k in kids if _alive(k)]
        assert not survivors, "a worker outlived its parent"
        err = proc.communicate(timeout=10)[1]  # EOF only once no process holds stderr
    finally:
        for p in [proc.pid, *kids]:  # leave nothing running, even when the test fails
            if _alive(p) and str(big_input) in _cmdline(p):  # (and never a reused pid)
                os.kill(p, signal.SIGKILL)
        proc.wait()
    assert out.read_text(encoding="utf-8") == "old\n"  # the old output is untouched
    assert stop < 10
    if sig == signal.SIGKILL:
        assert rc == -signal.SIGKILL  # nothing can run: its temp file is removed by the next run
        return
    assert rc == (130 if sig == signal.SIGINT else 128 + sig)
    assert "Traceback" not in err and err.count("error:") == 1
    assert not list(tmp_path.glob(".out.jsonl.*")), "temp file left behind"
