import json
import pickle

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training import Example

from arpk_nlp.pipeline.labels import A4P_LABELS

TRAIN = [
    ("قتل جنديان من حفظة السلام في هجوم بعبوة ناسفة استهدف دوريتهم.", {"SAFETY_SECURITY"}),
    ("أصيب ثلاثة من حفظة السلام في كمين وتم إجلاؤهم طبيا.", {"SAFETY_SECURITY"}),
    ("تعهدت الدولة بإرسال مروحيات وتدريب كتيبة جديدة في إطار الشراكة.", {"PARTNERSHIPS"}),
    ("وقعت الحكومة اتفاق تعاون لتدريب الشرطة وبناء القدرات.", {"PARTNERSHIPS"}),
    ("فتحت البعثة تحقيقا في ادعاءات استغلال وانتهاك جنسيين من جنود.", {"CONDUCT"}),
    ("أعيد جنود إلى بلادهم بعد ثبوت سوء السلوك وفق سياسة عدم التسامح.", {"CONDUCT"}),
    ("فاز المنتخب في مباراة كرة القدم الودية أمس.", set()),
    ("ارتفعت أسعار النفط في الأسواق العالمية هذا الأسبوع.", set()),
]


def make_nlp():
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("arpk_a4p", config={"C": 20.0})
    return nlp


def examples(nlp):
    out = []
    for text, labels in TRAIN:
        ref = nlp.make_doc(text)
        ref.cats = {l: float(l in labels) for l in A4P_LABELS}
        out.append(Example(nlp.make_doc(text), ref))
    return out


@pytest.fixture(scope="module")
def trained():
    nlp = make_nlp()
    nlp.initialize(lambda: examples(nlp))
    return nlp


def test_overfit_then_reload(trained, tmp_path):
    for text, labels in TRAIN:
        doc = trained(text)
        assert {l for l, s in doc.cats.items() if s >= 0.5} == labels, (text, doc.cats)
    trained.to_disk(tmp_path / "m")
    nlp2 = spacy.load(tmp_path / "m")
    for text, _ in TRAIN:
        assert nlp2(text).cats == trained(text).cats


def test_bytes_and_pickle_roundtrip(trained):
    clf = trained.get_pipe("arpk_a4p")
    nlp2 = make_nlp()
    nlp2.get_pipe("arpk_a4p").from_bytes(clf.to_bytes())
    text = TRAIN[0][0]
    assert nlp2(text).cats == trained(text).cats


def test_evidence_points_at_sentences(trained):
    text = "ارتفعت أسعار النفط اليوم. وقتل جندي من حفظة السلام في هجوم بعبوة ناسفة."
    doc = trained(text)
    assert doc.cats["SAFETY_SECURITY"] >= 0.5
    ev = doc._.a4p_evidence["SAFETY_SECURITY"][0]
    assert text[ev["start"] : ev["end"]].startswith("وقتل جندي")
    assert set(doc._.a4p_evidence) == {l for l, s in doc.cats.items() if s >= 0.5}


def test_scores_through_spacy_scorer(trained):
    scores = trained.evaluate(examples(trained))
    assert scores["cats_micro_f"] == pytest.approx(1.0)
    assert set(scores["cats_f_per_type"]) == set(A4P_LABELS)


def test_uninitialized_component_fails_clearly():
    nlp = make_nlp()
    with pytest.raises(ValueError, match="not initialized"):
        nlp("نص")


def test_thresholds_tuned_on_dev(tmp_path):
    nlp = make_nlp()
    db = DocBin()
    for ex in examples(nlp):
        db.add(ex.reference)
    db.to_disk(tmp_path / "dev.spacy")
    nlp.initialize(lambda: examples(nlp))
    clf = nlp.get_pipe("arpk_a4p")
    clf.initialize(lambda: examples(nlp), nlp=nlp, dev_path=str(tmp_path / "dev.spacy"))
    assert all(0.15 <= t <= 0.85 for t in clf.thresholds.values())
    assert clf.versions["scikit-learn"]


def test_agenda_listing_marks_each_named_area(tmp_path):
    nlp = make_nlp()
    clf = nlp.get_pipe("arpk_a4p")
    titles = {"PROTECTION": ["حماية المدنيين"], "SAFETY_SECURITY": ["السلامة والأمن"], "CONDUCT": ["السلوك والانضباط"]}
    lex = tmp_path / "lex.json"
    lex.write_text(json.dumps({"keywords": {}, "titles": titles}, ensure_ascii=False), encoding="utf-8")
    nlp.initialize(lambda: examples(nlp))
    clf.initialize(lambda: examples(nlp), nlp=nlp, lexicon_path=str(lex))
    text = "افتتح الوزير الندوة أمس. وتتناول الجلسات حماية المدنيين والسلامة والأمن. وحضرها سفراء."
    doc = nlp(text)
    assert doc.cats["PROTECTION"] >= 0.5 and doc.cats["SAFETY_SECURITY"] >= 0.5
    ev = doc._.a4p_evidence["PROTECTION"][0]
    assert ev["rule"] == "agenda" and text[ev["start"] : ev["end"]].startswith("وتتناول الجلسات")
    # One area named in passing is not an agenda listing.
    one = nlp("وتشمل ولاية البعثة حماية المدنيين في المنطقة. وحضرها سفراء.")
    assert one.cats["PROTECTION"] < 0.5
    nlp.to_disk(tmp_path / "m")
    assert spacy.load(tmp_path / "m")(text).cats == doc.cats


def test_docs_without_theme_labels_are_not_negatives():
    # External NER corpora have no cats: they must not count as "no area" examples.
    nlp = make_nlp()
    egs = examples(nlp)
    extra = []
    for _ in range(20):
        d = nlp.make_doc("قتل جنديان من حفظة السلام في هجوم بعبوة ناسفة استهدف دوريتهم.")
        extra.append(Example(nlp.make_doc(d.text), d))  # reference.cats == {}
    nlp.initialize(lambda: egs + extra)
    assert nlp(TRAIN[0][0]).cats["SAFETY_SECURITY"] >= 0.5


def test_batched_sentence_scores_match_one_by_one(trained):
    """The evidence path scores all sentences in one numpy pass and counts only the keywords
    present in the article; both must equal scoring each sentence alone."""
    import numpy as np
    from collections import Counter

    from arpk_nlp.pipeline.themes import _normalize_long

    clf = trained.get_pipe("arpk_a4p")
    clf.set_lexicon({"keywords": {"SAFETY_SECURITY": ["هجوم", "حفظة السلام"], "CONDUCT": ["سوء السلوك"]}})
    text = ("قتل جندي من حفظة السلام في هجوم. ارتفعت الأسعار!\n\nأعيد جنود بعد سوء السلوك وهجوم آخر على حفظة السلام. "
            "، . ")
    doc = trained.make_doc(text)
    doc = trained.get_pipe("sentencizer")(doc)
    segments = clf._segments(doc)
    assert len(segments) >= 3
    norms = [clf._lexicon_counts(text[s:e]) for s, e, _ in segments]
    fast = clf._lexicon_counts_segments([_normalize_long(text[s:e]) for s, e, _ in segments])
    assert [list(a) for a in fast] == [list(b) for b in norms]
    assert sum(a.sum() for a in fast) >= 4  # the keywords were really counted
    spans, scores = clf._sentence_scores(segments, fast)
    one_by_one = [clf._raw_scores(*clf._vectorize(Counter(f), lex)) for (_, _, f), lex in zip(segments, fast) if f]
    assert spans == [(s, e) for s, e, f in segments if f]
    np.testing.assert_allclose(scores.T, np.array(one_by_one), rtol=1e-5, atol=1e-6)
    clf.set_lexicon({})
