"""Missions as a reader resolves them: by place and date.

A generic mission name (`بعثة الأمم المتحدة في <place>`, `قوات حفظ السلام بـ<place>`) names
whichever mission was deployed there at the article's date: the same words meant MONUC in 2008
and MONUSCO in 2012. This module parses such names, knows where each mission is deployed
(`hosts` in the registry, else read from its own Arabic names) and scores the candidates.
"""
from __future__ import annotations

from .dates import interval, overlaps
from .normalize import strip_proclitics
from .registry import Actor, AliasIndex, key

# Heads of a generic mission name and the words that keep it generic (normalized keys).
_HEADS = {key(w) for w in ("بعثة", "البعثة", "قوة", "القوة", "قوات", "القوات", "عملية", "العملية", "مهمة")}
_UN = [key(w).split() for w in ("منظمة الأمم المتحدة", "الأمم المتحدة", "الأممالمتحدة", "الأممية", "الدولية",
                                  "حفظ السلام", "الأمم المتحدة لحفظ السلام", "الأممية لحفظ السلام",
                                  "الدولية لحفظ السلام")]
_IN = key("في")
# The article's own country (`بعثة الأمم المتحدة في البلاد`).
HERE = {key(w) for w in ("البلاد", "هذا البلد", "البلد")}


def generic_place(k: str) -> str | None:
    """The place words of a generic mission name (normalized key), or None if `k` is not one.

    `بعثه الامم المتحده في مالي` → `مالي`; `بعثه الامم المتحده بهايتي` → `هايتي`;
    `قوات حفظ السلام في افريقيا الوسطي` → `افريقيا الوسطي`. A name with distinctive words
    (`… لتحقيق الاستقرار في …`) is not generic: it names one mission.
    """
    words = k.split()
    if not words or not any(r in _HEADS for r in strip_proclitics(words[0])):
        return None
    rest = words[1:]
    for un in sorted(_UN, key=len, reverse=True):
        if rest[: len(un)] == un:
            rest = rest[len(un):]
            break
    else:
        return None
    if len(rest) >= 2 and rest[0] == _IN:
        return " ".join(rest[1:])
    if rest and rest[0].startswith("ب") and len(rest[0]) > 3:
        return " ".join([rest[0][1:], *rest[1:]])
    return None


class MissionResolver:
    """Host places of every mission and date-aware scoring of generic names."""

    def __init__(self, index: AliasIndex):
        self.index = index
        self.actors = index.actors
        self.direct: dict[str, set[str]] = {}
        self.hosts: dict[str, set[str]] = {}
        for a in self.actors.values():
            if a.type == "MISSION":
                places = set(a.hosts) or self._places_in_names(a)
                self.direct[a.id] = places
                self.hosts[a.id] = places | {p for pl in places for p in self._parents(pl)}
        self.by_place: dict[str, list[str]] = {}
        for mid, places in self.hosts.items():
            for p in places:
                self.by_place.setdefault(p, []).append(mid)

    def _parents(self, place: str) -> list[str]:
        out, seen = [], {place}
        a = self.actors.get(place)
        while a is not None and a.parent and a.parent not in seen and a.parent.startswith("gpe:"):
            out.append(a.parent)
            seen.add(a.parent)
            a = self.actors.get(a.parent)
        return out

    def place_ids(self, words: str) -> list[str]:
        """GPE/LOC ids the place words name (proclitics off the first word allowed)."""
        first, _, rest = words.partition(" ")
        for r in strip_proclitics(first):
            ids = [i for i in self.index.get((r + " " + rest).strip()) if self.actors[i].type in ("GPE", "LOC")]
            if ids:
                return ids
        return []

    def _places_in_names(self, a: Actor) -> set[str]:
        """Places named after `في`/`بـ`/`لـ` in a mission's own Arabic names."""
        found: set[str] = set()
        for s in a.surfaces():
            words = key(s).split()
            for i, w in enumerate(words[1:], 1):
                tail = " ".join(words[i + 1:]) if w == _IN else None
                if tail is None and w[:1] in "بل" and len(w) > 3:
                    tail = " ".join([w[1:], *words[i + 1:]])
                if tail:
                    ids = self.place_ids(tail)
                    if ids:
                        found.update(ids)
                        break
        return found

    def fits(self, mission_id: str, when: tuple[str, str] | None) -> bool | None:
        if when is None:
            return None
        a = self.actors[mission_id]
        return overlaps(interval(a.start, a.end), when)

    def date_score(self, mission_id: str, when: tuple[str, str] | None) -> float:
        """+0.3 when the mission's dates fit the article's, +0.1 within a year after its end (a
        mission winds down and is still named after its mandate ends), −0.4 otherwise; 0
        without a date."""
        if when is None:
            return 0.0
        a = self.actors[mission_id]
        lo, hi = interval(a.start, a.end)
        if overlaps((lo, hi), when):
            return 0.3
        if a.end and when[0] > hi:
            from datetime import date

            try:
                if (date.fromisoformat(when[0]) - date.fromisoformat(hi)).days <= 365:
                    return 0.1
            except ValueError:
                pass
        return -0.4

    def candidates(self, place_words: str, exact_ids: list[str], when: tuple[str, str] | None,
                   here: str | None = None) -> list[tuple[str, float]]:
        """Scored missions for a generic name, best first.

        Score (then divided by 1.15, the best possible): 0.6 when the mission is deployed in the
        named place itself (0.45 through a parent state: Darfur's mission for `السودان`), +0.25
        when the words are also one of its registry names, plus `date_score`.
        """
        if place_words in HERE:
            places = [here] if here else []
        else:
            places = self.place_ids(place_words)
        scores: dict[str, float] = {}
        for p in places:
            for mid in self.by_place.get(p, []):
                direct = p in self.direct[mid]
                scores[mid] = max(scores.get(mid, 0.0), 0.6 if direct else 0.45)
        for mid in exact_ids:
            if self.actors[mid].type == "MISSION":
                scores[mid] = scores.get(mid, 0.6) + 0.25
        for mid in scores:
            scores[mid] += self.date_score(mid, when)
        # Scaled to 0–1 (the best possible is 0.6 + 0.25 + 0.3).
        return sorted(((m, round(max(0.0, s) / 1.15, 3)) for m, s in scores.items()), key=lambda x: -x[1])


def choose(cands: list[tuple[str, float]], minimum: float = 0.6, margin: float = 0.14) -> str | None:
    """The best candidate when it is good enough and clearly ahead, else None (stay unlinked)."""
    if not cands or cands[0][1] < minimum:
        return None
    if len(cands) > 1 and cands[0][1] - cands[1][1] < margin:
        return None
    return cands[0][0]
