from pathlib import Path

import spacy
from spacy.tokens import Span

REGISTRY = Path(__file__).parent / "data" / "actors_mini.jsonl"


def make(types=("PERSON", "MISSION", "GPE"), min_tokens=None):
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    g = nlp.add_pipe("arpk_gazetteer", config={"types": list(types), "min_tokens": min_tokens or {"PERSON": 2}})
    nlp.initialize()
    g.initialize(registry_path=str(REGISTRY))
    return nlp


def test_adds_registry_names_with_proclitics_and_variants():
    nlp = make()
    doc = nlp("وقال وزير الخارجية جونغ وي-يونغ إن واليونيفيل ستبقى في ولبنان، بحسب أنطونيو جوتيريش.")
    got = [(e.text, e.label_) for e in doc.ents]
    assert ("جونغ وي-يونغ", "PERSON") in got
    assert ("واليونيفيل", "MISSION") in got
    assert ("ولبنان", "GPE") in got
    assert ("أنطونيو جوتيريش", "PERSON") in got  # ج/غ variant of the registry's غوتيريش


def test_keeps_ner_entities_and_type_filter():
    nlp = make(types=("MISSION",))
    doc = nlp.make_doc("زار لاكروا مقر اليونيفيل في لبنان")
    doc.ents = [Span(doc, 3, 4, label="ORG")]  # the NER's (wrong) label stays: no overlap added
    doc = nlp.get_pipe("arpk_gazetteer")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("اليونيفيل", "ORG")]
    assert "لبنان" not in [e.text for e in doc.ents]  # GPE not among the configured types


def test_single_token_persons_need_min_tokens_1():
    text = "وقال غوتيريش إن الوضع خطير."
    assert [e.text for e in make()(text).ents] == []
    assert [e.text for e in make(min_tokens={"PERSON": 1})(text).ents] == ["غوتيريش"]


def test_roundtrip(tmp_path):
    nlp = make()
    nlp.to_disk(tmp_path / "g")
    nlp2 = spacy.load(tmp_path / "g")
    text = "قال جان بيير لاكروا إن مينوسما غادرت مالي."
    assert [(e.text, e.label_) for e in nlp2(text).ents] == [(e.text, e.label_) for e in nlp(text).ents]
    nlp3 = spacy.blank("ar")
    g3 = nlp3.add_pipe("arpk_gazetteer")
    g3.from_bytes(nlp.get_pipe("arpk_gazetteer").to_bytes())
    assert g3.patterns == nlp.get_pipe("arpk_gazetteer").patterns


def test_repeats_of_a_person_found_once_in_the_article():
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp.add_pipe("arpk_gazetteer", config={"types": [], "propagate": ["PERSON"], "surnames": True})
    text = "قال رفعت السعيد إن الحزب باق. وأضاف السعيد أن ورفعت السعيد لم يغادر. وفي ليبيا قال خليفة حفتر شيئا آخر، والسعيد سعيد."
    doc = nlp.make_doc(text)
    first = text.index("رفعت السعيد")
    doc.ents = [doc.char_span(first, first + len("رفعت السعيد"), label="PERSON"),
                doc.char_span(text.index("ليبيا"), text.index("ليبيا") + 5, label="GPE")]
    got = [(e.text, e.label_) for e in nlp.get_pipe("arpk_gazetteer")(doc).ents]
    assert got.count(("السعيد", "PERSON")) == 1  # the surname alone, after the full name
    assert ("ورفعت السعيد", "PERSON") in got  # the full name again, with a proclitic
    assert ("والسعيد", "PERSON") in got
    assert ("ليبيا", "GPE") in got and not any(t == "حفتر" for t, _ in got)  # nothing invented
    assert ("سعيد", "PERSON") not in got  # a different word (no article), not the surname

    # off unless configured; surnames are a separate switch
    nlp2 = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp2.add_pipe("arpk_gazetteer", config={"types": [], "propagate": ["PERSON"], "surnames": False})
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(first, first + len("رفعت السعيد"), label="PERSON")]
    got = [e.text for e in nlp2.get_pipe("arpk_gazetteer")(doc).ents]
    assert got == ["رفعت السعيد", "ورفعت السعيد"]
