import json

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
    return labelled(nlp, TRAIN)


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
    import pickle

    clf = trained.get_pipe("arpk_a4p")
    nlp2 = make_nlp()
    nlp2.get_pipe("arpk_a4p").from_bytes(clf.to_bytes())
    nlp3 = pickle.loads(pickle.dumps(trained))  # what multiprocessing workers receive
    assert nlp3.get_pipe("arpk_a4p") is not clf
    for text, _ in TRAIN:
        want = trained(text)
        for other in (nlp2, nlp3):
            doc = other(text)
            assert doc.cats == want.cats and doc._.a4p_evidence == want._.a4p_evidence


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


def test_agenda_listing_is_no_evidence_for_areas_it_leaves_out(nlp):
    # The shipped model reads an A4P listing's wording as some WPS evidence; a listing that names
    # other areas (and no WPS keyword) must not lift WPS above what the rest of the article gives.
    body = "وصل وفد عسكري إلى جوبا أمس في زيارة تستغرق ثلاثة أيام. وقال السفير إن بلاده تدرس إرسال سرية هندسية. "
    listing = ("وتدور محاور الجلسات حول استدامة السلام؛ الشراكات والتدريب؛ الأداء والمساءلة؛ وحماية المدنيين "
               "والسلامة والأمن، وهي محاور مبادرة العمل من أجل حفظ السلام التي أطلقها الأمين العام.")
    with_listing = nlp(body + listing)
    without = nlp(body.strip())
    clf = nlp.get_pipe("arpk_a4p")
    assert with_listing.cats["PARTNERSHIPS"] >= 0.5  # the listing still names its areas
    for label in ("WPS", "CONDUCT", "POLITICS"):
        assert with_listing.cats[label] <= without.cats[label] + 1e-4, label
    # without the rule (the plain pooled score) the listing lifts WPS here: the rule is what holds it
    full = clf.scores_from_logits(clf.pooled_logits(with_listing))
    assert float(full[clf.labels.index("WPS")]) > with_listing.cats["WPS"] + 0.1


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
    from collections import Counter

    import numpy as np

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
    one_by_one = [clf._logits(*clf._vectorize(Counter(f), lex)) for (_, _, f), lex in zip(segments, fast) if f]
    assert spans == [(s, e) for s, e, f in segments if f]
    np.testing.assert_allclose(scores.T, np.array(one_by_one), rtol=1e-5, atol=1e-6)
    clf.set_lexicon({})


# ---------------------------------------------------------------- calibration, thresholds, bands
import numpy as np

from arpk_nlp.pipeline import themes_fit
from arpk_nlp.pipeline.calibration import decision_score

SAFETY = ["هجوم", "كمين", "عبوة ناسفة", "قذائف", "إجلاء طبي", "جرحى", "قتلى"]
OTHER = ["الاقتصاد", "مباراة", "الأسواق", "الطقس", "مهرجان", "الانتخابات المحلية", "الجامعة"]


def synthetic(n, seed, flip=()):
    """n short articles; SAFETY_SECURITY is on when safety words outnumber the others, with
    overlap so dev scores spread around the threshold. `flip`: indices whose label is inverted."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        k = int(rng.integers(0, 4))
        words = list(rng.choice(SAFETY, k)) + list(rng.choice(OTHER, 4 - k))
        rng.shuffle(words)
        text = "أفادت التقارير عن " + " و".join(words) + " في المنطقة."
        on = (k >= 2) != (i in flip)
        out.append((text, {"SAFETY_SECURITY"} if on else set()))
    return out


def labelled(nlp, data):
    """Examples for (text, labels) pairs."""
    res = []
    for text, labels in data:
        ref = nlp.make_doc(text)
        ref.cats = {l: float(l in labels) for l in A4P_LABELS}
        res.append(Example(nlp.make_doc(text), ref))
    return res


def fit_on(train, dev):
    nlp = make_nlp()
    nlp.initialize(lambda: labelled(nlp, train))
    clf = nlp.get_pipe("arpk_a4p")
    dev_docs = [nlp.get_pipe("sentencizer")(e.reference) for e in labelled(nlp, dev)]
    themes_fit.fit(clf, [e.reference for e in labelled(nlp, train)], dev_docs)
    return nlp, clf


@pytest.fixture(scope="module")
def calibrated():
    return fit_on(synthetic(60, 0), synthetic(60, 1))


def test_calibrators_are_monotone():
    rng = np.random.default_rng(0)
    z = rng.normal(size=300)
    y = (z + rng.normal(scale=1.0, size=300) > 0.3).astype(int)
    grid = np.linspace(-6, 6, 500)
    for fitter in (themes_fit.fit_platt, themes_fit.fit_isotonic):
        cal = fitter(z, y)
        p = cal(grid)
        assert np.all(np.diff(p) >= 0), cal.kind
        assert p[-1] - p[0] > 0.5, cal.kind  # and it learnt something
        s = decision_score(p, 0.3)
        assert np.all(np.diff(s) >= 0)
    # the threshold is what maps to 0.5, and the sides are kept
    assert decision_score(0.3, 0.3) == pytest.approx(0.5)
    assert decision_score(0.29, 0.3) < 0.5 < decision_score(0.31, 0.3)


def test_calibration_chosen_by_cv_loss():
    rng = np.random.default_rng(1)
    z = rng.normal(size=200)
    y = (rng.random(200) < 1 / (1 + np.exp(-2 * z))).astype(int)  # a logistic truth: Platt fits it
    losses = themes_fit.cv_losses(z, y)
    assert set(losses) == {"platt", "isotonic"}
    assert losses["platt"][0] < losses["isotonic"][0]


def test_calibrated_component_round_trips(calibrated, tmp_path):
    nlp, clf = calibrated
    label = "SAFETY_SECURITY"
    assert clf.calibrators[label].kind in ("platt", "isotonic")
    assert clf.bands[label][0] <= 0.5 <= clf.bands[label][1]
    nlp.to_disk(tmp_path / "m")
    nlp2 = spacy.load(tmp_path / "m")
    clf2 = nlp2.get_pipe("arpk_a4p")
    assert clf2.calibrators[label].to_dict() == clf.calibrators[label].to_dict()
    assert clf2.thresholds == clf.thresholds and clf2.bands == clf.bands
    for text, _ in synthetic(20, 5):
        a, b = nlp(text), nlp2(text)
        assert a.cats == b.cats and a._.a4p_borderline == b._.a4p_borderline


def test_model_format_is_checked(calibrated, tmp_path):
    nlp, clf = calibrated
    clf.to_disk(tmp_path / "c")
    cfg = json.loads((tmp_path / "c" / "cfg.json").read_text())
    cfg["format"] = 99
    (tmp_path / "c" / "cfg.json").write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="format 99"):
        make_nlp().get_pipe("arpk_a4p").from_disk(tmp_path / "c")
    # format 2 (before calibration) still loads: identity calibrators, thresholds kept, no band
    cfg["format"] = 2
    del cfg["calibrators"], cfg["bands"]
    (tmp_path / "c" / "cfg.json").write_text(json.dumps(cfg))
    old = make_nlp().get_pipe("arpk_a4p").from_disk(tmp_path / "c")
    assert all(c.kind == "identity" for c in old.calibrators.values())
    assert old.borderline({l: 0.5 for l in A4P_LABELS}) == []


def test_borderline_exactly_inside_the_band(calibrated):
    nlp, clf = calibrated
    label = "SAFETY_SECURITY"
    lo, hi = clf.bands[label]
    assert lo < hi
    base = {l: 0.0 for l in A4P_LABELS}
    for s, inside in ((lo, True), (hi, True), (0.5, True), ((lo + 0.5) / 2, True),
                      (lo - 1e-3, False), (hi + 1e-3, False)):
        assert clf.borderline({**base, label: s}) == ([label] if inside else []), s
    seen = set()
    for text, _ in synthetic(80, 7):
        doc = nlp(text)
        want = [l for l in A4P_LABELS if clf.bands[l][0] <= doc.cats[l] <= clf.bands[l][1] and clf.bands[l][0] < clf.bands[l][1]]
        assert doc._.a4p_borderline == want
        seen.add(bool(want))
    assert seen == {True, False}  # the synthetic texts fall on both sides of the band


def test_thresholds_come_from_dev(calibrated):
    nlp, clf = calibrated
    train, dev = synthetic(60, 0), synthetic(60, 1)
    # Relabel the dev articles with exactly two safety words as negatives: the dev-tuned cut must
    # move up (fewer articles accepted), and with it the threshold and the decisions.
    flip = {i for i, (text, labels) in enumerate(dev) if labels and sum(text.count(w) for w in SAFETY) == 2}
    assert flip
    nlp2, clf2 = fit_on(train, synthetic(60, 1, flip=flip))
    label = "SAFETY_SECURITY"
    assert clf2.thresholds[label] != clf.thresholds[label]
    on1 = sum(nlp(t).cats[label] >= 0.5 for t, _ in dev)
    on2 = sum(nlp2(t).cats[label] >= 0.5 for t, _ in dev)
    assert on2 < on1


def test_thresholds_tuned_on_dev(calibrated, tmp_path):
    """`initialize(dev_path=...)` (what training calls) reads the dev DocBin and tunes on it: the
    thresholds equal those fitted on the same dev docs directly, and differ from an untuned fit
    (all 0.5) and from a fit on a relabelled dev."""
    _, clf_ref = calibrated
    train, dev = synthetic(60, 0), synthetic(60, 1)
    flip = {i for i, (text, labels) in enumerate(dev) if labels and sum(text.count(w) for w in SAFETY) == 2}

    def initialized(dev_data, name):
        nlp = make_nlp()
        nlp.initialize(lambda: labelled(nlp, train))
        dev_path = None
        if dev_data is not None:
            dev_path = tmp_path / f"{name}.spacy"
            DocBin(docs=[e.reference for e in labelled(nlp, dev_data)]).to_disk(dev_path)
        clf = nlp.get_pipe("arpk_a4p")
        clf.initialize(lambda: labelled(nlp, train), nlp=nlp, dev_path=str(dev_path) if dev_path else None)
        return clf

    label = "SAFETY_SECURITY"
    tuned = initialized(dev, "dev")
    assert tuned.thresholds == clf_ref.thresholds and tuned.calibrators[label].kind in ("platt", "isotonic")
    assert tuned.thresholds[label] != 0.5
    assert initialized(None, "none").thresholds == {l: 0.5 for l in A4P_LABELS}
    assert initialized(synthetic(60, 1, flip=flip), "flipped").thresholds[label] != tuned.thresholds[label]
    assert tuned.versions["scikit-learn"]
