"""`arpk_nlp.NameHashEmbed.v1`/`.v2`: spaCy's MultiHashEmbed plus embedded word classes.

Arabic has no capital letters, so a CNN only knows a name it saw in training. This adds what
the project knows about names as a token feature the NER learns to weigh: whether the word
(proclitics aside) is a given name (configs/names/given_names.txt, written for this project) or
a word of a registry actor's name, by actor type. The class is a small bit set, embedded by a
hash table of its own and mixed with the usual NORM/PREFIX/SUFFIX/SHAPE embeddings by the same
Maxout layer as in spaCy's MultiHashEmbed.

v2 (the shipped config) adds a rarity class, the word's document frequency in the training data,
and rare-word dropout in training (see `name_hash_embed_v2`).

The tables are filled at `initialize` from the files named in the config and saved with the
model's weights (thinc serializes layer attrs), so a loaded pipeline needs none of the files.
"""
from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Optional

import numpy
from spacy.attrs import NORM
from spacy.ml.featureextractor import FeatureExtractor
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d, Ints2d

from .normalize import normalize, strip_proclitics

# Bits of the class id. A word may be in several lists (`جورج` a given name and part of `جورج تاون`).
GIVEN = 1
TYPE_BITS = {"PERSON": 2, "ORG": 4, "GPE": 8, "LOC": 16, "MISSION": 32, "EVENT": 64}


@registry.architectures("arpk_nlp.NameHashEmbed.v1")
def name_hash_embed(
    width: int,
    attrs: list[str],
    rows: list[int],
    name_rows: int,
    names_path: Optional[str] = None,
    registry_path: Optional[str] = None,
) -> Model[list[Doc], list[Floats2d]]:
    """width, attrs, rows: as spacy.MultiHashEmbed.v2 (no static vectors).
    name_rows (int): Rows of the name-class embedding table.
    names_path (str): Given names, one per line (read at initialize only).
    registry_path (str): The actor registry (JSONL file or folder; read at initialize only).
    """
    return _embed(width, attrs, rows, FeatureExtractor(attrs), [(name_classes(names_path, registry_path), name_rows)])


def _embed(width: int, attrs: list[str], rows: list[int], extract: Model, classes: list, dense: tuple = ()) -> Model:
    """MultiHashEmbed's structure (one HashEmbed per attribute, a Maxout mixing them) with one
    more HashEmbed per (class model, rows) in `classes`, and the `dense` models (Docs → Ragged of
    `width` columns) mixed in by the same Maxout."""
    if len(rows) != len(attrs):
        raise ValueError(f"Mismatched lengths: {len(rows)} vs {len(attrs)}")
    embeddings = [HashEmbed(width, rows[i], column=i, seed=8 + i, dropout=0.0) for i in range(len(attrs))]
    lexical = chain(extract, list2ragged(), with_array(concatenate(*embeddings)))
    embedded = [chain(model, list2ragged(), with_array(HashEmbed(width, n, column=0, seed=8 + len(attrs) + j, dropout=0.0)))
                for j, (model, n) in enumerate(classes)]
    mix = with_array(Maxout(width, width * (len(attrs) + len(classes) + len(dense)), nP=3, dropout=0.0, normalize=True))
    return chain(concatenate(lexical, *embedded, *dense), mix, ragged2list())


@registry.architectures("arpk_nlp.NameHashEmbed.v2")
def name_hash_embed_v2(
    width: int,
    attrs: list[str],
    rows: list[int],
    name_rows: int,
    names_path: Optional[str] = None,
    registry_path: Optional[str] = None,
    df_path: Optional[str] = None,
    df_bounds: list[int] = [2, 4, 10, 30, 100],  # noqa: B006 -- never mutated; a list so the config validates it as list[int]
    rare_dropout: float = 0.0,
) -> Model[list[Doc], list[Floats2d]]:
    """v1 plus a word-rarity class: how many training documents contain the word (document
    frequency, bucketed by df_bounds). A word the model never saw and a word seen in only one
    document share the lowest class, so the NER can learn that rare words in a name's position
    are names, which is the main cue for unseen foreign names in text without capitals.

    df_path (str): The training DocBin file or folder (read at initialize only; copies of the
        same document count once).
    df_bounds (List[int]): Ascending document counts where a new class starts.
    rare_dropout (float): In training, the chance that a rare word (lowest class) loses its NORM
        feature (it becomes one shared "unknown word" id), so the NER learns to find names from
        affixes, name class and context, which is all it has for names it never saw
        (word dropout for singletons, as in Lample et al. 2016). No effect at prediction.
    """
    return _embed(width, attrs, rows, *_v2_features(attrs, name_rows, names_path, registry_path, df_path, df_bounds, rare_dropout))


def _v2_features(attrs, name_rows, names_path, registry_path, df_path, df_bounds, rare_dropout) -> tuple[Model, list]:
    """v2's feature extractor (with rare-word dropout) and its two class models, for `_embed`."""
    rarity = rarity_classes(df_path, df_bounds)
    extract = FeatureExtractor(attrs)
    if rare_dropout > 0 and "NORM" in attrs:
        extract = features_with_rare_dropout(attrs, rarity, rare_dropout)
    return extract, [(name_classes(names_path, registry_path), name_rows), (rarity, 64)]


def _doc_cached_classes(name: str, classify, init) -> Model[list[Doc], list[Ints2d]]:
    """A feature model mapping each token's NORM to a small int via `classify(norm, table)`,
    caching per NORM id; `init` builds model.attrs["table"]."""
    cache: dict = {"table_id": None, "by_norm": {}}

    def forward(model: Model, docs: list[Doc], is_train: bool):
        table = model.attrs["table"]
        if cache["table_id"] != id(table):  # a new table (initialize, from_bytes): drop the cache
            cache["table_id"], cache["by_norm"] = id(table), {}
        by_norm = cache["by_norm"]
        out = []
        for doc in docs:
            strings = doc.vocab.strings
            ids = []
            for h in doc.to_array([NORM]).tolist():
                c = by_norm.get(h)
                if c is None:
                    c = classify(strings[h], table)
                    by_norm[h] = c
                ids.append(c)
            out.append(model.ops.asarray2i([[c] for c in ids] if ids else [], dtype="uint64").reshape(len(ids), 1))
        return out, lambda d_out: []

    return Model(name, forward, init=init, attrs={"table": {}})


# Readings for the rarity table keep at least 3 letters, so `وليد` is not read as `يد` (hand).
_RARITY_MIN_STEM = 3


def rarity_classes(df_path: Optional[str], bounds: list[int]) -> Model[list[Doc], list[Ints2d]]:
    def init(model: Model, X=None, Y=None):
        model.attrs["table"] = build_df_table(df_path, bounds) if df_path else {}

    return _doc_cached_classes("arpk_rarity_classes", rarity_class, init)


def rarity_class(norm: str, table: dict) -> int:
    """1 + the document-frequency class of the word's longest known reading (proclitics
    stripped), or 1 for a rare or unseen word; 0 for tokens without letters (digits,
    punctuation), which the other features describe."""
    if not any(ch.isalpha() for ch in norm):
        return 0
    for reading in strip_proclitics(norm, min_stem=_RARITY_MIN_STEM):
        c = table.get(reading)
        if c:
            return 1 + c
    return 1


# The id a dropped NORM takes: a hash no word has (spaCy's string hashes are 64-bit).
UNKNOWN_NORM = 1


def features_with_rare_dropout(attrs: list[str], rarity: Model, p: float) -> Model[list[Doc], list[Ints2d]]:
    """spaCy's FeatureExtractor, but in training the NORM column of rare words (rarity class 1)
    becomes UNKNOWN_NORM with probability p (numpy's global RNG, which spaCy seeds); identical to
    FeatureExtractor at prediction. `rarity` is the rarity-class model, whose table it shares."""
    extract = FeatureExtractor(attrs)
    column = attrs.index("NORM")

    def forward(model: Model, docs: list[Doc], is_train: bool):
        features, _ = extract(docs, is_train)
        if not is_train:
            return features, lambda d: []
        classes, _ = rarity(docs, False)
        out = []
        for f, c in zip(features, classes):
            hit = (model.ops.to_numpy(c)[:, 0] == 1) & (numpy.random.random(len(c)) < p)
            if hit.any():
                f = f.copy()
                f[hit, column] = UNKNOWN_NORM
            out.append(f)
        return out, lambda d: []

    return Model("arpk_features_rare_dropout", forward, layers=[extract])


def build_df_table(df_path: str, bounds: list[int]) -> dict:
    """{reading: class ≥ 1} for readings in at least bounds[0] distinct training documents."""
    import bisect
    from collections import Counter

    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    path = Path(df_path)
    files = sorted(path.glob("*.spacy")) if path.is_dir() else [path]
    vocab = Vocab()
    df: Counter = Counter()
    seen: set = set()
    for f in files:
        for doc in DocBin().from_disk(f).get_docs(vocab):
            if doc.text in seen:  # upsampled copies count once
                continue
            seen.add(doc.text)
            readings = set()
            for t in doc:
                readings.update(strip_proclitics(normalize(t.text), min_stem=_RARITY_MIN_STEM))
            df.update(readings)
    return {w: bisect.bisect_right(bounds, n) for w, n in df.items() if n >= bounds[0]}


def name_classes(names_path: Optional[str], registry_path: Optional[str]) -> Model[list[Doc], list[Ints2d]]:
    def init(model: Model, X=None, Y=None):
        model.attrs["table"] = build_table(names_path, registry_path)

    return _doc_cached_classes("arpk_name_classes", word_class, init)


def word_class(norm: str, table: dict) -> int:
    """The class of a normalized word: its own entry, else that of the word without its
    attached proclitics (`وغوتيريش`), else 0."""
    for reading in strip_proclitics(norm):
        c = table.get(reading)
        if c:
            return c
    return 0


def build_table(names_path: Optional[str], registry_path: Optional[str]) -> dict:
    from .registry import _stop_words, key, read_registry

    table: dict[str, int] = {}
    stop = _stop_words()

    def add(word: str, bit: int):
        if len(word) >= 2 and word not in stop:
            table[word] = table.get(word, 0) | bit

    if names_path:
        for line in Path(names_path).read_text(encoding="utf8").splitlines():
            for w in key(line).split():
                add(w, GIVEN)
    if registry_path:
        for actor in read_registry(registry_path):
            bit = TYPE_BITS.get(actor.type)
            if not bit:
                continue
            for surface in actor.surfaces():
                for w in key(surface).split():
                    add(w, bit)
    return table


@registry.architectures("arpk_nlp.NameHashEmbed.v3")
@functools.wraps(name_hash_embed_v2, assigned=(), updated=())
def name_hash_embed_v3(*args, **kwargs) -> Model[list[Doc], list[Floats2d]]:
    """v2 plus pretrained subword embeddings (pipeline/subwords.py): each token's mean
    multilingual-USE piece embedding, projected to `width` by a learned linear layer and mixed
    with the other features by the same Maxout. Arguments as v2: `__wrapped__` gives this
    function v2's signature, which is what the config system validates against."""
    from thinc.api import Linear

    from .subwords import DIM, subword_vectors

    bound = inspect.signature(name_hash_embed_v2).bind(*args, **kwargs)
    bound.apply_defaults()
    a = bound.arguments
    subwords = chain(subword_vectors(), list2ragged(), with_array(Linear(a["width"], DIM)))
    extract, classes = _v2_features(a["attrs"], a["name_rows"], a["names_path"], a["registry_path"],
                                    a["df_path"], a["df_bounds"], a["rare_dropout"])
    return _embed(a["width"], a["attrs"], a["rows"], extract, classes, dense=(subwords,))
