"""`arpk_gazetteer`: registry names the NER missed, added as entities.

Arabic has no capital letters to mark names, so a CNN misses rare foreign names (`سوه ووك`) and
mission acronyms it never saw. This component matches registry names token by token on
normalized text (attached proclitics allowed on the first token) and adds the matches that do not
overlap an entity the NER already found. Which actor types it adds is a config choice, kept only
where it raised gold F1 (README).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import srsly
from spacy.attrs import IS_SPACE, NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from .normalize import normalize, strip_proclitics
from .registry import read_registry, variants
from .tokenizer import split_words


@Language.factory(
    "arpk_gazetteer",
    assigns=["doc.ents"],
    default_config={"types": ["PERSON", "MISSION"], "min_tokens": {"PERSON": 2}, "propagate": [], "surnames": False,
                    "imported": False},
)
def make_gazetteer(nlp, name, types: list[str], min_tokens: dict[str, int], propagate: list[str], surnames: bool,
                   imported: bool):
    return Gazetteer(name, types=types, min_tokens=min_tokens, propagate=propagate, surnames=surnames,
                     imported=imported)


def _norm_tokens(text: str) -> tuple[str, ...]:
    words, _ = split_words(text)
    return tuple(normalize(w).replace("-", "") for w in words if not w.isspace() and w not in "-–")


class Gazetteer:
    def __init__(self, name="arpk_gazetteer", *, types=("PERSON", "MISSION"), min_tokens=None,
                 propagate=(), surnames=False, imported=False):
        self.name = name
        # imported: also match imported/generated registry records (`source` set); off by default.
        self.cfg = {"types": list(types), "min_tokens": dict(min_tokens or {}),
                    "propagate": list(propagate), "surnames": surnames, "imported": imported}
        self.patterns: dict[tuple[str, ...], str] = {}
        self._max_len: dict[str, int] = {}
        self._start_cache: dict[str, list[tuple[str, int]]] = {}
        self._readings: dict[str, list[str]] = {}  # word → its proclitic readings (all docs)
        self._clean_norms: dict[int, str] = {}  # NORM id → the norm without hyphens (all docs)

    def set_actors(self, actors) -> None:
        self.patterns = {}
        self.add_actors(actors)

    def add_actors(self, actors) -> None:
        """Add the names of more actors (a user registry at load time) to the patterns."""
        from .registry import _stop_words

        stop = _stop_words()
        types = set(self.cfg["types"])
        for a in actors:
            # Imported and generated records (`source` set: thousands of GeoNames cities) serve
            # linking only: as patterns they would tag common words that are also town names.
            if a.type not in types or (a.source and not self.cfg.get("imported", False)):
                continue
            for surface in a.surfaces():
                for v in variants(surface, a.type) | {surface}:
                    toks = _norm_tokens(v)
                    if len(toks) < self.cfg["min_tokens"].get(a.type, 1) or not toks:
                        continue
                    if len("".join(toks)) < 3 or (len(toks) == 1 and toks[0] in stop):
                        continue  # `لولا` (Lula) is also "if not"
                    self.patterns.setdefault(toks, a.type)
        self._max_len = {}
        self._start_cache: dict[str, list[tuple[str, int]]] = {}
        for toks in self.patterns:
            self._max_len[toks[0]] = max(self._max_len.get(toks[0], 0), len(toks))

    def __call__(self, doc: Doc) -> Doc:
        if not self.patterns and not self.cfg.get("propagate"):
            return doc
        # Word tokens only (spaces, newlines and hyphens skipped), as the patterns were built.
        # Read through one array call: creating Token objects costs more than the matching.
        strings = doc.vocab.strings
        orth, norm, space = doc.to_array([ORTH, NORM, IS_SPACE]).T
        # Skipped: whitespace, and words that are part of "-–" (`-`, `–`), found by their ids.
        keep = (space == 0) & ~np.isin(orth, self._dash_ids(strings))
        idx = np.flatnonzero(keep).tolist()
        clean = self._clean_norms
        if len(clean) > 200_000:
            clean.clear()
        norms = []
        for n in norm[keep].tolist():
            # A word's norm without hyphens, cached by the norm's id: news vocabulary repeats.
            w = clean.get(n)
            if w is None:
                w = clean[n] = strings[n].replace("-", "")
            norms.append(w)
        ents = list(doc.ents)
        taken = {t for e in ents for t in range(e.start, e.end)}
        # The pattern starts of each word, read from the cache in one pass (a method call per
        # word cost more than the lookups); unseen words are filled in after.
        get = self._start_cache.get
        begins = [get(n) for n in norms]
        for j, b in enumerate(begins):
            if b is None:
                begins[j] = self._starts(norms[j])
        added = self._match(doc, idx, norms, begins, taken, self.patterns)
        if self.cfg.get("propagate"):
            if added:
                ents = sorted(ents + added, key=lambda s: s.start)
            added += self._propagate(doc, ents, idx, norms, taken)
        if added:
            doc.ents = sorted(list(doc.ents) + added, key=lambda s: s.start)
        return doc

    @staticmethod
    def _dash_ids(strings) -> np.ndarray:
        # The ids of every string `in "-–"` (its substrings): the words the patterns skip.
        return np.array([strings[w] for w in ("", "-", "–", "-–")], dtype=np.uint64)

    @staticmethod
    def _match(doc, idx, norms, begins, taken, patterns) -> list[Span]:
        """Longest pattern match at each word not already inside an entity (marks `taken`).
        begins[j]: the (first token, longest length) of the patterns word j may begin."""
        new = []
        for j, firsts in enumerate(begins):
            if not firsts:
                continue  # most words begin no pattern
            match = None
            for first, n_max in firsts:
                for n in range(min(n_max, len(idx) - j), 0, -1):
                    toks = (first, *norms[j + 1 : j + n])
                    label = patterns.get(toks)
                    if label:
                        match = (idx[j], idx[j + n - 1] + 1, label)
                        break
                if match:
                    break
            if match and not taken.intersection(range(match[0], match[1])):
                new.append(Span(doc, match[0], match[1], label=match[2]))
                taken.update(range(match[0], match[1]))
        return new

    def _propagate(self, doc, ents, idx, norms, taken) -> list[Span]:
        """A name the article's own entities already contain, repeated where nothing was found:
        news names a person in full once and then repeats the name or the surname alone
        (`مسعود البارزاني` … `البارزاني`), and the NER misses some repeats."""
        from .registry import _stop_words

        types = set(self.cfg["propagate"])
        pos = {i: j for j, i in enumerate(idx)}
        local: dict[tuple[str, ...], str] = {}
        stop = _stop_words()
        for e in ents:
            if e.label_ not in types:
                continue
            toks = tuple(norms[pos[t]] for t in range(e.start, e.end) if t in pos)
            if not toks or len("".join(toks)) < 3 or (len(toks) == 1 and toks[0] in stop):
                continue
            local.setdefault(toks, e.label_)
            if self.cfg.get("surnames") and e.label_ == "PERSON" and len(toks) >= 2:
                last = toks[-1]
                if len(last) >= 3 and last not in stop:
                    local.setdefault((last,), "PERSON")
        if not local:
            return []
        max_len: dict[str, int] = {}
        for toks in local:
            max_len[toks[0]] = max(max_len.get(toks[0], 0), len(toks))

        readings = self._readings
        firsts = max_len.keys()

        def starts(norm):
            rs = readings.get(norm)
            if rs is None:
                rs = strip_proclitics(norm)
                if len(readings) < 200_000:
                    readings[norm] = rs
            if firsts.isdisjoint(rs):
                return ()  # the common case, decided without building a list
            return [(r, max_len[r]) for r in rs if r in max_len]

        return self._match(doc, idx, norms, [starts(n) for n in norms], taken, local)

    def _starts(self, norm: str) -> list[tuple[str, int]]:
        """Readings of a word (proclitics off) that begin a pattern, with its longest length;
        cached, since news vocabulary repeats."""
        hit = self._start_cache.get(norm)
        if hit is None:
            hit = [(r, self._max_len[r]) for r in strip_proclitics(norm) if r in self._max_len]
            if len(self._start_cache) < 200_000:
                self._start_cache[norm] = hit
        return hit

    def pipe(self, docs, batch_size=128):
        for doc in docs:
            yield self(doc)

    def initialize(self, get_examples=None, *, nlp=None, registry_path: str | None = None):
        if registry_path:
            # The hand-curated names only (see add_actors): imported aliases include town names
            # that are common words.
            self.set_actors(read_registry(registry_path, supplementary=self.cfg.get("imported", False)))

    def to_disk(self, path, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self.cfg)
        srsly.write_jsonl(path / "patterns.jsonl", [{"tokens": list(k), "label": v} for k, v in self.patterns.items()])

    def from_disk(self, path, exclude=tuple()):
        path = Path(path)
        self.cfg = srsly.read_json(path / "cfg.json")
        self._load_patterns(srsly.read_jsonl(path / "patterns.jsonl"))
        return self

    def _load_patterns(self, rows) -> None:
        self.patterns = {tuple(r["tokens"]): r["label"] for r in rows}
        self._max_len = {}
        self._start_cache: dict[str, list[tuple[str, int]]] = {}
        for toks in self.patterns:
            self._max_len[toks[0]] = max(self._max_len.get(toks[0], 0), len(toks))

    def to_bytes(self, exclude=tuple()):
        return srsly.msgpack_dumps({"cfg": self.cfg, "patterns": [{"tokens": list(k), "label": v} for k, v in self.patterns.items()]})

    def from_bytes(self, data, exclude=tuple()):
        d = srsly.msgpack_loads(data)
        self.cfg = d["cfg"]
        self._load_patterns(d["patterns"])
        return self
