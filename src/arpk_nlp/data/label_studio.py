"""Label Studio tasks and exports ↔ corpus records (ANNOTATION.md §1). Pure functions, no I/O.

The labelling interface is configs/label_studio.xml; the names below must match it:
- `label` (Labels on `text`): one region per entity span, value.labels = [LABEL];
- `actor` (TextArea, perRegion): the region's actor id, stored as a result with the region's id;
- `a4p` (Choices, multiple): the positive A4P areas of the article.

Offsets: Label Studio counts characters as JavaScript does, in UTF-16 code units; the corpus
counts code points. They differ only for characters outside the BMP (emoji, some symbols), and
both directions are converted here so such a text survives the round trip.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from ..pipeline.labels import A4P_LABELS, ENTITY_LABELS

TEXT, LABEL, ACTOR, A4P = "text", "label", "actor", "a4p"
ID_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass
class Problem:
    """One thing wrong with one task of an export: `where` names the file and task."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# --- offsets ------------------------------------------------------------------------------


def _utf16_len(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def to_utf16(text: str, i: int) -> int:
    """Code-point offset → UTF-16 offset (Label Studio's)."""
    return i + sum(1 for ch in text[:i] if ord(ch) > 0xFFFF)


def from_utf16(text: str, j: int) -> int | None:
    """UTF-16 offset → code-point offset; None if `j` falls inside a surrogate pair or past the end."""
    units = 0
    for i, ch in enumerate(text):
        if units == j:
            return i
        units += _utf16_len(ch)
        if units > j:
            return None
    return len(text) if units == j else None


# --- ids ----------------------------------------------------------------------------------


def corpus_id(raw: str, text: str) -> str:
    """A valid corpus id (lower-case ASCII, digits, '-') from an input's id; a hash of the text
    when nothing ASCII is left (an Arabic file name)."""
    slug = ID_CHARS.sub("-", str(raw).lower()).strip("-")
    return slug or "a-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _region_id(k: int) -> str:
    return f"e{k}"


# --- records → tasks ----------------------------------------------------------------------


def _entity_results(text: str, spans: list[dict]) -> list[dict]:
    out = []
    for k, sp in enumerate(sorted(spans, key=lambda s: (s["start"], s["end"]))):
        value = {"start": to_utf16(text, sp["start"]), "end": to_utf16(text, sp["end"]), "text": text[sp["start"] : sp["end"]]}
        rid = _region_id(k)
        label = {"id": rid, "from_name": LABEL, "to_name": TEXT, "type": "labels", "value": {**value, "labels": [sp["label"]]}}
        if sp.get("score") is not None:
            label["score"] = sp["score"]
        out.append(label)
        if sp.get("actor"):
            out.append(
                {"id": rid, "from_name": ACTOR, "to_name": TEXT, "type": "textarea", "value": {**value, "text": [sp["actor"]]}}
            )
    return out


def _a4p_result(labels: list[str], score: float | None = None) -> list[dict]:
    if not labels:
        return []
    res = {"id": "a4p", "from_name": A4P, "to_name": TEXT, "type": "choices", "value": {"choices": list(labels)}}
    if score is not None:
        res["score"] = score
    return [res]


def a4p_hint(scores: dict[str, float]) -> str:
    """The line shown above the A4P choices: the model's scores, best first (0.5 = threshold)."""
    return "Model A4P scores (on at ≥ 0.50): " + ", ".join(
        f"{label} {scores[label]:.2f}" for label in sorted(scores, key=lambda x: -scores[x])
    )


def task_data(rid: str, text: str, meta: dict, scores: dict[str, float] | None) -> dict:
    scores = scores or {}
    return {
        "id": rid,
        "text": text,
        "meta": dict(meta),
        "a4p_scores": dict(scores),
        "a4p_hint": a4p_hint(scores) if scores else "No model scores (annotated article)",
    }


def prediction_task(rec: dict, text: str, meta: dict | None = None, model_version: str = "arpk-ar") -> dict:
    """A Label Studio task pre-annotated with the model's output.

    rec (dict): An `arpk_nlp.annotation.v1` record (annotate's output) for `text`; entities may
        carry a `confidence` (tasks select adds it), shown as the region's score.
    text (str): The article text the record's offsets index.
    meta (dict): The article's metadata (date, source, url, ...), kept in `data.meta`.
    """
    scores = rec["a4p"]["scores"]
    spans = [
        {"start": e["start"], "end": e["end"], "label": e["label"], "actor": e.get("actor"), "score": e.get("confidence")}
        for e in rec["entities"]
    ]
    # The prediction's own score: how sure the model is of its A4P decisions (1 = all far from 0.5).
    sure = min((abs(s - 0.5) * 2 for s in scores.values()), default=1.0)
    result = _entity_results(text, spans) + _a4p_result(rec["a4p"]["labels"], round(sure, 4))
    meta = dict(meta if meta is not None else rec.get("meta") or {})
    rid = corpus_id(rec["id"], text)
    return {
        "data": task_data(rid, text, meta, scores),
        "predictions": [{"model_version": model_version, "score": round(sure, 4), "result": result}],
    }


def annotation_task(rec: dict) -> dict:
    """A Label Studio task carrying a corpus record as a finished annotation (for re-correction,
    or to test that the round trip is lossless)."""
    meta = {k: v for k, v in rec.get("meta", {}).items() if k != "split"}
    labels = [label for label in A4P_LABELS if rec.get("cats", {}).get(label)]
    result = _entity_results(rec["text"], rec.get("spans", [])) + _a4p_result(labels)
    return {"data": task_data(rec["id"], rec["text"], meta, None), "annotations": [{"result": result}]}


# --- exports → records --------------------------------------------------------------------


def _pick_annotation(task: dict) -> dict | None:
    """The annotation that counts: the latest one not cancelled (ground truth first)."""
    anns = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    if not anns:
        return None
    return max(anns, key=lambda a: (bool(a.get("ground_truth")), str(a.get("updated_at") or ""), a.get("id") or 0))


def record_from_task(task, where: str, split: str) -> tuple[dict | None, list[Problem]]:
    """One exported task → a corpus record, or None with the problems (None, [] when the task
    has no annotation yet: it is skipped, not an error)."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        return None, [Problem(where, "not a Label Studio task (no 'data' object)")]
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        return None, [Problem(where, "task has no article text in data.text")]
    ann = _pick_annotation(task)
    if ann is None:
        return None, []
    rid = str(data.get("id") or f"ls-{task.get('id', '')}")
    where = f"{where} ({rid})"
    problems: list[Problem] = []
    if unicodedata.normalize("NFC", text) != text:
        problems.append(Problem(where, "text is not NFC (normalize it before creating the tasks)"))
    regions: dict[str, dict] = {}
    actors: dict[str, str] = {}
    actors_by_pos: dict[tuple[int, int], str] = {}
    positives: set[str] = set()
    for res in ann.get("result") or []:
        if not isinstance(res, dict):
            problems.append(Problem(where, "result entry is not an object"))
            continue
        name, value = res.get("from_name"), res.get("value") or {}
        if name == LABEL:
            labels = value.get("labels") or []
            if len(labels) != 1:
                problems.append(Problem(where, f"region {res.get('id')} has {len(labels)} labels, expected one"))
                continue
            regions[str(res.get("id"))] = value
        elif name == ACTOR:
            given = " ".join(str(t) for t in value.get("text") or []).strip()
            if given:
                actors[str(res.get("id"))] = given
                if "start" in value and "end" in value:
                    actors_by_pos[(value["start"], value["end"])] = given
        elif name == A4P:
            for choice in value.get("choices") or []:
                if choice not in A4P_LABELS:
                    problems.append(Problem(where, f"unknown A4P choice {choice!r}"))
                positives.add(choice)
        else:
            problems.append(
                Problem(where, f"result from unknown control {name!r} (is the project using configs/label_studio.xml?)")
            )
    spans = []
    for region_id, value in regions.items():
        label = value["labels"][0]
        try:
            s16, e16 = int(value["start"]), int(value["end"])
        except (KeyError, TypeError, ValueError):
            problems.append(Problem(where, f"region {region_id} ({label}) has no start/end offsets"))
            continue
        s, e = from_utf16(text, s16), from_utf16(text, e16)
        if s is None or e is None or not s < e:
            problems.append(Problem(where, f"region {region_id} ({label}) has offsets {s16}-{e16} outside the text"))
            continue
        if "text" in value and value["text"] != text[s:e]:
            problems.append(
                Problem(where, f"region {region_id}: {value['text']!r} is not the text at {s16}-{e16} ({text[s:e]!r})")
            )
            continue
        if label not in ENTITY_LABELS:
            problems.append(Problem(where, f"unknown label {label!r} on {text[s:e]!r}"))
        span = {"start": s, "end": e, "label": label}
        actor = actors.get(region_id) or actors_by_pos.get((s16, e16))
        if actor:
            span["actor"] = actor
        spans.append(span)
    spans.sort(key=lambda sp: (sp["start"], sp["end"]))
    meta = {k: str(v) for k, v in (data.get("meta") or {}).items() if k in ("date", "source", "genre", "url") and v}
    meta["split"] = split
    record = {
        "id": rid,
        "text": text,
        "spans": spans,
        "cats": {label: int(label in positives) for label in A4P_LABELS},
        "meta": meta,
    }
    return (None if problems else record), problems


def record_from_annotation_v1(obj, where: str, split: str) -> tuple[dict | None, list[Problem]]:
    """One JSONL line → a corpus record: an `arpk_nlp.annotation.v1` object (annotate's output,
    with the article's `text` added) or an ANNOTATION.md record (`spans`, `cats`)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return None, [Problem(where, "neither a Label Studio task (no 'data') nor a record with the article's 'text'")]
    text = obj["text"]
    rid = str(obj.get("id") or "")
    if not rid:
        return None, [Problem(where, "no 'id'")]
    if "spans" in obj:  # already an ANNOTATION.md record
        spans = [
            {k: v for k, v in sp.items() if k in ("start", "end", "label", "actor") and v is not None}
            for sp in obj.get("spans") or []
        ]
        cats = {label: int(bool((obj.get("cats") or {}).get(label))) for label in A4P_LABELS}
    else:
        spans = [
            {k: v for k, v in e.items() if k in ("start", "end", "label", "actor") and v is not None}
            for e in obj.get("entities") or []
        ]
        on = set((obj.get("a4p") or {}).get("labels") or [])
        cats = {label: int(label in on) for label in A4P_LABELS}
    problems = []
    for e in obj.get("entities") or []:
        if isinstance(e, dict) and "text" in e and text[e.get("start", 0) : e.get("end", 0)] != e["text"]:
            problems.append(Problem(where, f"entity {e['text']!r} is not the text at {e.get('start')}-{e.get('end')}"))
    meta = {k: str(v) for k, v in (obj.get("meta") or {}).items() if k in ("date", "source", "genre", "url") and v}
    meta["split"] = split
    rec = {"id": rid, "text": text, "spans": sorted(spans, key=lambda s: (s["start"], s["end"])), "cats": cats, "meta": meta}
    return (None if problems else rec), problems
