
import pytest

from arpk_nlp.data.corpus import find_sources, parse_article, validate
from arpk_nlp.pipeline.labels import A4P_LABELS
from conftest import CORPUS, SHARED

GOOD = """id: t-001
split: train
date: 2024-05-29
source: وام
a4p: SAFETY_SECURITY, PARTNERSHIPS
genre: test
---
[نيويورك](GPE|gpe:new-york) ([وام](ORG|org:wam)) - كرّم [للأمم المتحدة](ORG|org:un) جنود [ولبنان](GPE|gpe:lbn) في [اليوم الدولي لحفظة السلام](EVENT|event:intl-day-peacekeepers).
"""


def write(tmp_path, name, text, split="train"):
    d = tmp_path / "src" / split
    d.mkdir(parents=True, exist_ok=True)
    p = d / f"{name}.txt"
    p.write_text(text, encoding="utf-8")
    return p


def test_parse_offsets_and_cats():
    art, problems = parse_article(GOOD)
    assert problems == []
    rec = art.record
    for sp in rec["spans"]:
        assert rec["text"][sp["start"] : sp["end"]] in {"نيويورك", "وام", "للأمم المتحدة", "ولبنان", "اليوم الدولي لحفظة السلام"}
    assert rec["spans"][2] == {"start": rec["text"].index("للأمم"), "end": rec["text"].index("للأمم") + len("للأمم المتحدة"),
                               "label": "ORG", "actor": "org:un"}
    assert rec["cats"] == {l: int(l in ("SAFETY_SECURITY", "PARTNERSHIPS")) for l in A4P_LABELS}
    assert "[" not in rec["text"] and "](" not in rec["text"]


@pytest.mark.parametrize("body,message", [
    ("و[لبنان](GPE|gpe:lbn) بلد.", "not token-aligned"),
    ("[لبنان](COUNTRY|gpe:lbn) بلد.", "unknown label"),
    ("[لبنان](GPE|Lebanon) بلد.", "bad actor id"),
    ("[لبنان](ORG|gpe:lbn) بلد.", "does not fit label"),
    ("[لبنان](GPE|gpe:lbn بلد.", "unparsed mark"),
])
def test_validate_reports_file_and_line(tmp_path, body, message):
    p = write(tmp_path, "t-001", GOOD.split("---\n")[0] + "---\nسطر أول\n" + body + "\n")
    problems = validate([p], whole_corpus=False)
    assert any(message in pr.message for pr in problems), problems
    assert all(pr.path == str(p) for pr in problems)
    assert any(pr.line == 9 for pr in problems)  # header 1-6, --- 7, body from 8


def test_validate_header_problems(tmp_path):
    p = write(tmp_path, "t-002", GOOD.replace("a4p: SAFETY_SECURITY, PARTNERSHIPS", "a4p: SAFETY"))
    msgs = [pr.message for pr in validate([p], whole_corpus=False)]
    assert any("unknown A4P label" in m for m in msgs)
    assert any("differs from file name" in m for m in msgs)


def test_corpus_level_checks(tmp_path):
    write(tmp_path, "t-001", GOOD)
    gold = GOOD.replace("t-001", "g-001").replace("split: train", "split: gold")
    write(tmp_path, "g-001", gold, split="gold")
    write(tmp_path, "t-001", GOOD, split="dev")  # duplicate id, and copies gold text
    msgs = [str(pr) for pr in validate(find_sources(None, tmp_path), whole_corpus=True)]
    assert any("duplicate id" in m for m in msgs)
    assert any("copied from gold article g-001" in m for m in msgs)
    assert any("no article with A4P label POLITICS" in m for m in msgs)
    assert any("split 'train' but file is in dev/" in m for m in msgs)


def test_shipped_corpus_is_valid():
    problems = validate(find_sources(None, CORPUS), whole_corpus=True)
    assert problems == [], "\n".join(map(str, problems[:20]))


def test_seed_article_not_in_corpus():
    seed = SHARED / "seed" / "seoul-2021-ministerial.ar.txt"
    if not seed.exists():
        pytest.skip("shared/seed is not present")
    paras = [p.strip() for p in seed.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 40]
    text = "\n".join(f.read_text(encoding="utf-8") for f in (CORPUS / "src").rglob("*.txt"))
    assert not any(p[:60] in text for p in paras)

