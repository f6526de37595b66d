"""tasks select: the scoring prefers what a correction would teach; diversity by mission."""

from typer.testing import CliRunner

from arpk_nlp.cli import app
from arpk_nlp.pipeline.labels import A4P_LABELS
from arpk_nlp.select import Candidate, rank, score
from conftest import CORPUS

runner = CliRunner()


def cand(rid, scores=None, entities=(), missed=()):
    scores = {label: 0.05 for label in A4P_LABELS} | (scores or {})
    rec = {
        "id": rid,
        "source": rid,
        "a4p": {"scores": scores, "labels": [k for k, v in scores.items() if v >= 0.5]},
        "entities": [dict(e) for e in entities],
    }
    return Candidate(rec, "", {}, list(missed))


def ent(text, label="ORG", actor="org:x", confidence=1.0):
    return {"text": text, "label": label, "actor": actor, "confidence": confidence}


def test_each_signal_raises_the_score():
    base = score(cand("sure", entities=[ent("a")])).total
    assert base == 0
    assert score(cand("a4p", {"WPS": 0.52}, [ent("a")])).parts["a4p"] > 0.9
    assert (
        score(cand("unlinked", entities=[ent("a", actor=None), ent("a", actor=None), ent("b", actor=None)])).parts["unlinked"]
        == 1.0
    )
    assert score(cand("ner", entities=[ent("a", confidence=0.6)])).parts["ner"] == 0.8
    assert score(cand("missed", entities=[ent("a")], missed=[0.7])).parts["ner"] == 0.6


def test_prefers_the_informative_article_in_a_constructed_pool():
    pool = [
        cand(
            "confident",
            {"POLITICS": 0.95, "PARTNERSHIPS": 0.9},
            [ent("الأمم المتحدة", actor="org:un"), ent("مالي", "GPE", "gpe:mli")],
        ),
        cand(
            "informative",
            {"PROTECTION": 0.47, "WPS": 0.55},
            [ent("منظمة شنغهاي للتعاون", actor=None, confidence=0.55), ent("كاسيم توكاييف", "PERSON", None, 0.8)],
            missed=[0.72],
        ),
        cand("middling", {"CONDUCT": 0.7}, [ent("مونوسكو", "MISSION", "mission:monusco", 0.9)]),
    ]
    assert [c.record["id"] for c in rank(pool, 3)] == ["informative", "middling", "confident"]


def test_diversity_by_mission():
    same = [cand(f"minusma-{k}", {"WPS": 0.5}, [ent("مينوسما", "MISSION", "mission:minusma")]) for k in range(3)]
    other = cand("unmiss", {"WPS": 0.6}, [ent("أنميس", "MISSION", "mission:unmiss")])
    picked = [c.record["id"] for c in rank(same + [other], 2)]
    # 'unmiss' scores lower than each MINUSMA article, but the second MINUSMA pick is halved
    assert score(other).total < score(same[0]).total
    assert picked == ["minusma-2", "unmiss"]


def test_select_cli_ranks_real_articles_and_writes_tasks(tmp_path):
    pool = tmp_path / "pool"
    pool.mkdir()
    # a clear article whose actors the registry knows and whose areas the model decides firmly
    (pool / "easy.txt").write_text((CORPUS / "samples" / "unifil-patrol.ar.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (pool / "hard.txt").write_text(
        "التقى المبعوث ثامر البركاوي مع وفد من حركة الفجر الجديد في بلدة زمزوم لبحث التعاون "
        "مع قوة حفظ السلام التابعة لتحالف الساحل الشرقي.",
        encoding="utf-8",
    )
    (pool / "bad.txt").write_bytes(b"\xff\xfe")
    out = tmp_path / "tasks.json"
    r = runner.invoke(app, ["tasks", "select", str(pool), "--n", "1", "-o", str(out)])
    assert r.exit_code == 1 and "bad.txt: not UTF-8" in r.output  # the bad input is named, the rest processed
    rows = [line for line in r.output.splitlines() if line.startswith(" ") and line.strip()[:1].isdigit()]
    assert len(rows) == 1 and rows[0].endswith("hard.txt")
    import json

    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["id"] for t in tasks] == ["hard"]
