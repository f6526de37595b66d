import spacy
from spacy.training import Example

TRAIN = [
    ("قال أنطونيو غوتيريش إن اليونيفيل باقية في لبنان.",
     [("أنطونيو غوتيريش", "PERSON"), ("اليونيفيل", "MISSION"), ("لبنان", "GPE")]),
    ("زار جان بيير لاكروا مدينة غاو في مالي مع مينوسما.",
     [("جان بيير لاكروا", "PERSON"), ("غاو", "GPE"), ("مالي", "GPE"), ("مينوسما", "MISSION")]),
]


def spans(text, ents):
    out = []
    for surface, label in ents:
        i = text.index(surface)
        out.append((i, i + len(surface), label))
    return out


def test_ner_overfit_then_reload(tmp_path):
    # The one place a hand-written update loop belongs: a unit test (spaCy's test_overfitting_IO).
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp.add_pipe("ner")
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": spans(t, e)}) for t, e in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    for text, ents in TRAIN:
        assert [(e.text, e.label_) for e in nlp(text).ents] == ents
    nlp.to_disk(tmp_path / "ner")
    nlp2 = spacy.load(tmp_path / "ner")
    for text, ents in TRAIN:
        assert [(e.text, e.label_) for e in nlp2(text).ents] == ents
    nlp3 = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp3.add_pipe("ner")
    nlp3.from_bytes(nlp.to_bytes())
    assert [(e.text, e.label_) for e in nlp3(TRAIN[0][0]).ents] == TRAIN[0][1]
