from pathlib import Path

import pytest
import spacy

from arpk_nlp.pipeline.registry import key, read_registry, variants

DATA = Path(__file__).parent / "data"
REGISTRY = DATA / "actors_mini.jsonl"
DEMONYMS = Path(__file__).resolve().parents[1] / "configs" / "demonyms.json"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp.add_pipe("arpk_actors")
    nlp.initialize()
    nlp.get_pipe("arpk_actors").initialize(registry_path=str(REGISTRY), demonyms_path=str(DEMONYMS))
    return nlp


def annotate(nlp, text, ents, date=None):
    """Run the linker on hand-given entity spans [(surface, label), ...] (first occurrences),
    with the article's date (`Doc._.date`) when given."""
    from arpk_nlp.pipeline import extensions  # noqa: F401  (registers Doc._.date)

    doc = nlp.make_doc(text)
    doc._.date = date
    spans, pos = [], 0
    for surface, label in ents:
        start = text.index(surface, pos)
        spans.append(doc.char_span(start, start + len(surface), label=label))
        pos = start + len(surface)
    doc.ents = spans
    return nlp.get_pipe("arpk_actors")(doc)


# Real spellings seen in Arabic news; (surface, label, expected id).
VARIANTS = [
    ("غوتيريش", "PERSON", "person:antonio-guterres"),
    ("جوتيريش", "PERSON", "person:antonio-guterres"),  # ج/غ rule
    ("غوتيريس", "PERSON", "person:antonio-guterres"),  # irregular alias
    ("أنطونيو جوتيريش", "PERSON", "person:antonio-guterres"),
    ("انطونيو غوتيريش", "PERSON", "person:antonio-guterres"),  # hamza
    ("وللأمم المتحدة", "ORG", "org:un"),  # و + لل → ال
    ("بالأمم المتحدة", "ORG", "org:un"),
    ("والأمم المتحدة", "ORG", "org:un"),
    ("الأمم المتحده", "ORG", "org:un"),  # ة/ه
    ("ولبنان", "GPE", "gpe:lbn"),
    ("يونيفيل", "MISSION", "mission:unifil"),
    ("واليونيفيل", "MISSION", "mission:unifil"),
    ("UNIFIL", "MISSION", "mission:unifil"),
    ("مجلس الأمن الدولي", "ORG", "org:unsc"),
    ("لمجلس الأمن", "ORG", "org:unsc"),
    ("إفريقيا", "LOC", "loc:africa"),
    ("وأفريقيا", "LOC", "loc:africa"),
    ("مينوسما", "MISSION", "mission:minusma"),
    ("جان-بيير لاكروا", "PERSON", "person:jean-pierre-lacroix"),
    ("جان بيار لاكروا", "PERSON", "person:jean-pierre-lacroix"),  # fuzzy: unseen vowel spelling
    ("غوتيرس", "PERSON", "person:antonio-guterres"),  # fuzzy: ش/س and a dropped yaa
    pytest.param("لاكروكس", "PERSON", "person:jean-pierre-lacroix",
                 marks=pytest.mark.xfail(strict=True, reason="a French spelling (x pronounced) not in this mini registry, below the fuzzy threshold")),
]


@pytest.mark.parametrize("surface,label,expected", VARIANTS)
def test_variant_spellings_link(nlp, surface, label, expected):
    linker = nlp.get_pipe("arpk_actors")
    got, reason = linker.link(surface, label)
    assert got == expected, reason


def test_surname_coreference_and_unlinked(nlp):
    text = "قال جان بيير لاكروا إن البعثة باقية. وأضاف لاكروا أن سمير الحداد التقى الحداد."
    doc = annotate(nlp, text, [("جان بيير لاكروا", "PERSON"), ("لاكروا", "PERSON"), ("سمير الحداد", "PERSON"), ("الحداد", "PERSON")])
    ids = [(e.text, e.kb_id_, e._.actor, e._.link_reason) for e in doc.ents]
    assert ids[1][1] == "person:jean-pierre-lacroix"
    assert ids[2][1] == "" and ids[2][2].startswith("unlinked:")
    assert ids[3][2] == ids[2][2]  # surname of an unlinked person → same unlinked id


def test_role_and_affiliation(nlp):
    text = "وقال وزير الخارجية الكوري جونغ وي-يونغ إن الأمين العام للأمم المتحدة أنطونيو غوتيريش سيتحدث."
    doc = annotate(nlp, text, [("جونغ وي-يونغ", "PERSON"), ("للأمم المتحدة", "ORG"), ("أنطونيو غوتيريش", "PERSON")])
    chung, un, guterres = doc.ents
    assert chung.kb_id_ == "person:chung-eui-yong"
    assert chung._.role == "وزير الخارجية" and chung._.affiliation == "gpe:kor"
    assert guterres._.role == "الأمين العام للأمم المتحدة" and guterres._.affiliation == "org:un"
    assert un._.role is None


def test_unknown_short_names_do_not_fuzzy_match(nlp):
    linker = nlp.get_pipe("arpk_actors")
    assert linker.link("مال", "GPE") == (None, "unlinked")


def test_variants_generated_by_rule():
    v = variants("اليونيفيل")
    assert {"اليونيفيل", "يونيفيل"} <= v
    assert "جوتيريش" in variants("غوتيريش")
    assert key("  الأمــم  المتَّحدة، ") == "الامم المتحده"


def test_registry_rejects_bad_records(tmp_path):
    p = tmp_path / "r.jsonl"
    p.write_text('{"id": "gpe:kor", "type": "ORG", "name_ar": "x", "name_en": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="does not fit type"):
        read_registry(p)
    p.write_text('{"id": "gpe:kor", "type": "GPE", "name_ar": "x", "name_en": "x"}\n' * 2, encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate actor id"):
        read_registry(p)


def test_linker_roundtrip(nlp, tmp_path):
    linker = nlp.get_pipe("arpk_actors")
    nlp.to_disk(tmp_path / "m")
    nlp2 = spacy.load(tmp_path / "m")
    l2 = nlp2.get_pipe("arpk_actors")
    assert l2.link("جوتيريش", "PERSON") == linker.link("جوتيريش", "PERSON")
    nlp3 = spacy.blank("ar")
    l3 = nlp3.add_pipe("arpk_actors")
    l3.from_bytes(linker.to_bytes())
    assert l3.link("واليونيفيل", "MISSION")[0] == "mission:unifil"
    assert len(l3.actors) == len(linker.actors)


def test_registry_refines_edges_and_labels(nlp):
    text = "وقال وزير الخارجية جونغ وي-يونغ إن لبنان يرحب."
    doc = nlp.make_doc(text)
    i = text.index("جونغ")
    j = text.index("لبنان")
    doc.ents = [doc.char_span(i, i + len("جونغ وي"), label="PERSON"), doc.char_span(j, j + len("لبنان"), label="ORG")]
    doc = nlp.get_pipe("arpk_actors")(doc)
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [
        ("جونغ وي-يونغ", "PERSON", "person:chung-eui-yong"),  # extended to the registry name
        ("لبنان", "GPE", "gpe:lbn"),  # relabelled to the registry type
    ]


def test_refinement_can_be_switched_off():
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    linker = nlp.add_pipe("arpk_actors", config={"refine_spans": False, "relabel": False})
    linker.initialize(registry_path=str(REGISTRY))
    doc = nlp.make_doc("زار لبنان")
    doc.ents = [doc.char_span(4, 9, label="ORG")]
    doc = linker(doc)
    assert [(e.label_, e.kb_id_) for e in doc.ents] == [("ORG", "gpe:lbn")]


@pytest.mark.parametrize("ner_span", ["وزارة الخارجية الكورية", "وزارة الخارجية"])
def test_trailing_nationality_adjective_outside_org_but_read_for_linking(nlp, ner_span):
    text = "وأعلنت وزارة الخارجية الكورية أمس أن الوفد وصل."
    doc = nlp.make_doc(text)
    i = text.index("وزارة")
    doc.ents = [doc.char_span(i, i + len(ner_span), label="ORG")]
    doc = nlp.get_pipe("arpk_actors")(doc)
    assert [(e.text, e.kb_id_) for e in doc.ents] == [("وزارة الخارجية", "org:kor-mfa")]


def test_name_split_into_two_entities_is_merged(nlp):
    text = "وقال وزير الخارجية جونغ وي-يونغ إن الوفد وصل."
    doc = nlp.make_doc(text)
    i = text.index("جونغ")
    j = text.index("يونغ", i + 5)
    doc.ents = [doc.char_span(i, i + len("جونغ وي"), label="PERSON"), doc.char_span(j, j + 4, label="ORG")]
    doc = nlp.get_pipe("arpk_actors")(doc)
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [("جونغ وي-يونغ", "PERSON", "person:chung-eui-yong")]


def test_surname_part_extended_over_hyphen_to_registry_name(nlp):
    text = "وقال وزير الخارجية جونغ وي-يونغ إن الوفد وصل."
    doc = nlp.make_doc(text)
    j = text.index("يونغ", text.index("جونغ") + 5)
    doc.ents = [doc.char_span(j, j + 4, label="PERSON")]  # the NER found only `يونغ`
    doc = nlp.get_pipe("arpk_actors")(doc)
    assert [(e.text, e.kb_id_) for e in doc.ents] == [("جونغ وي-يونغ", "person:chung-eui-yong")]


def test_fuzzy_length_window_finds_what_a_full_scan_finds(nlp):
    """Only keys of near length are scanned; the winner must be the full scan's."""
    from rapidfuzz import fuzz, process

    linker = nlp.get_pipe("arpk_actors")
    found = 0
    for surface, label in [("جان بيار لاكروا", "PERSON"), ("غوتيرس", "PERSON"), ("بعثه الامم المتحده في مالى", "MISSION"),
                           ("مجلس الامن الدولى", "ORG"), ("لاكروكس", "PERSON")]:
        choices = linker._fuzzy_keys.get(label, [])
        full = None
        for reading, _ in linker._readings(surface):
            res = process.extractOne(reading, [c[0] for c in choices], scorer=fuzz.ratio,
                                     score_cutoff=linker.cfg["fuzzy_threshold"])
            if res and (full is None or res[1] > full[1]):
                full = (choices[res[2]][1], res[1])
        assert linker._fuzzy(surface, label) == full, surface
        found += full is not None
    assert found >= 2
