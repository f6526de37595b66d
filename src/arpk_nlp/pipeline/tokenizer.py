"""A spaCy tokenizer around CAMeL Tools' `simple_word_tokenize`, built like `spacy/lang/vi`.

Tokens are whitespace-delimited words with punctuation split off; clitics stay attached, which is
the unit the annotation guidelines align spans to. `doc.text == text` for every input.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import srsly
from spacy.attrs import ORTH
from spacy.errors import Errors
from spacy.tokens import Doc, Token
from spacy.util import registry
from spacy.vocab import Vocab

from .doc_text import remember_text
from .normalize import normalize

if not Token.has_extension("segments"):
    # Clitic segments (d3tok) when the optional morphological mode is on; None otherwise.
    Token.set_extension("segments", default=None)

_SPACE_RUN = re.compile(r"\s+")


@registry.tokenizers("arpk_nlp.CamelTokenizer.v1")
def create_camel_tokenizer(
    prefix_len: int = 3, suffix_len: int = 4, morphological: bool = False, morphology_db: str | None = None
):
    """Create the tokenizer.

    prefix_len (int): Characters of the normalized word used as the PREFIX feature. Arabic
        stacks proclitics (و + ب/ل + ال), so more than spaCy's default 1 helps.
    suffix_len (int): Characters of the normalized word used as the SUFFIX feature (enclitics,
        plural and nisba endings).
    morphological (bool): Also segment clitics with CAMeL's MorphologicalTokenizer (d3tok) into
        `token._.segments`. Needs CAMeL morphology data (or `morphology_db`).
    morphology_db (str | None): Path to a CAMeL morphology DB file, instead of the installed data.
    """

    def create(nlp):
        return CamelTokenizer(
            nlp.vocab,
            prefix_len=prefix_len,
            suffix_len=suffix_len,
            morphological=morphological,
            morphology_db=morphology_db,
        )

    return create


class CamelTokenizer:
    def __init__(
        self,
        vocab: Vocab,
        prefix_len: int = 3,
        suffix_len: int = 4,
        morphological: bool = False,
        morphology_db: str | None = None,
    ):
        self.vocab = vocab
        self.prefix_len = prefix_len
        self.suffix_len = suffix_len
        self.morphological = morphological
        self.morphology_db = morphology_db
        self._seen: set[int] = set()
        self._segmenter = None
        if morphological:
            self._segmenter = _load_segmenter(morphology_db)

    def __reduce__(self):
        return (CamelTokenizer, (self.vocab, self.prefix_len, self.suffix_len, self.morphological, self.morphology_db))

    def __call__(self, text: str) -> Doc:
        words, spaces = split_words(text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        remember_text(doc, text)  # split_words guarantees doc.text == text: later steps need not rebuild it
        self._set_lexeme_attrs(doc)
        if self._segmenter is not None:
            self._segment(doc)
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def _set_lexeme_attrs(self, doc: Doc) -> None:
        # NORM, PREFIX and SUFFIX are lexeme attributes: set them once per word type, so the
        # normalization costs nothing on repeated words and every later Doc sees them.
        seen = self._seen
        # Word ids read in one array call (Token objects cost more than the work per word).
        strings = self.vocab.strings
        for orth in set(doc.to_array(ORTH).tolist()) - seen:
            seen.add(orth)
            lex = self.vocab[orth]
            text = strings[orth]
            norm = normalize(text) or text
            lex.norm_ = norm
            lex.prefix_ = norm[: self.prefix_len]
            lex.suffix_ = norm[-self.suffix_len :]

    def _segment(self, doc: Doc) -> None:
        for token in doc:
            if token.is_space or token.is_punct:
                continue
            token._.segments = self._segmenter.tokenize([token.text])

    # Serialization: only the settings; the backend has no state of its own.
    def _cfg(self) -> dict:
        return {
            "prefix_len": self.prefix_len,
            "suffix_len": self.suffix_len,
            "morphological": self.morphological,
            "morphology_db": self.morphology_db,
        }

    def _load_cfg(self, cfg: dict) -> None:
        self.prefix_len = cfg.get("prefix_len", self.prefix_len)
        self.suffix_len = cfg.get("suffix_len", self.suffix_len)
        self.morphological = cfg.get("morphological", False)
        self.morphology_db = cfg.get("morphology_db")
        self._seen = set()
        self._segmenter = _load_segmenter(self.morphology_db) if self.morphological else None

    def to_bytes(self, **kwargs) -> bytes:
        return srsly.msgpack_dumps(self._cfg())

    def from_bytes(self, data: bytes, **kwargs) -> CamelTokenizer:
        self._load_cfg(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path, **kwargs) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self._cfg())

    def from_disk(self, path, **kwargs) -> CamelTokenizer:
        self._load_cfg(srsly.read_json(Path(path) / "cfg.json"))
        return self


def split_words(text: str) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags such that `Doc(words, spaces).text == text`: CAMeL's
    tokens aligned to the text as spaCy's `get_words_and_spaces` does (whitespace other than one
    trailing space becomes a whitespace token, as in spaCy)."""
    pieces = text.split()
    return _align([t for w in pieces for t in _word_tokens(w)], text, pieces)


@lru_cache(maxsize=200_000)
def _word_tokens(word: str) -> tuple[str, ...]:
    """CAMeL's `simple_word_tokenize` of one whitespace-free word. It splits the text at
    whitespace and then handles each word alone (a regex match per character), so its tokens
    are the concatenation of its tokens of each word: cached per word, since news vocabulary
    repeats and the per-character matching is most of the tokenizer's time."""
    from camel_tools.tokenizers.word import simple_word_tokenize

    return tuple(simple_word_tokenize(word))


def _align(words: list[str], text: str, pieces: list[str]) -> tuple[list[str], list[bool]]:
    """spaCy's `get_words_and_spaces` (same result, same error), with each word searched from
    the current position (`str.index(word, pos)`) instead of in a copy of the text's rest: that
    copy per word made long articles quadratic."""
    if "".join(words) != "".join(pieces):
        raise ValueError(Errors.E194.format(text=text, words=words))
    text_words: list[str] = []
    text_spaces: list[bool] = []
    pos = 0
    n = len(text)
    for word in words:
        try:
            start = text.index(word, pos)
        except ValueError:
            raise ValueError(Errors.E194.format(text=text, words=words)) from None
        if start > pos:
            text_words.append(text[pos:start])
            text_spaces.append(False)
            pos = start
        pos += len(word)
        if pos < n and text[pos] == " ":
            text_words.append(word)
            text_spaces.append(True)
            pos += 1
        else:
            text_words.append(word)
            text_spaces.append(False)
    if pos < n:
        text_words.append(text[pos:])
        text_spaces.append(False)
    return text_words, text_spaces


def _camel_data_installed() -> bool:
    base = os.environ.get("CAMELTOOLS_DATA") or str(Path.home() / ".camel_tools")
    return (Path(base) / "catalogue.json").is_file()


def _load_segmenter(db_path: str | None):
    """CAMeL's MorphologicalTokenizer (d3tok) over a morphology DB, without network access.

    camel_tools.morphology imports camel_tools.data, which downloads a catalogue at import time
    unless one exists. With an explicit DB file and no CAMeL data installed, CAMELTOOLS_DATA is
    pointed at an empty catalogue shipped in this package, so nothing is fetched or written.
    """
    if db_path is not None:
        if not Path(db_path).is_file():
            raise ValueError(f"morphology DB not found: {db_path}")
        if not _camel_data_installed():
            os.environ["CAMELTOOLS_DATA"] = str(Path(__file__).parent / "resources" / "camel_no_data")
    elif not _camel_data_installed():
        raise ValueError(
            "morphological=True needs CAMeL morphology data: install it with "
            "`camel_data -i morphology-db-msa-r13` (set CAMELTOOLS_DATA if it is not in ~/.camel_tools), "
            "or set morphology_db to a morphology DB file."
        )
    from camel_tools.morphology.analyzer import Analyzer
    from camel_tools.morphology.database import MorphologyDB
    from camel_tools.tokenizers.morphological import MorphologicalTokenizer

    db = MorphologyDB(db_path, "a") if db_path else MorphologyDB.builtin_db()
    return MorphologicalTokenizer(_FirstAnalysis(Analyzer(db)), scheme="d3tok", split=True)


class _FirstAnalysis:
    """The smallest disambiguator: the analyzer's first analysis (no statistical model, so no
    extra data to download). Good enough to expose clitic segments."""

    def __init__(self, analyzer):
        self.analyzer = analyzer

    def disambiguate(self, words, top=1):
        from camel_tools.disambig.common import DisambiguatedWord, ScoredAnalysis

        out = []
        for w in words:
            analyses = self.analyzer.analyze(w)[:1]
            out.append(DisambiguatedWord(w, [ScoredAnalysis(1.0, a, a.get("diac", w), 0.0, 0.0) for a in analyses]))
        return out
