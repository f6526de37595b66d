"""External corpora: CoNLL reading, BIO repair, label mapping, DocBin conversion, coarse scoring."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from arpk_nlp.data import external as X
from arpk_nlp.pipeline.normalize import normalize

NER_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ner"
REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def registry(tmp_path):
    """Three actors: two GPEs and one LOC."""
    rows = [
        {"id": "gpe:deu", "type": "GPE", "name_ar": "ألمانيا", "name_en": "Germany", "aliases": ["جمهورية ألمانيا الاتحادية"]},
        {"id": "gpe:lbn", "type": "GPE", "name_ar": "لبنان", "name_en": "Lebanon"},
        {"id": "loc:africa", "type": "LOC", "name_ar": "أفريقيا", "name_en": "Africa"},
    ]
    return write(tmp_path / "actors.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


# ----------------------------------------------------------------------------- reading, BIO
def test_read_conll_sentences_and_tags(tmp_path):
    p = write(tmp_path / "a.txt", "\nقال O\nغوتيريش B-PERS\n\n\n\nفي O\nلبنان B-LOC B-GPE\n")
    assert X.read_conll(p) == [[("قال", ["O"]), ("غوتيريش", ["B-PERS"])], [("في", ["O"]), ("لبنان", ["B-LOC", "B-GPE"])]]


def test_read_conll_no_final_newline_and_bad_line(tmp_path):
    assert X.read_conll(write(tmp_path / "a.txt", "a O\nb B-LOC")) == [[("a", ["O"]), ("b", ["B-LOC"])]]
    with pytest.raises(ValueError, match=r"b\.txt:2"):
        X.read_conll(write(tmp_path / "b.txt", "a O\nlonely\n"))
    with pytest.raises(FileNotFoundError):
        X.read_conll(tmp_path / "nope.txt")


def test_bio_spans_i_without_b_starts_a_span():
    tags = ["I-PERS", "I-PERS", "O", "B-LOC", "I-ORG", "I-ORG", "B-ORG", "O", "I-LOC"]
    assert X.bio_spans(tags) == [(0, 2, "PERS"), (3, 4, "LOC"), (4, 6, "ORG"), (6, 7, "ORG"), (8, 9, "LOC")]
    assert X.count_repairs(tags) == 3
    assert X.bio_spans(["B-X", "I-X"]) == [(0, 2, "X")]
    assert X.count_repairs(["B-X", "I-X", "O"]) == 0
    with pytest.raises(ValueError):
        X.bio_spans(["S-PERS"])


def test_bio_spans_adjacent_spans_and_bad_tags():
    # a B-X right after an X span starts a second span; an empty column has none
    assert X.bio_spans(["B-X", "B-X", "I-X", "O", "I-X"]) == [(0, 1, "X"), (1, 3, "X"), (4, 5, "X")]
    assert X.count_repairs(["B-X", "B-X", "I-X", "O", "I-X"]) == 1
    assert X.bio_spans([]) == [] and X.bio_spans(["O", "O"]) == []
    for bad in (["B-"], ["PERS"], ["O", "L-X"], ["U-X"]):
        with pytest.raises(ValueError, match="not a BIO tag"):
            X.bio_spans(bad)


# ----------------------------------------------------------------------------- mapping
def test_loc_to_gpe_via_registry(registry):
    keys = X.gpe_keys(registry)
    assert X.gpe_or_loc("ألمانيا", keys) == "GPE"
    assert X.gpe_or_loc("بألمانيا", keys) == "GPE"  # proclitic stripped
    assert X.gpe_or_loc("ولبنان", keys) == "GPE"
    assert X.gpe_or_loc("جمهورية ألمانيا الاتحادية", keys) == "GPE"
    assert X.gpe_or_loc("أفريقيا", keys) == "LOC"  # a registry LOC
    assert X.gpe_or_loc("جبال الألب", keys) == "LOC"  # geographic head word
    assert X.gpe_or_loc("والشرق الأوسط", keys) == "LOC"  # a known region
    assert X.gpe_or_loc("غلاسكو", keys) == "GPE"  # a city the registry lacks is still a city


ANER = """ذهب O
أحمد B-PERS
إلى O
ألمانيا B-LOC
ولبنان B-LOC
و O
أفريقيا B-LOC
لحضور O
كأس B-MISC
العالم I-MISC
. O

قالت O
الأمم B-ORG
المتحدة I-ORG
إن O
خالد I-PERS
"""


def test_conll_to_docs_anercorp_mapping(blank, tmp_path, registry):
    p = write(tmp_path / "aner.txt", ANER)
    st = {}
    docs = X.conll_to_docs(blank, p, "anercorp", registry=registry, stats=st)
    assert len(docs) == 1
    doc = docs[0]
    # the file's own tokens, not re-tokenized (ولبنان stays one token)
    assert [t.text for t in doc][:6] == ["ذهب", "أحمد", "إلى", "ألمانيا", "ولبنان", "و"]
    assert ents(doc) == [("أحمد", "PERSON"), ("ألمانيا", "GPE"), ("ولبنان", "GPE"), ("أفريقيا", "LOC"),
                         ("الأمم المتحدة", "ORG"), ("خالد", "PERSON")]
    # MISC is missing (unknown), never O
    kas, alam = doc[8], doc[9]
    assert (kas.text, alam.text) == ("كأس", "العالم")
    assert kas.ent_iob_ == "" and alam.ent_iob_ == "" and kas.ent_iob == 0
    assert doc[2].ent_iob_ == "O" and doc[10].ent_iob_ == "O"
    # sentence starts from the blank lines
    assert [s.text.split()[0] for s in doc.sents] == ["ذهب", "قالت"]
    assert st["sentences"] == 2 and st["tokens"] == 16 and st["docs"] == 1
    assert st["entities"] == {"PERSON": 2, "GPE": 2, "LOC": 1, "ORG": 1}
    assert st["missing_spans"] == 1 and st["missing_tokens"] == 2
    assert st["repairs"] == 1  # the lone I-PERS
    assert (st["loc_to_gpe"], st["loc_to_loc"]) == (2, 1)


def test_lexeme_features_are_the_tokenizers(blank, tmp_path, registry):
    p = write(tmp_path / "aner.txt", "الأُمَمُ B-ORG\nالمتحدة I-ORG\n")
    doc = X.conll_to_docs(blank, p, "anercorp", registry=registry)[0]
    tok = blank.tokenizer
    assert doc[0].norm_ == normalize("الأُمَمُ") == "الامم"
    assert doc[0].prefix_ == "الامم"[: tok.prefix_len] and doc[0].suffix_ == "الامم"[-tok.suffix_len :]
    assert doc[1].norm_ == blank("المتحدة")[0].norm_


def test_grouping(blank, tmp_path, registry):
    p = write(tmp_path / "aner.txt", "".join(f"كلمة{i} O\n\n" for i in range(25)))
    docs = X.conll_to_docs(blank, p, "anercorp", group=10, registry=registry)
    assert [len(d) for d in docs] == [10, 10, 5]
    assert all(len(list(d.sents)) == len(d) for d in docs)


WOJOOD = """رئيس B-OCC
بلدية I-OCC B-ORG
نابلس I-OCC I-ORG B-GPE
زار O
فلسطين B-GPE
يوم B-DATE
الأحد I-DATE
مع O
محمود B-PERS
عباس I-PERS
في O
مؤتمر B-EVENT
القمة I-EVENT
العربية I-EVENT B-NORP
قرب O
نهر B-LOC
الأردن I-LOC B-GPE
"""


def test_wojood_outermost_tag(blank, tmp_path, registry):
    p = write(tmp_path / "woj.txt", WOJOOD)
    doc = X.conll_to_docs(blank, p, "wojood", registry=registry)[0]
    assert ents(doc) == [("بلدية نابلس", "ORG"), ("فلسطين", "GPE"), ("محمود عباس", "PERSON"),
                         ("مؤتمر القمة العربية", "EVENT"), ("نهر الأردن", "LOC")]
    # OCC (outermost) is not this project's type: its title word is O, the ORG nested in it is
    # kept (and the GPE inside that ORG is not, no nesting); DATE is O.
    assert [doc[i].ent_iob_ for i in (0, 5, 6)] == ["O"] * 3


def test_undeclared_tag_type_is_an_error(blank, tmp_path, registry):
    p = write(tmp_path / "aner.txt", "x B-DATE\n")
    with pytest.raises(ValueError, match="DATE"):
        X.conll_to_docs(blank, p, "anercorp", registry=registry)


# ----------------------------------------------------------------------------- convert
def test_convert_sha256_mismatch(blank, tmp_path, registry):
    data = tmp_path / "ner"
    write(data / "aqmar" / "train.txt", "باريس B-LOC\n")
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"aqmar/train\.txt.*sha256"):
        X.convert(data, out, blank, registry=registry)
    assert not out.exists()  # nothing written
    res = X.convert(data, out, blank, verify=False, registry=registry)
    assert list(res["files"]) == ["aqmar-train"]
    assert res["files"]["aqmar-train"]["entities"] == {"GPE": 1}  # a city, though not in this registry
    assert (out / "aqmar-train.spacy").is_file()
    assert any("aqmar-dev" in s for s in res["skipped"])


def test_convert_missing_data(blank, tmp_path):
    with pytest.raises(FileNotFoundError, match="--data"):
        X.convert(tmp_path / "absent", tmp_path / "out", blank)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="--data"):
        X.convert(tmp_path / "empty", tmp_path / "out", blank)


def test_convert_test_split_only_when_named(blank, tmp_path, registry):
    data = tmp_path / "ner"
    write(data / "aqmar" / "test.txt", "باريس B-LOC\n")
    with pytest.raises(FileNotFoundError):
        X.convert(data, tmp_path / "out", blank, verify=False, registry=registry)
    res = X.convert(data, tmp_path / "out", blank, splits=("test",), verify=False, registry=registry)
    assert res["files"]["aqmar-test"]["train"] is False


def test_declarations():
    decls = X.load_declarations()
    assert set(decls) == {"anercorp", "aqmar", "wojood"}
    for _name, d in decls.items():
        assert d["source"]["repository"] and d["source"]["commit"] and d["licence"] and d["citation"]
        assert d["splits"]["test"]["train"] is False
        assert all(len(s["sha256"]) == 64 for s in d["splits"].values())
        assert all(s["train"] for k, s in d["splits"].items() if k != "test")


# ----------------------------------------------------------------------------- coarse benchmark
COARSE = """أحمد B-PERS
زار O
لبنان B-LOC
و O
الأمم B-ORG
المتحدة I-ORG
. O

كأس B-MISC
العالم I-MISC
في O
فرنسا B-LOC
مع O
سامي B-PERS
خالد I-PERS
"""


@pytest.fixture
def stub_nlp():
    import spacy

    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": [{"ORTH": "أحمد"}]},      # TP PERS
        {"label": "GPE", "pattern": [{"ORTH": "لبنان"}]},        # TP LOC (GPE → LOC)
        {"label": "ORG", "pattern": [{"ORTH": "الأمم"}]},        # FP ORG (partial) + FN ORG
        {"label": "ORG", "pattern": [{"ORTH": "كأس"}]},          # overlaps gold MISC: dropped
        {"label": "EVENT", "pattern": [{"ORTH": "في"}]},         # EVENT: dropped
        {"label": "LOC", "pattern": [{"ORTH": "فرنسا"}]},        # TP LOC
        {"label": "MISSION", "pattern": [{"ORTH": "مع"}]},       # FP ORG (MISSION → ORG)
        {"label": "PERSON", "pattern": [{"ORTH": "سامي"}]},      # FP PERS + FN PERS
    ])
    return nlp


def test_coarse_scores_exact(stub_nlp, tmp_path):
    p = write(tmp_path / "bench.txt", COARSE)
    s = X.coarse_conll_scores(stub_nlp, p)
    assert s["per_type"]["PERS"] == {"p": 0.5, "r": 0.5, "f": 0.5, "tp": 1, "fp": 1, "fn": 1}
    assert s["per_type"]["LOC"] == {"p": 1.0, "r": 1.0, "f": 1.0, "tp": 2, "fp": 0, "fn": 0}
    assert s["per_type"]["ORG"] == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "fp": 2, "fn": 1}
    assert (s["tp"], s["fp"], s["fn"]) == (3, 3, 2)
    assert s["p"] == pytest.approx(0.5) and s["r"] == pytest.approx(0.6) and s["f"] == pytest.approx(6 / 11)
    c = s["counts"]
    assert c["sentences"] == 2 and c["tokens"] == 14 and c["gold"] == 5 and c["pred"] == 6
    assert c["gold_ignored_MISC"] == 1 and c["pred_overlapping_ignored"] == 1 and c["pred_dropped_EVENT"] == 1
    assert s["words_per_second"] > 0
    assert "micro" in X.format_coarse(s)


def test_coarse_scores_read_sentence_by_sentence(stub_nlp, tmp_path):
    """The benchmark reads each sentence alone; `group` joins consecutive sentences into one Doc
    (so a component that uses document context sees the other sentences only then)."""
    from spacy.language import Language

    seen = []

    @Language.component("record_doc_lengths")
    def record(doc):
        seen.append(len(doc))
        return doc

    stub_nlp.add_pipe("record_doc_lengths", first=True)
    p = write(tmp_path / "bench.txt", COARSE)
    s = X.coarse_conll_scores(stub_nlp, p)
    assert seen == [7, 7] and s["counts"]["docs"] == 2 and s["group"] == 1
    assert "sentence by sentence" in X.format_coarse(s)
    seen.clear()
    s2 = X.coarse_conll_scores(stub_nlp, p, group=10)
    assert seen == [14] and s2["counts"]["docs"] == 1 and "10 sentences per Doc" in X.format_coarse(s2)


# ----------------------------------------------------------------------------- CLI
def test_cli_module_imports_without_spacy():
    code = "import sys, arpk_nlp.cli.external as c; assert c.external_app and c.conll_eval_cli; assert 'spacy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_errors_are_one_line(tmp_path):
    import typer
    from typer.testing import CliRunner

    from arpk_nlp.cli.external import conll_eval_cli, external_app

    r = CliRunner().invoke(external_app, ["convert", "--data", str(tmp_path / "absent"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "error:" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(external_app, ["convert"])
    assert r.exit_code != 0  # --data is required
    with pytest.raises(typer.Exit):
        conll_eval_cli(tmp_path / "nope.txt", tmp_path / "model", False)


def test_conll_eval_cli_table(stub_nlp, tmp_path, capsys):
    model = tmp_path / "model"
    stub_nlp.to_disk(model)
    p = write(tmp_path / "bench.txt", COARSE)
    from arpk_nlp.cli.external import conll_eval_cli

    conll_eval_cli(p, model, False)
    out = capsys.readouterr().out
    assert "PERS" in out and "micro" in out and "0.545" in out
    conll_eval_cli(p, model, True)
    assert json.loads(capsys.readouterr().out)["tp"] == 3


# ----------------------------------------------------------------------------- real files
needs_data = pytest.mark.skipif(not NER_DATA.is_dir(), reason=f"{NER_DATA} absent (third-party corpora)")


@needs_data
def test_real_sha256_match_declarations():
    for _name, d in X.load_declarations().items():
        for _split, s in d["splits"].items():
            path = NER_DATA / d["folder"] / s["file"]
            assert X.sha256(path) == s["sha256"], path


@pytest.mark.slow
@needs_data
def test_real_convert_train_dev(blank, tmp_path):
    from spacy.tokens import DocBin

    res = X.convert(NER_DATA, tmp_path, blank)
    assert set(res["files"]) == {"anercorp-train", "aqmar-train", "aqmar-dev", "wojood-train", "wojood-dev"}
    assert not list(tmp_path.glob("*test*"))  # no test split by default
    for name, st in res["files"].items():
        assert st["docs"] > 0 and st["sentences"] > 0 and st["tokens"] > 0 and sum(st["entities"].values()) > 0, name
        assert st["train"] is True
    aner = res["files"]["anercorp-train"]
    assert aner["sentences"] == 3972 and aner["missing_spans"] > 0 and aner["entities"]["GPE"] > 0
    assert res["files"]["wojood-train"]["missing_spans"] == 0
    docs = list(DocBin().from_disk(tmp_path / "aqmar-dev.spacy").get_docs(blank.vocab))
    assert len(docs) == res["files"]["aqmar-dev"]["docs"]
    assert sum(1 for d in docs for t in d if t.ent_iob == 0) == res["files"]["aqmar-dev"]["missing_tokens"]


@needs_data
def test_real_mapping_report():
    rep = X.mapping_report(NER_DATA, n=5)
    assert "LOC → GPE" in rep and "LOC → LOC" in rep
