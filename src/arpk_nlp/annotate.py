"""`annotate`: read inputs, run the pipeline, produce OUTPUT.md records.

Inputs are read and checked before the model is used, each failure reported as one line naming
the input; the others are still processed.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .pipeline.labels import A4P_LABELS

SCHEMA = "arpk_nlp.annotation.v1"
DEFAULT_MAX_CHARS = 1_000_000


@dataclass
class Item:
    id: str
    source: str
    text: str
    # Every JSONL field besides id/text (OUTPUT.md `meta`); `date` also steers the linker.
    meta: dict = field(default_factory=dict)


class InputError(Exception):
    """A user-facing problem with one input: reported as a single line."""


def iter_inputs(paths: Iterable[str], max_chars: int = DEFAULT_MAX_CHARS, stdin=None) -> Iterator[Item | InputError]:
    """Yield an Item per article, or an InputError per bad input, in input order.

    paths: files (.txt or .jsonl), folders (their .txt/.jsonl files, sorted) or '-' for stdin.
    """
    for p in paths:
        if p == "-":
            data = (stdin or sys.stdin.buffer).read()
            yield from _items_from_bytes(data, "<stdin>", "stdin", max_chars, jsonl=_looks_jsonl(data))
            continue
        path = Path(p)
        if path.is_dir():
            files = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix in (".txt", ".jsonl"))
            if not files:
                yield InputError(f"{p}: folder has no .txt or .jsonl files")
            for f in files:
                yield from _items_from_file(f, max_chars)
        else:
            yield from _items_from_file(path, max_chars)


def _items_from_file(path: Path, max_chars: int):
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        yield InputError(f"{path}: no such file")
        return
    except IsADirectoryError:
        yield InputError(f"{path}: is a directory")
        return
    except OSError as err:
        yield InputError(f"{path}: cannot read ({err.strerror})")
        return
    yield from _items_from_bytes(data, str(path), path.stem, max_chars, jsonl=path.suffix == ".jsonl")


def _looks_jsonl(data: bytes) -> bool:
    return data.lstrip()[:1] == b"{"


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data:
        raise InputError(f"{source}: binary file (contains NUL bytes), expected UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{source}: not UTF-8 (invalid byte at offset {err.start})") from None


def _check_text(text: str, source: str, max_chars: int) -> None:
    if not text.strip():
        raise InputError(f"{source}: empty input")
    if len(text) > max_chars:
        raise InputError(f"{source}: too large ({len(text):,} characters; limit {max_chars:,}, see --max-chars)")


def _items_from_bytes(data: bytes, source: str, default_id: str, max_chars: int, jsonl: bool):
    try:
        text = _decode(data, source)
    except InputError as err:
        yield err
        return
    if not jsonl:
        try:
            _check_text(text, source, max_chars)
        except InputError as err:
            yield err
            return
        yield Item(default_id, source, text)
        return
    if not text.strip():
        yield InputError(f"{source}: empty input")
        return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield InputError(f"{where}: not valid JSON ({err.msg})")
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            yield InputError(f"{where}: expected an object with a string 'text'")
            continue
        try:
            _check_text(obj["text"], where, max_chars)
        except InputError as err:
            yield err
            continue
        meta = {k: v for k, v in obj.items() if k not in ("id", "text")}
        yield Item(str(obj.get("id", f"{default_id}-{n}")), where, obj["text"], meta)


def doc_to_record(doc, item: Item, linker=None) -> dict:
    """The OUTPUT.md object for one processed Doc."""
    cats = doc.cats or {}
    scores = {label: round(float(cats.get(label, 0.0)), 4) for label in A4P_LABELS}
    labels = [label for label in A4P_LABELS if scores[label] >= 0.5]
    evidence = doc._.a4p_evidence or {}
    entities = []
    actors: dict[str, dict] = {}
    for ent in doc.ents:
        actor_id = ent.kb_id_ or None
        rec = {"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "text": ent.text, "actor": actor_id}
        if ent._.candidates:
            rec["candidates"] = [{"id": c["id"], "score": round(c["score"], 3)} for c in ent._.candidates]
        if ent._.role:
            rec["role"] = ent._.role
        if ent._.affiliation:
            rec["affiliation"] = ent._.affiliation
        entities.append(rec)
        key = ent._.actor or actor_id or f"unlinked:{ent.text}"
        if key not in actors:
            known = linker.actors.get(actor_id) if (linker is not None and actor_id) else None
            actors[key] = {
                "id": key,
                "type": known.type if known else ent.label_,
                "name_ar": known.name_ar if known else ent.text,
                "name_en": known.name_en if known else None,
                "mentions": 0,
            }
        actors[key]["mentions"] += 1
    return {
        "schema": SCHEMA,
        "id": item.id,
        "source": item.source,
        "meta": dict(item.meta),
        "a4p": {"labels": labels, "scores": scores, "evidence": {k: v for k, v in evidence.items() if k in labels}},
        "entities": entities,
        "actors": sorted(actors.values(), key=lambda a: -a["mentions"]),
    }


def make_docs(nlp, items: Iterable[Item]):
    """Docs carrying their article's date (`Doc._.date`, OUTPUT.md `meta.date`) for the linker."""
    from .pipeline import extensions  # noqa: F401  (registers Doc._.date)

    for it in items:
        doc = nlp.make_doc(it.text)
        date = it.meta.get("date")
        doc._.date = date if isinstance(date, str) and date else None
        yield doc


def find_linker(nlp):
    """The component that holds the actor registry (`arpk_linker`, or the combined `arpk_actors`)."""
    for name in ("arpk_linker", "arpk_actors"):
        if name in nlp.pipe_names:
            return nlp.get_pipe(name)
    return None


def add_registry(nlp, actors) -> None:
    """Add or replace actors in a loaded pipeline (`annotate --registry`): the linker links them,
    the gazetteer finds their names where the NER missed them. Nothing is retrained."""
    linker = find_linker(nlp)
    if linker is not None:
        linker.add_actors(actors)
    if "arpk_gazetteer" in nlp.pipe_names:
        gaz = nlp.get_pipe("arpk_gazetteer")
        gaz.add_actors(actors)


def annotate(nlp, items: list[Item], n_process: int = 1, batch_size: int = 16, progress=None) -> list[dict]:
    """Run the pipeline over items; RETURNS the OUTPUT.md records in input order."""
    linker = find_linker(nlp)
    out = []
    docs = nlp.pipe(make_docs(nlp, items), n_process=n_process, batch_size=batch_size)
    for item, doc in zip(items, docs):
        if doc.text != item.text:  # the contract: offsets index the input as read
            raise AssertionError(f"{item.source}: tokenizer changed the text")
        out.append(doc_to_record(doc, item, linker))
        if progress is not None:
            progress(1)
    return out


def render_text(rec: dict, text: str) -> str:
    """Readable terminal summary: A4P labels with scores and one evidence sentence each; actors
    grouped by type with mention counts."""
    lines = [f"== {rec['id']}  ({rec['source']})"]
    a4p = rec["a4p"]
    if a4p["labels"]:
        lines.append("A4P areas:")
        for label in a4p["labels"]:
            ev = a4p["evidence"].get(label) or []
            sent = " ".join(text[ev[0]["start"] : ev[0]["end"]].split()) if ev else ""
            if len(sent) > 140:
                sent = sent[:137] + "..."
            lines.append(f"  {label:<27} {a4p['scores'][label]:.2f}  «{sent}»")
    else:
        lines.append("A4P areas: none")
    by_type: dict[str, list[dict]] = {}
    for a in rec["actors"]:
        by_type.setdefault(a["type"], []).append(a)
    lines.append("Actors:")
    for t in ("PERSON", "ORG", "GPE", "LOC", "MISSION", "EVENT"):
        for a in by_type.get(t, []):
            en = f" / {a['name_en']}" if a.get("name_en") else ""
            lines.append(f"  {t:<8} {a['name_ar']}{en}  [{a['id']}] ×{a['mentions']}")
    return "\n".join(lines)


def render_html(nlp, records: list[dict], texts: list[str]) -> str:
    from spacy import displacy
    from spacy.displacy.templates import TPL_ENT_RTL

    parsed = []
    for rec, text in zip(records, texts):
        title = f"{rec['id']} — A4P: {', '.join(rec['a4p']['labels']) or 'none'}"
        parsed.append({
            "text": text,
            "ents": [{"start": e["start"], "end": e["end"], "label": e["label"]} for e in rec["entities"]],
            "title": title,
            "settings": {"lang": "ar", "direction": "rtl"},
        })
    return displacy.render(parsed, style="ent", manual=True, page=True,
                           options={"template": TPL_ENT_RTL, "colors": _COLORS}, jupyter=False)


_COLORS = {"PERSON": "#aa9cfc", "ORG": "#7aecec", "GPE": "#feca74", "LOC": "#ff9561", "MISSION": "#bfe1d9", "EVENT": "#ffeb80"}
