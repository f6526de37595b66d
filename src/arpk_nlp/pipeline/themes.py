"""`arpk_a4p`: multi-label A4P theme classifier with sentence evidence.

A linear model over hashed TF-IDF features of normalized text (word uni/bigrams and character
n-grams inside words, which see through attached clitics) plus a keyword-lexicon prior (one
count feature per label). scikit-learn fits it inside `initialize()`; inference is a few numpy
operations, so loading the pipeline never imports scikit-learn (its import alone costs seconds).

A document's raw log-odds per label come from the whole article's features ("doc" pooling), from
its best sentence ("max"), or from their mean ("mean"); `pooling` in the config chooses. Each
label's calibrator (Platt or isotonic, chosen and fitted on dev: `calibration.py`) turns them
into a probability, and `doc.cats` holds that probability with its odds shifted so the label's
dev-tuned threshold sits at 0.5: a label is on when its score is ≥ 0.5, and spaCy's
`textcat_scorer` (threshold 0.5) scores it directly. `doc._.a4p_borderline` lists the labels
whose score falls inside the label's uncertainty band around 0.5 (docs/a4p.md).
"""
from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import chain
from pathlib import Path

import numpy as np
import srsly
from murmurhash import hash as mhash
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, NORM, SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from .calibration import Calibrator, decision_score, sigmoid
from .doc_text import doc_text
from .labels import A4P_LABELS
from .normalize import normalize


def _normalize_long(text: str) -> str:
    # Sentences and articles are seen once: bypass normalize()'s cache, meant for words.
    return normalize.__wrapped__(text)


if not Doc.has_extension("a4p_evidence"):
    Doc.set_extension("a4p_evidence", default=None)
if not Doc.has_extension("a4p_borderline"):
    Doc.set_extension("a4p_borderline", default=None)

# 3: per-label calibrators, thresholds in calibrated-probability space, borderline bands.
# 2 (thresholds on the raw probability) still loads: identity calibrators, no bands.
FORMAT_VERSION = 3
READABLE_FORMATS = (2, 3)
POOLINGS = ("doc", "max", "mean")
# Score given to a label named in an agenda listing (above every threshold, which sit at 0.5).
AGENDA_SCORE = 0.75
# Features per block of sentences scored at once for the evidence (bounds memory on long articles).
SENTENCE_BLOCK = 50_000


@Language.factory(
    "arpk_a4p",
    assigns=["doc.cats", "doc._.a4p_evidence"],
    default_config={
        "hash_bits": 18,
        "char_ngrams": [3, 5],
        "word_ngrams": 2,
        "lexicon_weight": 0.1,
        "C": 4.0,
        "max_evidence": 2,
        "agenda_rule": True,
        "pooling": "doc",
        "scorer": {"@scorers": "spacy.textcat_multilabel_scorer.v2"},
    },
    default_score_weights={"cats_micro_f": 0.0, "cats_macro_f": 0.0},
)
def make_a4p(nlp, name, hash_bits, char_ngrams, word_ngrams, lexicon_weight, C, max_evidence, agenda_rule,
             pooling, scorer):
    return A4PClassifier(nlp.vocab, name, hash_bits=hash_bits, char_ngrams=tuple(char_ngrams),
                         word_ngrams=word_ngrams, lexicon_weight=lexicon_weight, C=C,
                         max_evidence=max_evidence, agenda_rule=agenda_rule, pooling=pooling, scorer=scorer)


class A4PClassifier:
    labels = A4P_LABELS

    def __init__(self, vocab, name="arpk_a4p", *, hash_bits=18, char_ngrams=(3, 5), word_ngrams=2,
                 lexicon_weight=0.1, C=4.0, max_evidence=2, agenda_rule=True, pooling="doc", scorer=None):
        if pooling not in POOLINGS:
            raise ValueError(f"arpk_a4p: pooling {pooling!r} is not one of {', '.join(POOLINGS)}")
        self.vocab = vocab
        self.name = name
        self.cfg = {"hash_bits": hash_bits, "char_ngrams": list(char_ngrams), "word_ngrams": word_ngrams,
                    "lexicon_weight": lexicon_weight, "C": C, "max_evidence": max_evidence,
                    "agenda_rule": agenda_rule, "pooling": pooling}
        self.scorer = scorer
        self.lexicon: dict[str, dict[str, list[str]]] = {"keywords": {}, "titles": {}}
        self.idf: np.ndarray | None = None
        self._coef: np.ndarray | None = None  # (n_labels, n_features)
        self._coef_t: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        # Fitted on dev (themes_fit): raw log-odds → probability; the threshold on that
        # probability; the borderline band [lo, hi] on the reported score (lo ≤ 0.5 ≤ hi).
        self.calibrators = {label: Calibrator() for label in self.labels}
        self.thresholds = {label: 0.5 for label in self.labels}
        self.bands = {label: [0.5, 0.5] for label in self.labels}
        self.versions: dict[str, str] = {}
        self._feature_cache: dict[str, tuple[int, ...]] = {}
        self._norm_cache: dict[int, tuple] = {}
        self._pair_cache: dict[tuple[str, str], int] = {}
        self.set_lexicon({})

    @property
    def coef(self) -> np.ndarray | None:
        """Weights, (n_labels, n_features)."""
        return self._coef

    @coef.setter
    def coef(self, value: np.ndarray | None) -> None:
        self._coef = value
        # Feature-major copy for scoring: a Doc's few thousand features are then contiguous
        # rows, not 8 strided gathers across the whole table.
        self._coef_t = None if value is None else np.ascontiguousarray(value.T)

    @property
    def n_hash(self) -> int:
        return 1 << self.cfg["hash_bits"]

    # ---------------------------------------------------------------- features
    def _segments(self, doc: Doc) -> list[tuple[int, int, list[int]]]:
        """Hashed features per sentence: (start_char, end_char, feature ids). One pass over
        the Doc's arrays (Token objects are slow to create); a Doc without sentence boundaries
        is one segment. Word bigrams run across sentence ends, so the Doc's features are the same
        whether or not it was split into sentences (training Docs are not)."""
        mask = self.n_hash - 1
        bigrams = self.cfg["word_ngrams"] >= 2
        strings = doc.vocab.strings
        # NORM hash → (word, features): skips the string lookup for a word seen before.
        by_norm = self._norm_cache
        if len(by_norm) > 500_000:
            by_norm.clear()
        # (word, next word) → the bigram's feature: hashing the joined string costs more than a
        # lookup, and news repeats its word pairs.
        by_pair = self._pair_cache
        if len(by_pair) > 500_000:
            by_pair.clear()
        if not len(doc):
            return []
        norm, punct, space, sent_start, idx, length = doc.to_array([NORM, IS_PUNCT, IS_SPACE, SENT_START, IDX, LENGTH]).T
        # Segments start at token 0 and at every sentence start; each ends where its last token
        # (punctuation and spaces included) ends. Only word tokens are walked in Python, segment
        # by segment, and their norms read column-wise (a 2-D uint64 tolist() is slow).
        first = np.flatnonzero(sent_start == 1)
        first = first if len(first) and first[0] == 0 else np.concatenate([[0], first]).astype(first.dtype)
        last = np.append(first[1:], len(doc)) - 1
        ends = (idx[last] + length[last]).tolist()
        words = np.flatnonzero((punct == 0) & (space == 0))
        cut = np.searchsorted(words, first).tolist() + [len(words)]
        norms = norm[words].tolist()
        segments: list[tuple[int, int, list[int]]] = []
        prev = None
        for k, (start, end) in enumerate(zip(idx[first].tolist(), ends)):
            feats: list[int] = []
            for n in norms[cut[k] : cut[k + 1]]:
                entry = by_norm.get(n)
                if entry is None:
                    w = strings[n]
                    entry = (w, self._word_features(w)) if w.strip() else ()
                    by_norm[n] = entry
                if not entry:
                    continue
                w = entry[0]
                feats.extend(entry[1])
                if prev is not None and bigrams:
                    pair = (prev, w)
                    h = by_pair.get(pair)
                    if h is None:
                        h = by_pair[pair] = mhash("b" + prev + " " + w) & mask
                    feats.append(h)
                prev = w
            segments.append((start, end, feats))
        return segments

    def _hashed(self, doc: Doc) -> dict[int, int]:
        """Term counts of the hashed features of a Doc (from token NORM)."""
        return Counter(chain.from_iterable(f for _, _, f in self._segments(doc)))

    def _word_features(self, w: str) -> tuple[int, ...]:
        """Hashed unigram and character n-grams of one word, cached: news vocabulary repeats, so
        most words are hashed once per process."""
        feats = self._feature_cache.get(w)
        if feats is None:
            lo, hi = self.cfg["char_ngrams"]
            mask = self.n_hash - 1
            padded = "<" + w + ">"
            n = len(padded)
            feats = (mhash("w" + w) & mask,) + tuple(
                mhash(padded[i : i + size]) & mask for size in range(lo, hi + 1) for i in range(0, n - size + 1))
            if len(self._feature_cache) < 500_000:
                self._feature_cache[w] = feats
        return feats

    def _lexicon_counts(self, text: str) -> np.ndarray:
        return self._lexicon_counts_norm(_normalize_long(text))

    def _lexicon_counts_norm(self, norm: str) -> np.ndarray:
        """Occurrences of each label's keywords in normalized text (overlapping terms each count)."""
        # One regex pass tells most sentences have no keyword at all; only those that do pay
        # for the per-term counts.
        if self._lex_any is None or not self._lex_any.search(norm):
            return np.zeros(len(self.labels), dtype=np.float32)
        return np.array([sum(norm.count(term) for term in self._lex_norm[label]) for label in self.labels],
                        dtype=np.float32)

    def _lexicon_counts_segments(self, seg_norm: list[str]) -> list[np.ndarray]:
        """`_lexicon_counts_norm` of each sentence. The terms present anywhere in the article are
        found once on the joined text; each sentence then counts only those few."""
        n = len(self.labels)
        if self._lex_any is None or not seg_norm:
            return [np.zeros(n, dtype=np.float32) for _ in seg_norm]
        joined = "\n".join(seg_norm)  # no term spans a newline, so none is found across sentences
        present = [(j, term) for j, label in enumerate(self.labels) for term in self._lex_norm[label] if term and term in joined]
        out = []
        for norm in seg_norm:
            counts = np.zeros(n, dtype=np.float32)
            for j, term in present:
                counts[j] += norm.count(term)
            out.append(counts)
        return out

    def _vectorize(self, counts: dict[int, float], lex: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sparse TF-IDF (sublinear tf, l2) + lexicon features as (indices, values)."""
        if counts:
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            val = (1.0 + np.log(tf)) * self.idf[idx]
            norm = float(np.sqrt((val * val).sum())) or 1.0
            val = val / norm
        else:
            idx = np.zeros(0, dtype=np.int64)
            val = np.zeros(0, dtype=np.float32)
        lex_val = self.cfg["lexicon_weight"] * np.log1p(lex)
        idx = np.concatenate([idx, self.n_hash + np.arange(len(self.labels))])
        val = np.concatenate([val, lex_val.astype(np.float32)])
        return idx, val

    def _raw_scores(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        """The linear models' own probabilities for one feature vector."""
        return sigmoid(self._logits(idx, val))

    def _logits(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        return val @ self._coef_t[idx] + self.intercept

    def _pool(self, doc_z: np.ndarray, sent_z: np.ndarray | None) -> np.ndarray:
        """The raw log-odds the calibrators see: the article's, its best sentence's, or their
        mean (cfg `pooling`). A Doc without sentences pools to the article's own."""
        pooling = self.cfg["pooling"]
        if pooling == "doc" or sent_z is None or sent_z.shape[1] == 0:
            return doc_z
        best = sent_z.max(axis=1)
        return best if pooling == "max" else 0.5 * (doc_z + best)

    def scores_from_logits(self, z: np.ndarray) -> np.ndarray:
        """Pooled raw log-odds, (n_labels,) or (n_labels, n), → reported scores (threshold 0.5)."""
        z = np.asarray(z, dtype=np.float64)
        return np.stack([decision_score(self.calibrators[l](z[j]), self.thresholds[l])
                         for j, l in enumerate(self.labels)])

    def pooled_logits(self, doc: Doc) -> np.ndarray:
        """The pooled raw log-odds of a Doc, (n_labels,): what the calibrators are fitted on.
        Sentence pooling needs the Doc's sentence boundaries (the pipeline's sentencizer)."""
        segments = self._segments(doc)
        text = doc_text(doc)
        seg_lex = self._lexicon_counts_segments([_normalize_long(text[a:b]) for a, b, _ in segments])
        lex = np.sum(seg_lex, axis=0) if seg_lex else np.zeros(len(self.labels), dtype=np.float32)
        doc_z = self._logits(*self._vectorize(Counter(chain.from_iterable(f for _, _, f in segments)), lex))
        sent_z = None if self.cfg["pooling"] == "doc" else self._sentence_scores(segments, seg_lex)[1]
        return self._pool(doc_z, sent_z)

    # ---------------------------------------------------------------- pipeline API
    def __call__(self, doc: Doc) -> Doc:
        if self.coef is None:
            raise ValueError(f"'{self.name}' is not initialized: train or load a pipeline first.")
        text = doc_text(doc)
        segments = self._segments(doc)
        # Normalizing is per character, so each sentence's normalized text and keyword counts
        # serve the Doc (their sum), the agenda rule and the evidence alike.
        seg_norm = [_normalize_long(text[start:end]) for start, end, _ in segments]
        seg_lex = self._lexicon_counts_segments(seg_norm)
        lex = np.sum(seg_lex, axis=0) if seg_lex else np.zeros(len(self.labels), dtype=np.float32)
        counts = Counter(chain.from_iterable(f for _, _, f in segments))
        doc_z = self._logits(*self._vectorize(counts, lex))
        # Sentence scores serve the pooling and the evidence; computed once, only when needed.
        sent = self._sentence_scores(segments, seg_lex) if self.cfg["pooling"] != "doc" else None
        scores = self.scores_from_logits(self._pool(doc_z, None if sent is None else sent[1]))
        cats = {label: float(v) for label, v in zip(self.labels, scores)}
        agenda, listings = self._agenda(segments, seg_norm) if self.cfg["agenda_rule"] else ({}, set())
        for label in agenda:
            cats[label] = max(cats[label], AGENDA_SCORE)
        if agenda:
            # A listing names the areas on the agenda; its words are no evidence for an area it
            # leaves out (ANNOTATION §5: the Seoul ministerial's listing of the A4P areas gives no
            # WPS). Such an area, unless the listing has one of its keywords (an item phrased
            # without its title), is scored again without the listing and keeps the lower score.
            index = {(a, b): i for i, (a, b, _) in enumerate(segments)}
            for j, label in enumerate(self.labels):
                drop = {span for span in listings if not seg_lex[index[span]][j]}
                if label not in agenda and drop:
                    cats[label] = min(cats[label], float(self._scores_without(segments, seg_lex, drop, sent)[j]))
        doc.cats = {label: round(v, 4) for label, v in cats.items()}
        doc._.a4p_borderline = self.borderline(doc.cats)
        doc._.a4p_evidence = self._evidence(doc.cats, segments, seg_lex, agenda, sent)
        return doc

    def _scores_without(self, segments, seg_lex, drop: set, sent) -> np.ndarray:
        """Reported scores, (n_labels,), of the Doc without the sentences whose (start, end) is
        in `drop`: the same features, keyword counts and pooling as `__call__`."""
        keep = [i for i, (a, b, _) in enumerate(segments) if (a, b) not in drop]
        counts = Counter(chain.from_iterable(segments[i][2] for i in keep))
        lex = (np.sum([seg_lex[i] for i in keep], axis=0) if keep
               else np.zeros(len(self.labels), dtype=np.float32))
        doc_z = self._logits(*self._vectorize(counts, lex))
        sent_z = None
        if sent is not None:
            cols = [k for k, span in enumerate(sent[0]) if span not in drop]
            sent_z = sent[1][:, cols]
        return self.scores_from_logits(self._pool(doc_z, sent_z))

    def borderline(self, cats: dict[str, float]) -> list[str]:
        """The labels (label order) whose score lies inside their band [lo, hi] around 0.5."""
        return [l for l in self.labels if self.bands[l][0] <= cats[l] <= self.bands[l][1] and self.bands[l][0] < self.bands[l][1]]

    def _agenda(self, segments, seg_norm: list[str]) -> tuple[dict[str, tuple[int, int]], set]:
        """Labels named by title in an agenda listing: a sentence naming two or more A4P areas by
        their own names (`استدامة السلام؛ الشراكات ...؛ الأداء والمساءلة`). ANNOTATION §3 counts an
        agenda item; one title alone (`حماية المدنيين` in a mandate's description) does not fire.
        RETURNS (dict, set): label → (start, end) of its first listing sentence; the (start, end)
        of every listing sentence."""
        if not any(self._titles_norm.values()) or len(segments) < 2:
            return {}, set()  # no titles, or no sentence boundaries to tell a listing from an article
        found, listings = {}, set()
        for (start, end, _), norm in zip(segments, seg_norm):
            hit = [l for l in self.labels if any(t in norm for t in self._titles_norm[l])]
            if len(hit) >= 2:
                listings.add((start, end))
                for l in hit:
                    found.setdefault(l, (start, end))
        return found, listings

    def _sentence_scores(self, segments, seg_lex, rows: list[int] | None = None) -> tuple[list[tuple[int, int]], np.ndarray]:
        """Raw log-odds of every sentence with features, (n_labels, n_sentences), computed for
        blocks of sentences at once (the same TF-IDF as `_vectorize`, row by row): per-sentence
        numpy calls cost more in overhead than in arithmetic, and a block of at most
        SENTENCE_BLOCK features keeps the (features × labels) arrays of a long article bounded.
        rows: only these labels (indices), (len(rows), n_sentences); each label's row is
        computed alone, so its values are the same as in the full array."""
        keep = [j for j, (_, _, feats) in enumerate(segments) if feats]
        spans = [(segments[j][0], segments[j][1]) for j in keep]
        if not keep:
            return spans, np.zeros((len(self.labels) if rows is None else len(rows), 0), dtype=np.float32)
        blocks, block, size = [], [], 0
        for j in keep:
            if block and size + len(segments[j][2]) > SENTENCE_BLOCK:
                blocks.append(block)
                block, size = [], 0
            block.append(j)
            size += len(segments[j][2])
        blocks.append(block)
        return spans, np.concatenate([self._block_scores(segments, seg_lex, b, rows) for b in blocks], axis=1)

    def _block_scores(self, segments, seg_lex, keep: list[int], rows: list[int] | None = None) -> np.ndarray:
        lens = [len(segments[j][2]) for j in keep]
        # One list, then one array: np.fromiter over a chain of lists is several times slower.
        feats = np.array(list(chain.from_iterable(segments[j][2] for j in keep)), dtype=np.int64)
        row = np.repeat(np.arange(len(keep), dtype=np.int64), lens)
        # (sentence, feature) pairs with their term counts, sorted by sentence
        pairs, tf = np.unique(row * self.n_hash + feats, return_counts=True)
        row, col = pairs // self.n_hash, pairs % self.n_hash
        val = (1.0 + np.log(tf.astype(np.float32))) * self.idf[col]
        norm = np.sqrt(np.bincount(row, weights=val * val, minlength=len(keep))).astype(np.float32)
        norm[norm == 0] = 1.0
        val = val / norm[row]
        # Only the requested labels' weights are gathered: the evidence needs the few positive
        # labels, and this gather and the sums below are most of the classifier's time.
        weights = self._coef_t[col] if rows is None else self._coef_t[col[:, None], np.asarray(rows)]
        contrib = (weights * val[:, None]).T
        starts = np.searchsorted(row, np.arange(len(keep)))
        z = np.add.reduceat(contrib, starts, axis=1)
        lex = self.cfg["lexicon_weight"] * np.log1p(np.array([seg_lex[j] for j in keep], dtype=np.float32))
        prior = self.coef[:, self.n_hash:] @ lex.T + self.intercept[:, None]
        z += prior if rows is None else prior[rows]
        return z

    def _evidence(self, cats: dict[str, float], segments, seg_lex, agenda: dict | None = None,
                  sent=None) -> dict[str, list[dict]]:
        """For each positive label, the sentences whose own score for it is highest (an agenda
        listing that named the label comes first); a sentence's score is its raw log-odds
        through the label's calibrator, as if it were the whole article."""
        positive = [i for i, label in enumerate(self.labels) if cats[label] >= 0.5]
        if not positive:
            return {}
        if sent is not None:
            spans, scores = sent
            row_of = {i: i for i in positive}
        else:  # the pooling needed no sentence scores: compute the positive labels' only
            spans, scores = self._sentence_scores(segments, seg_lex, positive)
            row_of = {i: r for r, i in enumerate(positive)}
        out = {}
        agenda = agenda or {}
        for i in positive:
            label = self.labels[i]
            # Python floats (exact copies of the float32 scores): numpy scalar indexing per
            # sentence cost more than the sort.
            row = scores[row_of[i]].tolist()
            # stable sort on the score alone: ties keep text order, as before
            order = sorted(range(len(spans)), key=lambda j: -row[j])[: self.cfg["max_evidence"]]
            ev = [{"start": spans[j][0], "end": spans[j][1],
                   "score": round(float(decision_score(self.calibrators[label](row[j]), self.thresholds[label])), 3)}
                  for j in order]
            if label in agenda:
                start, end = agenda[label]
                ev = [{"start": start, "end": end, "score": AGENDA_SCORE, "rule": "agenda"}] + [
                    e for e in ev if e["start"] != start][: self.cfg["max_evidence"] - 1]
            out[label] = ev
        return out

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp=None,
                   lexicon_path: str | None = None, dev_path: str | None = None):
        """Fit the classifier on the training examples and tune per-label thresholds.

        get_examples: The training examples (spaCy's [corpora.train]).
        lexicon_path (str): JSON {label: [terms]} for the keyword prior (configs/a4p_lexicon.json).
        dev_path (str): A DocBin of dev documents: the calibrators, thresholds and borderline
            bands are fitted on them (without dev: identity calibration, threshold 0.5, no band).
        """
        from .themes_fit import fit  # scikit-learn only at training time

        if lexicon_path:
            self.set_lexicon(srsly.read_json(lexicon_path))
        else:
            self.set_lexicon({})
        # Docs without theme labels (external NER corpora) carry no evidence about A4P areas, and
        # copies (in-domain data upsampled for the NER) must not weigh twice.
        train_docs, seen = [], set()
        for eg in get_examples():
            if eg.reference.cats and eg.reference.text not in seen:
                seen.add(eg.reference.text)
                train_docs.append(eg.reference)
        dev_docs = None
        if dev_path:
            from spacy.tokens import DocBin

            dev_docs = [d for d in DocBin().from_disk(dev_path).get_docs(nlp.vocab) if d.cats]
            # Dev Docs are scored as the pipeline will score them: split into sentences by the
            # pipeline's own sentencizer (sentence pooling and evidence depend on it).
            splitter = _sentence_splitter(nlp)
            if splitter is not None:
                dev_docs = [splitter(d) for d in dev_docs]
        fit(self, train_docs, dev_docs)

    def set_lexicon(self, lexicon: dict) -> None:
        """lexicon: {"keywords": {label: [terms]}, "titles": {label: [area names]}}."""
        self.lexicon = {part: {label: list(lexicon.get(part, {}).get(label, [])) for label in self.labels}
                        for part in ("keywords", "titles")}
        self._lex_norm = {label: [normalize(t) for t in terms] for label, terms in self.lexicon["keywords"].items()}
        terms = sorted({t for ts in self._lex_norm.values() for t in ts if t}, key=len, reverse=True)
        self._lex_any = re.compile("|".join(map(re.escape, terms))) if terms else None
        self._titles_norm = {label: [normalize(t) for t in terms] for label, terms in self.lexicon["titles"].items()}

    def score(self, examples, **kwargs):
        return self.scorer(examples, labels=list(self.labels), **kwargs)

    # ---------------------------------------------------------------- serialization
    def to_disk(self, path, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.coef is None:
            raise ValueError(f"'{self.name}' is not initialized; nothing to save.")
        keep = np.flatnonzero(np.any(self.coef != 0, axis=0))
        np.savez_compressed(path / "model.npz", cols=keep.astype(np.int32),
                            W=self.coef[:, keep].astype(np.float16), intercept=self.intercept.astype(np.float32),
                            idf=self.idf.astype(np.float16))
        srsly.write_json(path / "cfg.json", {
            "format": FORMAT_VERSION, "labels": list(self.labels), "thresholds": self.thresholds,
            "calibrators": {l: self.calibrators[l].to_dict() for l in self.labels}, "bands": self.bands,
            "cfg": self.cfg, "versions": self.versions,
        })
        srsly.write_json(path / "lexicon.json", self.lexicon)

    def from_disk(self, path, exclude=tuple()):
        path = Path(path)
        cfg = srsly.read_json(path / "cfg.json")
        if cfg.get("format") not in READABLE_FORMATS:
            raise ValueError(f"{path}: A4P model format {cfg.get('format')} is not one of {READABLE_FORMATS}; retrain.")
        if list(cfg.get("labels", self.labels)) != list(self.labels):
            raise ValueError(f"{path}: A4P model labels {cfg.get('labels')} differ from {list(self.labels)}; retrain.")
        self.cfg.update(cfg["cfg"])
        self.cfg.setdefault("pooling", "doc")
        self._feature_cache = {}
        self._norm_cache = {}
        self._pair_cache = {}
        self.thresholds = cfg["thresholds"]
        # Format 2 had no calibrators: its thresholds are on the linear models' own probability,
        # which is the identity calibrator's output.
        self.calibrators = {l: Calibrator.from_dict(cfg.get("calibrators", {}).get(l, {})) for l in self.labels}
        self.bands = {l: list(cfg.get("bands", {}).get(l, [0.5, 0.5])) for l in self.labels}
        self.versions = cfg.get("versions", {})
        _warn_versions(self.versions, path)
        with np.load(path / "model.npz") as z:
            n_feat = self.n_hash + len(self.labels)
            coef = np.zeros((len(self.labels), n_feat), dtype=np.float32)
            coef[:, z["cols"]] = z["W"].astype(np.float32)
            self.coef = coef
            self.intercept = z["intercept"].astype(np.float32)
            self.idf = z["idf"].astype(np.float32)
        self.set_lexicon(srsly.read_json(path / "lexicon.json"))
        return self

    def to_bytes(self, exclude=tuple()):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            self.to_disk(tmp)
            return srsly.msgpack_dumps({f.name: f.read_bytes() for f in Path(tmp).iterdir()})

    def from_bytes(self, data, exclude=tuple()):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            for name, content in srsly.msgpack_loads(data).items():
                (Path(tmp) / name).write_bytes(content)
            return self.from_disk(tmp)


def _sentence_splitter(nlp):
    """The pipeline's first sentence-boundary component, or None."""
    if nlp is None:
        return None
    for name, proc in nlp.pipeline:
        if "sentencizer" in name or "senter" in name:
            return proc
    return None


def _warn_versions(saved: dict, path) -> None:
    from importlib.metadata import PackageNotFoundError, version

    for pkg, v in saved.items():
        try:
            now = version(pkg)
        except PackageNotFoundError:
            continue
        if now.split(".")[:2] != str(v).split(".")[:2]:
            warnings.warn(f"{path}: A4P model was fitted with {pkg} {v}, running {now}; scores may differ.", stacklevel=2)
