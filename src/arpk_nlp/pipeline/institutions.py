"""Bare state institutions (`الخارجية`, `الجيش`, `وزارة الدفاع`) and the article's country.

A ministry's own statement says `الخارجية` for its ministry; a report from one country says
`الجيش` for its army. Such a bare ORG span names the institution of the article's dominant state
(`org:<iso3>-mfa` …) when one state clearly dominates, else it stays unlinked with the
candidates listed.
"""
from __future__ import annotations

from collections import Counter

from .registry import key

# Bare names → the id suffix of the generated per-state institution.
BARE = {
    **{key(w): "mfa" for w in ("الخارجية", "وزارة الخارجية", "وزارة الشؤون الخارجية", "الخارجيه")},
    **{key(w): "mod" for w in ("وزارة الدفاع", "الدفاع", "وزارة الدفاع الوطني")},
    **{key(w): "armed-forces" for w in ("الجيش", "القوات المسلحة", "الجيش الوطني")},
    **{key(w): "police" for w in ("الشرطة", "الشرطة الوطنية")},
}


def state_counts(linked_ids) -> Counter:
    """Mentions per state (`gpe:` + ISO alpha-3) among the article's linked entities."""
    return Counter(i for i in linked_ids if i and i.startswith("gpe:") and len(i) == 7 and i[4:].isalpha())


def dominant_state(counts: Counter) -> str | None:
    """The state mentioned most, if strictly more than any other."""
    top = counts.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


def institution_id(state_id: str, suffix: str) -> str:
    return f"org:{state_id[4:]}-{suffix}"
