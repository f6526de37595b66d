"""Outputs (issue 13): whole or not at all, errors as one line found before the work, non-regular
targets written through, temp files never left behind, HTML escaped."""
import errno
import json
import os
import subprocess
import sys
import threading

import pytest
from typer.testing import CliRunner

from arpk_nlp.cli import app
from conftest import MODEL

TMP_SUFFIX = ".arpk-tmp"

runner = CliRunner()
TEXT = "قال الأمين العام للأمم المتحدة أنطونيو غوتيريش إن قوة اليونيفيل فقدت جنديا جنوب لبنان."
CLI = [sys.executable, "-m", "arpk_nlp", "annotate"]


@pytest.fixture
def article(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    return p


def run(*args):
    return runner.invoke(app, ["annotate", *map(str, args)])


def one_error_line(res):
    assert res.exit_code == 1 and "Traceback" not in res.output
    errs = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(errs) == 1, res.stderr
    return errs[0]


@pytest.mark.parametrize("target,message", [("DIR", "is a directory"), ("/proc/arpk-out.json", "cannot write in /proc"),
                                            ("MISSING/out.json", "does not exist")])
def test_bad_target_one_line_before_the_work(tmp_path, article, target, message):
    target = target.replace("DIR", str(tmp_path)).replace("MISSING", str(tmp_path / "missing"))
    # a model path that does not exist: the target must be refused before the model is needed
    res = run(article, "-f", "json", "-o", target, "-m", tmp_path / "no-model")
    assert message in one_error_line(res)


@pytest.mark.integration
def test_closed_stdout_one_line(article):
    res = subprocess.run(f"exec {' '.join(CLI)} {article} -m {MODEL} >&-", shell=True, capture_output=False,
                         stderr=subprocess.PIPE, text=True, timeout=120)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "error: <stdout>: closed" in res.stderr


@pytest.mark.slow
@pytest.mark.integration
def test_broken_pipe_one_line(article):
    proc = subprocess.Popen([*CLI, str(article), "-f", "json", "-m", str(MODEL)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "error: <stdout>: the reader closed the pipe" in err


def test_full_device_one_line(article):
    res = run(article, "-f", "jsonl", "-o", "/dev/full", "-m", MODEL)
    assert "/dev/full: cannot write (No space left on device)" in one_error_line(res)
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")


def test_write_error_removes_temp_and_keeps_old(tmp_path):
    out = tmp_path / "out.json"
    from arpk_nlp.outputs import OutputError, Target

    out.write_text("old", encoding="utf-8")
    t = Target.open(out)

    class Full:
        def write(self, _):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            pass

    t.f.close()
    t.f = Full()
    with pytest.raises(OutputError, match="No space left"):
        t.write("x")
    t.discard()
    assert out.read_text(encoding="utf-8") == "old" and not list(tmp_path.glob(f"*{TMP_SUFFIX}"))


def test_unique_temp_files_last_commit_wins(tmp_path):
    from arpk_nlp.outputs import Target

    out = tmp_path / "out.jsonl"
    a, b = Target.open(out), Target.open(out)
    assert a.tmp != b.tmp and a.tmp.parent == b.tmp.parent == tmp_path
    a.write("a" * 100_000)
    b.write("b" * 10)
    b.commit()
    a.commit()
    assert out.read_text() == "a" * 100_000 and not list(tmp_path.glob(f"*{TMP_SUFFIX}"))


def test_symlink_written_through_stale_temp_removed_html_escaped(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "page.html").write_text("old", encoding="utf-8")
    link = tmp_path / "page.html"
    link.symlink_to(real / "page.html")
    stale = real / f".page.html.999999999.x{TMP_SUFFIX}"  # from a run killed with SIGKILL
    stale.write_text("partial")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "<script>alert(1)</script>", "text": TEXT + " <b>&</b>"}, ensure_ascii=False),
                   encoding="utf-8")
    res = run(src, "-f", "html", "-o", link, "-m", MODEL)
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and os.readlink(link) == str(real / "page.html")
    page = (real / "page.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "<b>&</b>" not in page and "b&gt;&amp;&lt;/b&gt;" in page and 'dir="rtl"' in page
    assert not stale.exists()


def test_fifo_streamed_not_replaced(tmp_path, article):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    res = run(article, "-f", "jsonl", "-o", fifo, "-m", MODEL)
    reader.join(timeout=30)
    assert res.exit_code == 0, res.output
    assert not fifo.is_file() and os.path.exists(fifo)
    assert json.loads(got[0].decode("utf-8"))["id"] == "a"
