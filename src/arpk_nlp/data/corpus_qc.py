"""Corpus consistency check: the same string should be annotated the same way everywhere.

Flags (1) a surface annotated with different labels, (2) a surface annotated with different
actor ids, (3) a token-aligned occurrence of an annotated surface left unannotated elsewhere,
(4) actor ids the registry does not know. Each flag is a place to look, not a verdict: `الصحراء`
as a desert and as Western Sahara legitimately differ.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from ..pipeline.registry import key
from ..pipeline.tokenizer import split_words

# Ministries and similar bodies carry a per-country id by design (corpus README).
_PER_COUNTRY_ORG_SUFFIXES = ("-mfa", "-mod", "-moi", "-moj", "-police", "-army", "-pm", "-presidency", "-parliament")


def _token_starts(text: str):
    words, spaces = split_words(text)
    pos, out = 0, []
    for w, sp in zip(words, spaces):
        if not w.isspace():
            out.append((pos, pos + len(w)))
        pos += len(w) + int(sp)
    return out


def check(records: list[dict], known_ids: set[str] | None = None, min_chars: int = 3) -> dict:
    labels = defaultdict(Counter)
    ids = defaultdict(Counter)
    where = defaultdict(list)
    for rec in records:
        for sp in rec["spans"]:
            surf = rec["text"][sp["start"] : sp["end"]]
            k = key(surf)
            labels[k][sp["label"]] += 1
            if sp.get("actor"):
                ids[k][sp["actor"]] += 1
            where[k].append(rec["id"])
    label_conflicts = {k: dict(c) for k, c in labels.items() if len(c) > 1}
    id_conflicts = {}
    for k, c in ids.items():
        if len(c) > 1 and not all(a.endswith(_PER_COUNTRY_ORG_SUFFIXES) for a in c):
            id_conflicts[k] = dict(c)

    # Unannotated occurrences: token sequences equal (after normalization) to an annotated surface.
    annotated = {k for k in labels if len(k) >= min_chars}
    by_first = defaultdict(set)
    for k in annotated:
        by_first[k.split(" ")[0]].add(k)
    missed = defaultdict(list)
    for rec in records:
        text = rec["text"]
        covered = set()
        for sp in rec["spans"]:
            covered.update(range(sp["start"], sp["end"]))
        toks = _token_starts(text)
        tok_keys = [key(text[s:e]) for s, e in toks]
        for i, (s, _e) in enumerate(toks):
            cands = by_first.get(tok_keys[i])
            if not cands or s in covered:
                continue
            for k in cands:
                n = k.count(" ") + 1
                if i + n <= len(toks) and " ".join(tok_keys[i : i + n]) == k:
                    end = toks[i + n - 1][1]
                    if not covered.intersection(range(s, end)):
                        missed[k].append(rec["id"])
    unknown = Counter()
    if known_ids is not None:
        for c in ids.values():
            for a, n in c.items():
                if a not in known_ids:
                    unknown[a] += n
    return {
        "label_conflicts": label_conflicts,
        "id_conflicts": id_conflicts,
        "unannotated": {k: {"annotated": sum(labels[k].values()), "unannotated_in": v} for k, v in missed.items()},
        "unknown_ids": dict(unknown.most_common()),
    }
