"""The retraining loop end to end, as a user runs it: new articles → `tasks export` → corrected
export (an annotator's edits, in Label Studio's export format) → `corpus import` → `train --limit`
smoke with `--keep-better` → comparison table. The smoke model is far worse than the shipped one,
so the loop must keep the old model and say why."""

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from arpk_nlp.cli import app
from arpk_nlp.data.corpus import parse_article
from conftest import CORPUS, MODEL

runner = CliRunner()
# a CLI training (smoke) and a model comparison: the longest test
pytestmark = [pytest.mark.slow, pytest.mark.integration]
EXTRA = (
    "جوبا (رويترز) - قالت بعثة الأمم المتحدة في جنوب السودان إن دورية تعرضت لهجوم قرب ملكال، "
    "ودعت الممثلة الخاصة للأمين العام إلى حماية المدنيين."
)


def annotator(task: dict) -> dict:
    """Label Studio's export of a task after a person corrected the pre-annotation."""
    text = task["data"]["text"]
    result = [r for r in task["predictions"][0]["result"] if r["from_name"] != "a4p"]
    name = "أندريا تيننتي"
    if name in text:  # the spokesperson: make sure he is there, with his id
        s = text.index(name)
        result = [r for r in result if not (r["value"]["start"] < s + len(name) and s < r["value"]["end"])]
        value = {"start": s, "end": s + len(name), "text": name}
        result += [
            {"id": "fix1", "from_name": "label", "to_name": "text", "type": "labels", "value": {**value, "labels": ["PERSON"]}},
            {
                "id": "fix1",
                "from_name": "actor",
                "to_name": "text",
                "type": "textarea",
                "value": {**value, "text": ["person:andrea-tenenti"]},
            },
        ]
    result.append(
        {
            "id": "a4p",
            "from_name": "a4p",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["SAFETY_SECURITY", "PROTECTION"]},
        }
    )
    return {
        **task,
        "id": 7,
        "annotations": [
            {"id": 1, "result": result, "was_cancelled": False, "completed_by": 1, "updated_at": "2026-12-03T10:00:00Z"}
        ],
    }


def test_demonstration_loop(tmp_path):
    feed = tmp_path / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as f:
        for rid, text, date in (
            (
                "loop-unifil-patrol",
                (CORPUS / "samples" / "unifil-patrol.ar.txt").read_text(encoding="utf-8").strip(),
                "2024-10-13",
            ),
            ("loop-juba", EXTRA, "2024-05-02"),
        ):
            f.write(json.dumps({"id": rid, "text": text, "date": date, "source": "Example feed"}, ensure_ascii=False) + "\n")
    tasks_file = tmp_path / "tasks.json"
    r = runner.invoke(app, ["tasks", "export", str(feed), "-o", str(tasks_file)])
    assert r.exit_code == 0, r.output
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    assert [t["data"]["id"] for t in tasks] == ["loop-unifil-patrol", "loop-juba"]
    assert tasks[0]["data"]["meta"] == {"date": "2024-10-13", "source": "Example feed"}
    assert any(r["from_name"] == "actor" for r in tasks[0]["predictions"][0]["result"])  # actor ids pre-filled

    export = tmp_path / "export.json"
    export.write_text(json.dumps([annotator(t) for t in tasks], ensure_ascii=False), encoding="utf-8")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "src", corpus / "src")
    r = runner.invoke(app, ["corpus", "import", str(export), "--split", "train", "--corpus", str(corpus)])
    assert r.exit_code == 0, r.output
    art, problems = parse_article((corpus / "src" / "train" / "loop-unifil-patrol.txt").read_text(encoding="utf-8"))
    assert not problems
    rec = art.record
    assert {(rec["text"][s["start"] : s["end"]], s.get("actor")) for s in rec["spans"]} >= {
        ("أندريا تيننتي", "person:andrea-tenenti")
    }
    assert [k for k, v in rec["cats"].items() if v] == ["PROTECTION", "SAFETY_SECURITY"]

    models = tmp_path / "models"
    shutil.copytree(MODEL, models / "arpk-ar")
    shipped = (models / "arpk-ar" / "meta.json").read_bytes()
    r = runner.invoke(
        app,
        [
            "train",
            "--keep-better",
            "-o",
            str(models / "arpk-ar"),
            "--corpus",
            str(corpus),
            "--work-dir",
            str(tmp_path / "work"),
            "--limit",
            "6",
            "--max-steps",
            "10",
        ],
    )
    assert r.exit_code == 0, r.output
    train_ids = [
        json.loads(line)["id"] for line in (tmp_path / "work" / "corpus" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert "loop-juba" in train_ids[:6] and "loop-unifil-patrol" in train_ids[:6]  # the new articles were trained on
    table = (models / "arpk-ar-comparison.md").read_text(encoding="utf-8")
    assert re.search(r"^\| gold \| \d+ \| entity F1 \|", table, re.M) and "95% CI" in table
    assert "model kept" in r.output and "worse beyond noise" in r.output
    assert (models / "arpk-ar" / "meta.json").read_bytes() == shipped  # the shipped model is untouched
    assert (models / "arpk-ar-candidate" / "meta.json").exists()
