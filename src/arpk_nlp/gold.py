"""Gold files for `evaluate`: every record checked before scoring, each problem one line.

A gold record (ANNOTATION.md §1) needs a non-empty string `text`, a list `spans` of objects with
integer `start` < `end` inside the text, a known `label` and an optional string `actor`, spans
that do not overlap and fall on token boundaries of the pipeline's tokenizer (otherwise they
cannot be scored), and `cats` with 0/1 for the A4P labels. A bad record is reported with its
line and left out; the others are scored.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .inputs import first_line, safe_name
from .pipeline.labels import A4P_LABELS, ENTITY_LABELS


def read_gold(path: Path, make_doc: Callable | None = None) -> tuple[list[dict], list[str]]:
    """RETURNS (valid records, problems). make_doc: the pipeline's tokenizer, for the alignment
    check (skipped without it)."""
    records, problems = [], []
    shown = safe_name(path)
    try:
        f = Path(path).open("rb")
    except OSError as err:
        return [], [f"{shown}: cannot read ({err.strerror})"]
    with f:
        for n, raw in enumerate(f, 1):  # binary lines end at b"\n" only
            if not raw.strip():
                continue
            where = f"{shown}:{n}"
            try:
                rec = json.loads(raw.decode("utf-8-sig"))
            except UnicodeDecodeError as err:
                problems.append(f"{where}: not UTF-8 (invalid byte at column {err.start + 1})")
                continue
            except ValueError as err:
                problems.append(f"{where}: not valid JSON ({getattr(err, 'msg', None) or first_line(err)})")
                continue
            problem = check_record(rec, make_doc)
            if problem:
                rid = rec.get("id") if isinstance(rec, dict) and isinstance(rec.get("id"), str) else None
                problems.append(f"{where}{f' ({rid})' if rid else ''}: {problem}")
            else:
                records.append(rec)
    return records, problems


def check_record(rec, make_doc: Callable | None = None) -> str | None:
    """The first problem of one gold record, or None."""
    if not isinstance(rec, dict):
        return f"expected a JSON object, got {type(rec).__name__}"
    for key in ("text", "spans", "cats"):
        if key not in rec:
            return f"missing key {key!r}"
    text = rec["text"]
    if not isinstance(text, str) or not text.strip():
        return "'text' must be a non-empty string"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "'text' holds a lone surrogate (not valid Unicode)"
    if not isinstance(rec["spans"], list):
        return f"'spans' must be a list, got {type(rec['spans']).__name__}"
    if not isinstance(rec["cats"], dict):
        return f"'cats' must be an object, got {type(rec['cats']).__name__}"
    for label, v in rec["cats"].items():
        if label not in A4P_LABELS:
            return f"'cats' has an unknown label {label!r}"
        if v not in (0, 1):
            return f"'cats'.{label} must be 0 or 1, not {v!r}"
    spans = []
    for i, sp in enumerate(rec["spans"]):
        if not isinstance(sp, dict):
            return f"span {i}: expected an object, got {type(sp).__name__}"
        s, e = sp.get("start"), sp.get("end")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (s, e)):
            return f"span {i}: 'start' and 'end' must be integers"
        if not 0 <= s < e <= len(text):
            return f"span {i}: {s}-{e} is outside the text (0-{len(text)}) or empty"
        if sp.get("label") not in ENTITY_LABELS:
            return f"span {i} ({s}-{e}): unknown label {sp.get('label')!r}"
        if sp.get("actor") is not None and not isinstance(sp["actor"], str):
            return f"span {i} ({s}-{e}): 'actor' must be a string or null"
        spans.append((s, e, i))
    spans.sort()
    for (s1, e1, i1), (s2, e2, i2) in zip(spans, spans[1:], strict=False):
        if s2 < e1:
            return f"spans {i1} ({s1}-{e1}) and {i2} ({s2}-{e2}) overlap"
    if make_doc is not None and spans:
        doc = make_doc(text)
        for s, e, i in spans:
            if doc.char_span(s, e) is None:
                return f"span {i} ({s}-{e} {text[s:e]!r}) is not on token boundaries"
    return None
