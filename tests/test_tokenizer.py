import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arpk_nlp.pipeline.normalize import normalize, strip_proclitics
from arpk_nlp.pipeline.tokenizer import CamelTokenizer, split_words
from conftest import MODEL

HARD = [
    "",
    " ",
    "\n\n",
    "  مرحبا  ",
    "قال\tغوتيريش\n\nإن «البعثة» ستبقى.",
    "الأمــــم المتحدة",  # tatweel
    "\u200fمينوسما\u200e (MINUSMA)",  # RTL/LTR marks
    "حفظ\u200dالسلام\u200c",  # zero-width joiner / non-joiner
    "الأُمَمُ المُتَّحِدَةُ",  # diacritics
    "🇰🇷 كوريا 👍🏽 و٢٠٢١ و2021",  # emoji, flags, Arabic-Indic digits
    "UN peacekeeping, A4P+ (2018)...",
    "قدمهاجغوتيريش؟!",
    "a\r\nb\x0bc\x0cd\x1ce\u2028f\u3000g\u00a0h",
]


@pytest.mark.parametrize("text", HARD)
def test_text_roundtrip_hard_cases(blank, text):
    doc = blank(text)
    assert doc.text == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.sampled_from(list(" \n\t\r\u00a0\u200b\u200c\u200d\u200e\u200f\u0640«»()[].,،؛؟!-\"'🇰🇷👍🏽٠١٢٣0123abcXYZ")),
    st.characters(blacklist_categories=("Cs",)),  # lone surrogates cannot come from decoded UTF-8
), max_size=80))
def test_text_roundtrip_property(blank, text):
    doc = blank(text)
    assert doc.text == text
    # every non-space token is a substring at its own offset
    for tok in doc:
        assert text[tok.idx : tok.idx + len(tok.text)] == tok.text


_TEXTS = st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.sampled_from(list(" \n\t\r\u00a0\u200b\u200c\u200d\u200e\u200f\u0640«»()[].,،؛؟!-\"'🇰🇷👍🏽٠١٢٣0123abcXYZ")),
    st.characters(blacklist_categories=("Cs",)),
), max_size=80)


def _reference_split(text):
    """What split_words computed before its per-word cache: CAMeL on the whole text, aligned
    by spaCy's own helper."""
    from camel_tools.tokenizers.word import simple_word_tokenize
    from spacy.util import get_words_and_spaces

    return get_words_and_spaces(simple_word_tokenize(text), text)


@pytest.mark.parametrize("text", HARD)
def test_split_words_same_as_reference_hard_cases(text):
    assert split_words(text) == _reference_split(text)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_split_words_same_as_reference_property(text):
    # the cached per-word tokenization and the in-place alignment change nothing
    assert split_words(text) == _reference_split(text)
    assert split_words(text) == _reference_split(text)  # a second time, from the cache


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_normalize_same_as_full_translation(text):
    # normalize() skips its translation tables when no character they map is present
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import normalize_alef_ar, normalize_alef_maksura_ar, normalize_teh_marbuta_ar

    from arpk_nlp.pipeline.normalize import _ARABIC_INDIC, _INVISIBLE, TATWEEL

    s = text.replace(TATWEEL, "").translate(_INVISIBLE).translate(_ARABIC_INDIC)
    expected = normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(s)))).lower()
    assert normalize.__wrapped__(text) == expected


def test_punctuation_split_clitics_kept(blank):
    doc = blank("وقال غوتيريش، للأمم المتحدة: «نعم».")
    assert [t.text for t in doc] == ["وقال", "غوتيريش", "،", "للأمم", "المتحدة", ":", "«", "نعم", "»", "."]


@pytest.mark.parametrize("word,norm", [
    ("أنا", "انا"),  # never spaCy's exception norm (أنبأنا)
    ("الأُمَمُ", "الامم"),
    ("الأمــــم", "الامم"),
    ("مستشفى", "مستشفي"),
    ("المتحدة", "المتحده"),
    ("إفريقيا", "افريقيا"),
    ("٢٠٢١", "2021"),
    ("UNIFIL", "unifil"),
])
def test_norm_is_camel_normalization(blank, word, norm):
    doc = blank(word)
    assert doc[0].norm_ == norm
    assert normalize(word) == norm


def test_affix_features_use_normalized_word(blank):
    doc = blank("وللأمم")
    assert doc[0].prefix_ == "ولل"
    assert doc[0].suffix_ == "للامم"[-4:]


def test_strip_proclitics():
    assert strip_proclitics("وللامم") == ["وللامم", "للامم", "الامم", "لامم"]
    assert strip_proclitics("ولبنان")[:2] == ["ولبنان", "لبنان"]
    assert strip_proclitics("مالي") == ["مالي"]  # no proclitic: nothing removed


def test_split_words_whitespace_tokens():
    words, spaces = split_words("أ  ب\nج")
    assert words == ["أ", " ", "ب", "\n", "ج"]
    assert spaces == [True, False, False, False, False]


def test_tokenizer_serialization(blank):
    tok = blank.tokenizer
    tok.prefix_len = 2
    data = tok.to_bytes()
    other = CamelTokenizer(blank.vocab).from_bytes(data)
    assert other.prefix_len == 2
    clone = pickle.loads(pickle.dumps(tok))
    assert clone.prefix_len == 2 and clone("في مالي").text == "في مالي"
    assert [t.norm_ for t in clone("في مالي")] == [t.norm_ for t in tok("في مالي")]
    tok.prefix_len = 3


def test_tokenizer_disk_roundtrip(blank, tmp_path):
    blank.to_disk(tmp_path / "p")
    import spacy

    nlp2 = spacy.load(tmp_path / "p")
    assert isinstance(nlp2.tokenizer, CamelTokenizer)
    assert nlp2("الأمم المتحدة").text == "الأمم المتحدة"


@pytest.mark.slow
@pytest.mark.integration
def test_shipped_model_loads_in_fresh_process_without_import():
    # Entry points register the factories and the tokenizer: no `import arpk_nlp` needed.
    code = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "doc = nlp('قال الأمين العام أنطونيو غوتيريش في نيويورك.'); "
        "print(type(nlp.tokenizer).__name__, nlp.pipe_names)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(MODEL)], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("CamelTokenizer")
    assert "arpk_a4p" in out.stdout and "arpk_linker" in out.stdout


@pytest.mark.slow
@pytest.mark.integration
def test_no_camel_data_import_on_default_path():
    code = (
        "import sys, spacy; import arpk_nlp.pipeline.tokenizer, arpk_nlp.pipeline.actors, arpk_nlp.pipeline.themes; "
        "print(any(m.startswith('camel_tools.data') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


TINY_DB = Path(__file__).parent / "data" / "tiny_morphology.db"


def test_morphological_mode_segments_clitics(tmp_path):
    # Fresh process: the mode sets CAMELTOOLS_DATA when no CAMeL data is installed.
    code = (
        "import spacy, sys, json; "
        "nlp = spacy.blank('ar', config={'nlp': {'tokenizer': {'@tokenizers': 'arpk_nlp.CamelTokenizer.v1', "
        "'morphological': True, 'morphology_db': sys.argv[1]}}}); "
        "doc = nlp('وصل السلام ولبنان، بلبنان ولسلام كلمة'); "
        "print(json.dumps([[t.text, t._.segments] for t in doc], ensure_ascii=False)); "
        "assert doc.text == 'وصل السلام ولبنان، بلبنان ولسلام كلمة'"
    )
    env = {k: v for k, v in os.environ.items() if k != "CAMELTOOLS_DATA"}
    env["HOME"] = str(tmp_path)  # no CAMeL data installed; camel_tools.data makes ~/.camel_tools here
    out = subprocess.run([sys.executable, "-c", code, str(TINY_DB)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    got = dict((w, seg) for w, seg in json.loads(out.stdout))
    assert got["ولبنان"] == ["و+", "لبنان"]
    assert got["بلبنان"] == ["ب+", "لبنان"]
    assert got["ولسلام"] == ["و+", "ل+", "سلام"]
    assert got["كلمة"] == ["كلمة"]  # unknown to the tiny DB: the word itself
    assert got["،"] is None  # punctuation is not segmented


def test_morphological_mode_without_data_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path))
    with pytest.raises(ValueError, match="camel_data -i morphology-db-msa-r13"):
        CamelTokenizer(spacy_vocab(), morphological=True)
    with pytest.raises(ValueError, match="morphology DB not found"):
        CamelTokenizer(spacy_vocab(), morphological=True, morphology_db=str(tmp_path / "nope.db"))


def spacy_vocab():
    from spacy.vocab import Vocab

    return Vocab()
