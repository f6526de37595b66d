"""The retraining loop against a real Label Studio: export → annotate through the API → export → import.

    uv run python scripts/label_studio_roundtrip.py [--env DIR] [--require]

1. Installs Label Studio (pinned) from PyPI into its OWN virtualenv with `uv` (never the project's).
2. Starts it on 127.0.0.1, a free port, a temporary data folder, a user and an API token given on
   the command line (legacy token auth enabled for that token).
3. Creates a project with configs/label_studio.xml through the REST API and imports the tasks
   `arpk-nlp tasks export` wrote for two new articles (one with characters outside the BMP, whose
   offsets differ between Python and JavaScript).
4. Stores a corrected annotation per task through the API, as an annotator would: a missed person
   added with its actor id, a wrong span removed, a label changed, the A4P areas set.
5. Exports the project (JSON), imports it with `arpk-nlp corpus import` into a temporary copy of the
   corpus, and checks the authoring files span by span against the annotation it stored; then
   checks that importing the same export again is refused and writes nothing.

The server is stopped (its whole process group) and the temporary folders removed in all cases.
Where Label Studio cannot be installed or started, it prints SKIPPED and why, and exits 0 (exit 1
with --require).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

LABEL_STUDIO = "label-studio==1.23.2"
REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD, TOKEN = "loop@arpk.invalid", "arpk-loop-password", "arpkloop0123456789abcdef"

# A second new article: an emoji (outside the BMP: 2 UTF-16 units, 1 code point) before the names.
EMOJI_ARTICLE = (
    "🇺🇳 جوبا (رويترز) - قالت بعثة الأمم المتحدة في جنوب السودان إن دورية تعرضت لهجوم قرب ملكال، "
    "ودعت الممثلة الخاصة للأمين العام إلى حماية المدنيين."
)


class Skip(Exception):
    pass


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def install(env: Path) -> Path:
    py = env / "bin" / "python"
    ls = env / "bin" / "label-studio"
    if shutil.which("uv") is None:
        raise Skip("`uv` is not on PATH")
    t = time.time()
    try:
        if not py.exists():
            subprocess.run(
                ["uv", "venv", "-q", str(env), "--python", f"{sys.version_info.major}.{sys.version_info.minor}"],
                check=True,
                capture_output=True,
                text=True,
            )
        subprocess.run(
            ["uv", "pip", "install", "-q", "--python", str(py), LABEL_STUDIO], check=True, capture_output=True, text=True
        )
    except subprocess.CalledProcessError as err:
        last = ((err.stderr or err.stdout).strip().splitlines() or ["?"])[-1].strip()
        raise Skip(f"cannot install {LABEL_STUDIO}: {last}") from None
    if not ls.exists():
        raise Skip(f"{ls} missing after install")
    log(f"{LABEL_STUDIO} ready in {env} ({time.time() - t:.0f} s)")
    return ls


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class API:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body=None, timeout: float = 60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
        return json.loads(raw) if raw else None


def start(ls: Path, data_dir: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "COLLECT_ANALYTICS": "false",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    }
    cmd = [
        str(ls),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--username",
        USER,
        "--password",
        PASSWORD,
        "--user-token",
        TOKEN,
        "--enable-legacy-api-token",
    ]
    out = open(data_dir / "server.log", "w")
    # Its own process group, so stopping it stops every worker it spawned.
    return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(api: API, proc: subprocess.Popen, data_dir: Path, timeout: float = 300) -> None:
    t = time.time()
    while time.time() - t < timeout:
        if proc.poll() is not None:
            tail = (data_dir / "server.log").read_text(errors="replace").splitlines()[-5:]
            raise Skip(f"Label Studio exited with {proc.returncode}: {' | '.join(tail)}")
        try:
            api.call("GET", "/api/projects/", timeout=5)
            log(f"Label Studio answering on {api.base} after {time.time() - t:.0f} s")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            time.sleep(2)
    raise Skip(f"Label Studio did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def arpk(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "arpk_nlp", *args], capture_output=True, text=True, cwd=REPO)
    if check and r.returncode != 0:
        raise RuntimeError(f"arpk-nlp {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
    return r


def correct(result: list[dict], text: str) -> list[dict]:
    """What the annotator does to the model's pre-annotation (offsets in UTF-16 units)."""

    def u16(i: int) -> int:
        return len(text[:i].encode("utf-16-le")) // 2

    def region(rid, surface, label, actor=None):
        i = text.index(surface)
        value = {"start": u16(i), "end": u16(i + len(surface)), "text": surface}
        out = [{"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": {**value, "labels": [label]}}]
        if actor:
            out.append(
                {"id": rid, "from_name": "actor", "to_name": "text", "type": "textarea", "value": {**value, "text": [actor]}}
            )
        return out

    labels = [r for r in result if r["from_name"] == "label"]
    actors = {r["id"]: r for r in result if r["from_name"] == "actor"}
    out = []
    dropped = False
    for r in labels:
        if not dropped and r["value"]["labels"] == ["GPE"]:  # the annotator removes the first GPE span
            dropped = True
            continue
        if r["value"]["labels"] == ["MISSION"]:  # ... and relabels missions as ORG (a deliberate, checkable edit)
            r = {**r, "value": {**r["value"], "labels": ["ORG"]}}
            actors.pop(r["id"], None)
        out.append(r)
        if r["id"] in actors:
            out.append(actors[r["id"]])
    taken = [(r["value"]["start"], r["value"]["end"]) for r in out if r["from_name"] == "label"]
    for k, (surface, label, actor) in enumerate(
        [("أندريا تيننتي", "PERSON", "person:andrea-tenenti"), ("ملكال", "GPE", "gpe:malakal")]
    ):
        if surface in text:
            new = region(f"added{k}", surface, label, actor)
            s, e = new[0]["value"]["start"], new[0]["value"]["end"]
            out = [
                r for r in out if not (r["from_name"] in ("label", "actor") and r["value"]["start"] < e and s < r["value"]["end"])
            ]
            taken.append((s, e))
            out += new
    out.append(
        {
            "id": "a4p",
            "from_name": "a4p",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["SAFETY_SECURITY", "PERFORMANCE_ACCOUNTABILITY"]},
        }
    )
    return out


def expected_spans(result: list[dict], text: str) -> list[tuple]:
    """(code-point start, end, surface, label, actor) per region, converted independently of
    arpk_nlp (via UTF-16 encoding)."""
    enc = text.encode("utf-16-le")
    cp = lambda j: len(enc[: 2 * j].decode("utf-16-le"))  # noqa: E731
    actors = {r["id"]: r["value"]["text"][0] for r in result if r["from_name"] == "actor"}
    out = [
        (cp(r["value"]["start"]), cp(r["value"]["end"]), r["value"]["text"], r["value"]["labels"][0], actors.get(r["id"]))
        for r in result
        if r["from_name"] == "label"
    ]
    return sorted(out)


def run(args) -> None:
    t0 = time.time()
    work = Path(tempfile.mkdtemp(prefix="arpk-ls-"))
    env = Path(args.env) if args.env else work / "env"
    proc = None
    try:
        ls = install(env)
        data_dir = work / "data"
        data_dir.mkdir()
        port = free_port()
        api = API(f"http://127.0.0.1:{port}")
        proc = start(ls, data_dir, port)
        wait_ready(api, proc, data_dir)

        feed = work / "feed.jsonl"
        sample = (REPO / "corpus" / "samples" / "unifil-patrol.ar.txt").read_text(encoding="utf-8").strip()
        with feed.open("w", encoding="utf-8") as f:
            f.write(
                json.dumps(
                    {"id": "ls-unifil-patrol", "text": sample, "date": "2024-10-13", "source": "د ب أ"}, ensure_ascii=False
                )
                + "\n"
            )
            f.write(
                json.dumps(
                    {
                        "id": "ls-emoji-juba",
                        "text": EMOJI_ARTICLE,
                        "date": "2024-05-02",
                        "source": "رويترز",
                        "url": "https://example.org/juba",
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        tasks_file = work / "tasks.json"
        arpk("tasks", "export", str(feed), "-o", str(tasks_file))
        tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
        log(f"tasks export: {len(tasks)} tasks, {sum(len(t['predictions'][0]['result']) for t in tasks)} pre-annotation results")

        config = (REPO / "configs" / "label_studio.xml").read_text(encoding="utf-8")
        project = api.call("POST", "/api/projects/", {"title": "arpk_nlp round trip", "label_config": config})
        pid = project["id"]
        imported = api.call("POST", f"/api/projects/{pid}/import", tasks)
        log(
            f"project {pid} created with configs/label_studio.xml; import: {imported.get('task_count')} tasks, "
            f"{imported.get('prediction_count')} predictions"
        )
        listing = api.call("GET", f"/api/tasks/?project={pid}&fields=all&page_size=100")
        ls_tasks = listing["tasks"] if isinstance(listing, dict) else listing
        expected = {}
        for task in ls_tasks:
            text = task["data"]["text"]
            preds = task.get("predictions") or []
            assert preds and preds[0]["result"], f"task {task['id']}: Label Studio lost the pre-annotations"
            result = correct(preds[0]["result"], text)
            api.call(
                "POST", f"/api/tasks/{task['id']}/annotations/", {"result": result, "lead_time": 42.0, "was_cancelled": False}
            )
            expected[task["data"]["id"]] = (text, expected_spans(result, text))
        log(f"stored {len(expected)} corrected annotations through the API")

        export = api.call("GET", f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true", timeout=120)
        export_file = work / "export.json"
        export_file.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
        log(f"export: {len(export)} tasks, {sum(len(t.get('annotations') or []) for t in export)} annotations")

        corpus = work / "corpus"
        shutil.copytree(REPO / "corpus" / "src", corpus / "src")
        before = sorted(p.name for p in (corpus / "src" / "train").iterdir())
        r = arpk("corpus", "import", str(export_file), "--split", "train", "--corpus", str(corpus))
        log("corpus import: " + r.stderr.strip().splitlines()[-1])
        if r.stdout.strip():
            log("registry suggestions:\n" + r.stdout.strip())

        sys.path.insert(0, str(REPO / "src"))
        from arpk_nlp.data.corpus import parse_article

        checked = 0
        for rid, (text, spans) in expected.items():
            f = corpus / "src" / "train" / f"{rid}.txt"
            art, problems = parse_article(f.read_text(encoding="utf-8"), str(f))
            assert not problems, problems
            rec = art.record
            assert rec["text"] == text.strip("\n"), f"{rid}: text changed"
            got = sorted(
                (s["start"], s["end"], rec["text"][s["start"] : s["end"]], s["label"], s.get("actor")) for s in rec["spans"]
            )
            assert len(got) == len(spans), f"{rid}: {len(got)} spans, expected {len(spans)}"
            for g, e in zip(got, spans):
                assert g == e, f"{rid}: span {g} != expected {e}"
                checked += 1
            assert [k for k, v in rec["cats"].items() if v] == ["SAFETY_SECURITY", "PERFORMANCE_ACCOUNTABILITY"], rec["cats"]
        log(f"checked {checked} spans in {len(expected)} articles span by span: all equal; A4P as stored")
        v = arpk("corpus", "validate", str(corpus / "src" / "train"), "--corpus", str(corpus), check=False)
        assert v.returncode == 0, v.stdout + v.stderr
        log("corpus validate on the imported split: " + v.stderr.strip().splitlines()[-1])

        again = arpk("corpus", "import", str(export_file), "--split", "train", "--corpus", str(corpus), check=False)
        after = sorted(p.name for p in (corpus / "src" / "train").iterdir())
        assert again.returncode == 1 and len(after) == len(before) + len(expected), again.stderr
        log("re-import of the same export refused, nothing written: " + again.stderr.strip().splitlines()[-1])
        log(f"ROUND TRIP OK in {time.time() - t0:.0f} s")
    finally:
        stop(proc)
        shutil.rmtree(work, ignore_errors=True)  # data folder, corpus copy and (without --env) the virtualenv
        log(("server stopped, " if proc is not None else "") + "temporary folders removed")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--env", help="Virtualenv for Label Studio (created if missing, reused if present; default: a temporary one)."
    )
    ap.add_argument(
        "--require", action="store_true", help="Fail instead of skipping when Label Studio cannot be installed or started."
    )
    args = ap.parse_args()
    try:
        run(args)
    except Skip as err:
        print(f"SKIPPED: Label Studio round trip: {err}", flush=True)
        return 1 if args.require else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
