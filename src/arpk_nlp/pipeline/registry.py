"""The actor registry: typed records (scispacy's KB `Entity` style) and their alias index."""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from .labels import ACTOR_PREFIX
from .normalize import normalize

# Foreign names reach Arabic through Egyptian (ج = g) and Levantine/Gulf (غ = g) spellings;
# both are generated so a registry entry needs only one.
_SWAPS = (("غ", "ج"), ("ج", "غ"))


@dataclass
class Actor:
    id: str
    type: str
    name_ar: str
    name_en: str
    aliases: list[str] = field(default_factory=list)
    acronym: str | None = None
    role: str | None = None
    role_en: str | None = None
    affiliation: str | None = None
    start: str | None = None
    end: str | None = None
    predecessor: str | None = None
    successor: str | None = None
    parent: str | None = None
    # Where a mission is deployed (place ids); derived from its names when absent (missions.py).
    hosts: list[str] = field(default_factory=list)
    # Names an imported record added to a curated one: they link, but never move or relabel a span.
    imported_aliases: list[str] = field(default_factory=list)
    # A state body's kind (`mfa`, `mod`, `armed-forces`, `police`), with `parent` the state.
    institution: str | None = None
    # Provenance of imported or generated records (hand-curated ones leave these empty).
    source: str | None = None
    licence: str | None = None
    version: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> Actor:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        for k in ("start", "end"):
            if known.get(k) is not None:
                known[k] = str(known[k])
        return cls(**known)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}

    def surfaces(self) -> list[str]:
        out = [*self.curated_surfaces(), *self.imported_aliases]
        return [s for s in out if s]

    def curated_surfaces(self) -> list[str]:
        """The record's own names (all of them for an imported record: `source` says so)."""
        out = [self.name_ar, *self.aliases]
        if self.acronym:
            out.append(self.acronym)
        return [s for s in out if s]


def read_registry(path: str | Path, *, supplementary: bool = True) -> list[Actor]:
    """Actors from a JSONL file or a folder of JSONL files.

    In a folder, the top-level files are the hand-curated registry (ids unique); files in
    subfolders (`imported/`, `generated/`) are supplementary: a record whose id the curated
    registry already holds only adds its new aliases (hand-curated entries stay authoritative).
    """
    path = Path(path)
    if not path.is_dir():
        return _read_files([path])
    curated = _read_files(sorted(path.glob("*.jsonl")))
    if not supplementary:
        return curated
    extra = _read_files(sorted(f for f in path.rglob("*.jsonl") if f.parent != path))
    return merge_actors(curated, extra, override=False)


def read_supplementary(path: str | Path) -> list[Actor]:
    """The imported/generated records of a registry folder (its subfolders' files) only."""
    path = Path(path)
    if not path.is_dir():
        return []
    return _read_files(sorted(f for f in path.rglob("*.jsonl") if f.parent != path))


def merge_actors(base: list[Actor], extra: list[Actor], *, override: bool) -> list[Actor]:
    """`base` plus `extra`. A record of `extra` with a known id replaces it when `override`
    (a user's registry at load time), else only contributes aliases the known record lacks."""
    out = {a.id: a for a in base}
    for a in extra:
        known = out.get(a.id)
        if known is None or override:
            out[a.id] = a
            continue
        have = {key(s) for s in known.surfaces()}
        new = [s for s in a.surfaces() if key(s) not in have]
        # Fields the curated record leaves empty are filled (`institution`, `hosts` …).
        filled = {k: v for k, v in a.to_dict().items() if k not in ("id", "type", "name_ar", "name_en", "aliases",
                                                                   "imported_aliases", "source", "licence", "version")
                  and getattr(known, k) in (None, [])}
        if new or filled:
            out[a.id] = Actor.from_dict({**known.to_dict(), **filled,
                                         "imported_aliases": known.imported_aliases + new})
    return list(out.values())


def _read_files(files: list[Path]) -> list[Actor]:
    actors, seen = [], {}
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                actor = Actor.from_dict(json.loads(line))
            except (json.JSONDecodeError, TypeError) as err:
                raise ValueError(f"{f}:{n}: bad actor record: {err}") from None
            if actor.id in seen:
                raise ValueError(f"{f}:{n}: duplicate actor id {actor.id} (also {seen[actor.id]})")
            prefix = actor.id.split(":", 1)[0]
            if ACTOR_PREFIX.get(prefix) != actor.type:
                raise ValueError(f"{f}:{n}: id {actor.id} does not fit type {actor.type}")
            seen[actor.id] = f"{f.name}:{n}"
            actors.append(actor)
    return actors


@lru_cache(maxsize=200_000)
def unlinked_id(text: str) -> str:
    """The stable id of a mention the registry does not hold: `unlinked:` + its normalized key,
    words joined by `_` (the raw surface only when normalization leaves nothing)."""
    return "unlinked:" + (key(text).replace(" ", "_") or text)


@lru_cache(maxsize=100_000)
def key(text: str) -> str:
    """The lookup key of a surface: normalized, words joined by one space, edge punctuation off;
    Latin letters lose their accents (`António` = `antonio`). Cached: refinement and linking ask
    for the keys of the same news words and spans again and again (a quarter of their time
    before; the cache is bounded, so memory stays flat on an archive)."""
    s = normalize(text)
    if any("\u00c0" <= c <= "\u024f" for c in s):
        s = "".join(unicodedata.normalize("NFKD", c)[0] if "\u00c0" <= c <= "\u024f" else c for c in s)
    s = s.replace("-", " ").replace("–", " ").replace("ـ", "")
    s = "".join(c for c in s if c.isalnum() or c.isspace() or c in "()")
    return " ".join(s.split())


def variants(surface: str, actor_type: str | None = None) -> set[str]:
    """Keys a surface is written as in news: itself, with/without the article, ج/غ swapped;
    for a mission's one-word Arabic acronym also its press spellings (`acronym_variants`)."""
    base = key(surface)
    if not base:
        return set()
    out = {base}
    if actor_type == "MISSION" and " " not in base and not base.isascii():
        out |= acronym_variants(base.removeprefix("ال") if len(base) > 5 else base)
    first, _, rest = base.partition(" ")
    if first.startswith("ال") and len(first) > 3:
        out.add((first[2:] + " " + rest).strip())
    elif len(first) > 2 and not first.isascii():
        out.add(("ال" + first + " " + rest).strip())
    for a, b in _SWAPS:
        out |= {v.replace(a, b) for v in list(out) if a in v}
    # A generated one-word spelling must not be a function word: `الكان` (the Africa Cup) would
    # otherwise give `كان` ("was").
    return {v for v in out if v == base or v not in _stop_words()}


# Press spellings of transliterated mission acronyms (UNMISS: يونميس / أونميس / انميس; MINUSMA:
# مينوسما / مينسما / مينيسما; MINUSTAH: مينوستاه / مينوستا; AMISOM: أميصوم / أميسوم). Alef/hamza are
# already one letter after normalization; these rules add the rest.
_ACRONYM_HEADS = (("يو", "او"), ("او", "يو"), ("يو", "ا"), ("او", "ا"))
_ACRONYM_SWAPS = (("ص", "س"), ("س", "ص"), ("ط", "ت"), ("ت", "ط"))


def acronym_variants(word: str) -> set[str]:
    """Spellings of a one-word Arabic acronym, each with and without the article."""
    if len(word) < 4:
        return set()
    out = {word}
    for a, b in _ACRONYM_HEADS:
        if word.startswith(a) and len(word) - len(a) >= 3:
            out.add(b + word[len(a):])
    if word.endswith("اه"):
        out |= {word[:-1], word[:-2] + "ه"}
    elif word.endswith("ا"):
        out.add(word + "ه")
    # One long vowel written or not between consonants (مونوسكو / مونسكو), never the first
    # or last letter: that would change the acronym's shape, not its spelling.
    for w in list(out):
        for i in range(1, len(w) - 1):
            if w[i] in "وي" and len(w) >= 6:
                out.add(w[:i] + w[i + 1:])
                # …or written with the other long vowel (مينوسما / مينيسما)
                out.add(w[:i] + ("ي" if w[i] == "و" else "و") + w[i + 1:])
    for a, b in _ACRONYM_SWAPS:
        out |= {w.replace(a, b) for w in list(out) if a in w}
    out |= {"ال" + w for w in out}
    return out


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.ar.stop_words import STOP_WORDS

    return frozenset(key(w) for w in STOP_WORDS)


class AliasIndex:
    """Normalized key → actor ids. Exact keys (from the registry text) win over generated ones."""

    def __init__(self, actors: Iterable[Actor]):
        self.actors = {a.id: a for a in actors}
        self._curated: frozenset[str] | None = None
        self.exact: dict[str, list[str]] = {}
        self.generated: dict[str, list[str]] = {}
        for a in self.actors.values():
            for s in a.surfaces():
                k = key(s)
                if k:
                    _add(self.exact, k, a.id)
                for v in variants(s, a.type):
                    if v != k:
                        _add(self.generated, v, a.id)
            # The English name, for Latin-script names inside Arabic text (`… Antonio Guterres …`).
            k = key(a.name_en or "")
            if len(k) >= 4 and not any(key(s) == k for s in a.surfaces()):
                _add(self.generated, k, a.id)

    @property
    def curated_keys(self) -> frozenset[str]:
        """Keys (and rule-made variants) of hand-curated names only: what may move or relabel a
        span. Imported names (GeoNames town names that are also common words) only link."""
        if self._curated is None:
            keys = set()
            for a in self.actors.values():
                if a.source:
                    continue
                for s in a.curated_surfaces():
                    keys |= variants(s, a.type) | {key(s)}
            self._curated = frozenset(keys)
        return self._curated

    def get(self, k: str) -> list[str]:
        return self.exact.get(k) or self.generated.get(k) or []

    def __len__(self) -> int:
        return len(set(self.exact) | set(self.generated))


def _add(index: dict, k: str, actor_id: str) -> None:
    ids = index.setdefault(k, [])
    if actor_id not in ids:
        ids.append(actor_id)
