"""The actor registry: typed records (scispacy's KB `Entity` style) and their alias index."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

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

    @classmethod
    def from_dict(cls, d: dict) -> "Actor":
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        for k in ("start", "end"):
            if known.get(k) is not None:
                known[k] = str(known[k])
        return cls(**known)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}

    def surfaces(self) -> list[str]:
        out = [self.name_ar, *self.aliases]
        if self.acronym:
            out.append(self.acronym)
        return [s for s in out if s]


def read_registry(path: str | Path) -> list[Actor]:
    """Actors from a JSONL file or a folder of JSONL files; ids must be unique."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
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
def key(text: str) -> str:
    """The lookup key of a surface: normalized, words joined by one space, edge punctuation off."""
    s = normalize(text)
    s = s.replace("-", " ").replace("–", " ").replace("ـ", "")
    s = "".join(c for c in s if c.isalnum() or c.isspace() or c in "()")
    return " ".join(s.split())


def variants(surface: str) -> set[str]:
    """Keys a surface is written as in news: itself, with/without the article, ج/غ swapped."""
    base = key(surface)
    if not base:
        return set()
    out = {base}
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


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.ar.stop_words import STOP_WORDS

    return frozenset(key(w) for w in STOP_WORDS)


class AliasIndex:
    """Normalized key → actor ids. Exact keys (from the registry text) win over generated ones."""

    def __init__(self, actors: Iterable[Actor]):
        self.actors = {a.id: a for a in actors}
        self.exact: dict[str, list[str]] = {}
        self.generated: dict[str, list[str]] = {}
        for a in self.actors.values():
            for s in a.surfaces():
                k = key(s)
                if k:
                    _add(self.exact, k, a.id)
                for v in variants(s):
                    if v != k:
                        _add(self.generated, v, a.id)

    def get(self, k: str) -> list[str]:
        return self.exact.get(k) or self.generated.get(k) or []

    def __len__(self) -> int:
        return len(set(self.exact) | set(self.generated))


def _add(index: dict, k: str, actor_id: str) -> None:
    ids = index.setdefault(k, [])
    if actor_id not in ids:
        ids.append(actor_id)
