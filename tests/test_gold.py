"""`evaluate` on a malformed gold file: each problem one line, the valid records still scored."""
import json

from typer.testing import CliRunner

from arpk_nlp.cli import app
from conftest import MODEL

runner = CliRunner()
TEXT = "زار أنطونيو غوتيريش بيروت أمس."
CATS = {"POLITICS": 1, "WPS": 0, "PROTECTION": 0, "SAFETY_SECURITY": 0, "PERFORMANCE_ACCOUNTABILITY": 0,
        "PEACEBUILDING": 0, "PARTNERSHIPS": 0, "CONDUCT": 0}


def rec(**kw):
    base = {"id": "ok", "text": TEXT, "cats": CATS,
            "spans": [{"start": 4, "end": 19, "label": "PERSON", "actor": "person:antonio-guterres"},
                      {"start": 20, "end": 25, "label": "GPE", "actor": "gpe:lb"}]}
    base.update(kw)
    return json.dumps({k: v for k, v in base.items() if v is not None}, ensure_ascii=False)


def test_bad_gold_records_one_line_each(tmp_path):
    assert TEXT[4:19] == "أنطونيو غوتيريش" and TEXT[20:25] == "بيروت"
    bad = [
        rec(id="no-spans", spans=None),
        rec(id="no-text", text=None),
        rec(id="overlap", spans=[{"start": 4, "end": 19, "label": "PERSON"}, {"start": 12, "end": 25, "label": "GPE"}]),
        rec(id="misaligned", spans=[{"start": 5, "end": 19, "label": "PERSON"}]),
        rec(id="outside", spans=[{"start": 20, "end": 99, "label": "GPE"}]),
        rec(id="str-offsets", spans=[{"start": "4", "end": 19, "label": "PERSON"}]),
        rec(id="bad-label", spans=[{"start": 4, "end": 19, "label": "HUMAN"}]),
        rec(id="cats-list", cats=[1, 0]),
        '["not", "an", "object"]',
        "{broken",
    ]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join([rec(), *bad, rec(id="ok2")]) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", str(gold), "--json", "-m", str(MODEL)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    errs = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(errs) == len(bad)
    for n, (line, expect) in enumerate(zip(errs, ["missing key 'spans'", "missing key 'text'", "overlap",
                                                  "not on token boundaries", "outside the text", "must be integers",
                                                  "unknown label 'HUMAN'", "'cats' must be an object",
                                                  "expected a JSON object, got list", "not valid JSON"], strict=True), 2):
        assert line.startswith(f"error: {gold}:{n}") and expect in line, line
    scores = json.loads(res.stdout)
    assert scores["n_docs"] == 2 and scores["link_gold_mentions"] == 4
    assert "10 gold record(s) invalid" in res.stderr


def test_evaluate_bad_output_refused_before_the_work(tmp_path):
    res = runner.invoke(app, ["evaluate", "-o", str(tmp_path), "-m", str(tmp_path / "no-model")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.strip() == f"error: {tmp_path}: is a directory"
