"""`arpk_nlp.NameHashEmbed.v1`: spaCy's MultiHashEmbed plus one embedded "name class" per token.

Arabic has no capital letters, so a CNN only knows a name it saw in training. This adds what
the project knows about names as a token feature the NER learns to weigh: whether the word
(proclitics aside) is a given name (configs/names/given_names.txt, written for this project) or
a word of a registry actor's name, by actor type. The class is a small bit set, embedded by a
hash table of its own and mixed with the usual NORM/PREFIX/SUFFIX/SHAPE embeddings by the same
Maxout layer as in spaCy's MultiHashEmbed.

The word table is filled at `initialize` from the files named in the config and saved with the
model's weights (thinc serializes layer attrs), so a loaded pipeline needs neither file.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

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
    attrs: List[str],
    rows: List[int],
    name_rows: int,
    names_path: Optional[str] = None,
    registry_path: Optional[str] = None,
) -> Model[List[Doc], List[Floats2d]]:
    """width, attrs, rows: as spacy.MultiHashEmbed.v2 (no static vectors).
    name_rows (int): Rows of the name-class embedding table.
    names_path (str): Given names, one per line (read at initialize only).
    registry_path (str): The actor registry (JSONL file or folder; read at initialize only).
    """
    if len(rows) != len(attrs):
        raise ValueError(f"Mismatched lengths: {len(rows)} vs {len(attrs)}")
    embeddings = [HashEmbed(width, rows[i], column=i, seed=8 + i, dropout=0.0) for i in range(len(attrs))]
    lexical = chain(FeatureExtractor(attrs), list2ragged(), with_array(concatenate(*embeddings)))
    names = chain(name_classes(names_path, registry_path), list2ragged(),
                  with_array(HashEmbed(width, name_rows, column=0, seed=8 + len(attrs), dropout=0.0)))
    mix = with_array(Maxout(width, width * (len(attrs) + 1), nP=3, dropout=0.0, normalize=True))
    return chain(concatenate(lexical, names), mix, ragged2list())


def name_classes(names_path: Optional[str], registry_path: Optional[str]) -> Model[List[Doc], List[Ints2d]]:
    cache: dict = {"table_id": None, "by_norm": {}}

    def forward(model: Model, docs: List[Doc], is_train: bool):
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
                    c = word_class(strings[h], table)
                    by_norm[h] = c
                ids.append(c)
            out.append(model.ops.asarray2i([[c] for c in ids] if ids else [], dtype="uint64").reshape(len(ids), 1))
        return out, lambda d_out: []

    def init(model: Model, X=None, Y=None):
        model.attrs["table"] = build_table(names_path, registry_path)

    return Model("arpk_name_classes", forward, init=init, attrs={"table": {}})


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
