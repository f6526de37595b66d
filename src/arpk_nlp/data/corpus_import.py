"""`corpus import`: corrected annotations (a Label Studio JSON export, or JSONL of
`arpk_nlp.annotation.v1` / ANNOTATION.md records) → authoring files in corpus/src/<split>/.

All or nothing: every article is converted, written back as an authoring file *in memory*, parsed
again and validated exactly like a hand-written article (`parse_article` + `check_record`), then
checked against the corpus (existing ids and texts, gold paragraphs). Only when no problem is left
are the files written (each to a temp file first, then renamed; a failure removes what was done).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline.labels import GOLD_SPLITS
from .corpus import Article, _corpus_checks, check_record, find_sources, format_article, load_articles, parse_article
from .label_studio import Problem, record_from_annotation_v1, record_from_task

IMPORT_SPLITS = ("train", "dev")
# The registry file a new actor of each type belongs in (configs/actors/).
REGISTRY_FILE = {
    "PERSON": "people.jsonl",
    "ORG": "organizations.jsonl",
    "LOC": "places.jsonl",
    "MISSION": "missions.jsonl",
    "EVENT": "events.jsonl",
}


@dataclass
class ImportPlan:
    files: dict[Path, str] = field(default_factory=dict)  # target path → authoring file content
    records: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # tasks nobody annotated yet
    problems: list[Problem] = field(default_factory=list)
    new_actors: list[dict] = field(default_factory=list)  # registry entries to review and add


def read_export(path: Path, split: str) -> tuple[list[dict], list[str], list[Problem]]:
    """The records in an export file, the tasks skipped (not annotated) and the problems."""
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [], [Problem(where, "no such file")]
    except UnicodeDecodeError as err:
        return [], [], [Problem(where, f"not UTF-8 (invalid byte at offset {err.start})")]
    except OSError as err:
        return [], [], [Problem(where, f"cannot read ({err.strerror})")]
    items: list[tuple[str, object]] = []
    stripped = raw.lstrip()
    if stripped.startswith("["):
        try:
            tasks = json.loads(raw)
        except json.JSONDecodeError as err:
            return [], [], [Problem(where, f"not valid JSON ({err.msg}, line {err.lineno})")]
        items = [(f"{where}: task {k + 1}", t) for k, t in enumerate(tasks)]
    elif stripped.startswith("{") and path.suffix == ".json":
        try:
            items = [(f"{where}: task 1", json.loads(raw))]
        except json.JSONDecodeError as err:
            return [], [], [Problem(where, f"not valid JSON ({err.msg}, line {err.lineno})")]
    else:
        for n, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                try:
                    items.append((f"{where}:{n}", json.loads(line)))
                except json.JSONDecodeError as err:
                    items.append((f"{where}:{n}", Problem(f"{where}:{n}", f"not valid JSON ({err.msg})")))
    if not items:
        return [], [], [Problem(where, "no tasks or records in the file")]
    records, skipped, problems = [], [], []
    for w, obj in items:
        if isinstance(obj, Problem):
            problems.append(obj)
            continue
        if isinstance(obj, dict) and "data" in obj:
            rec, probs = record_from_task(obj, w, split)
            if rec is None and not probs:
                skipped.append(f"{w} ({obj['data'].get('id', '?') if isinstance(obj['data'], dict) else '?'})")
        else:
            rec, probs = record_from_annotation_v1(obj, w, split)
        problems.extend(probs)
        if rec is not None:
            records.append(rec)
    return records, skipped, problems


def _text_key(text: str) -> str:
    return " ".join(text.split())


def plan_import(path: Path, split: str, corpus: Path, known_ids: set[str] | None = None) -> ImportPlan:
    """Everything `corpus import` would write, and every reason not to."""
    if split not in IMPORT_SPLITS:
        raise ValueError(f"--split must be one of {', '.join(IMPORT_SPLITS)} (gold splits are frozen), not {split!r}")
    plan = ImportPlan()
    records, plan.skipped, plan.problems = read_export(path, split)
    existing, _ = load_articles(find_sources([corpus / "src"], corpus))
    by_id = {a.record["id"]: a for a in existing}
    by_text = {_text_key(a.record["text"]): a for a in existing}
    seen_ids: dict[str, str] = {}
    seen_texts: dict[str, str] = {}
    new_articles: list[Article] = []
    for rec in records:
        rid = rec["id"]
        where = f"{path} ({rid})"
        target = corpus / "src" / split / f"{rid}.txt"
        if rid in by_id:
            old = by_id[rid]
            frozen = " (a frozen gold article)" if old.record["meta"].get("split") in GOLD_SPLITS else ""
            plan.problems.append(
                Problem(where, f"id already in the corpus: {old.path}{frozen}; refused (corpus articles are never overwritten)")
            )
            continue
        key = _text_key(rec["text"])
        if key in by_text:
            plan.problems.append(Problem(where, f"same text as existing article {by_text[key].path}; refused as a duplicate"))
            continue
        if rid in seen_ids or key in seen_texts:
            plan.problems.append(Problem(where, f"appears twice in the export (also {seen_ids.get(rid) or seen_texts[key]})"))
            continue
        seen_ids[rid] = seen_texts[key] = where
        crossing = [rec["text"][s["start"] : s["end"]] for s in rec["spans"] if "\n" in rec["text"][s["start"] : s["end"]]]
        if crossing:
            plan.problems.append(
                Problem(where, f"span {crossing[0]!r} crosses a line break (a name never does; split or shorten it)")
            )
            continue
        content = format_article(rec)
        art, probs = parse_article(content, str(target))
        if art is None:
            plan.problems.extend(Problem(where, p.message) for p in probs)
            continue
        lost = _differences(rec, art.record)
        if not lost and any(p.message.startswith("unparsed mark") for p in probs):
            lost = "the text contains '](' or an unclosed '[', which the format reads as a mark"
        if lost:
            plan.problems.append(Problem(where, f"cannot be written as an authoring file without loss ({lost})"))
            continue
        probs += check_record(art.record, str(target), art.span_lines)
        plan.problems.extend(Problem(f"{where}", _short(p)) for p in probs)
        if not probs:
            plan.files[target] = content
            plan.records.append(art.record)
            new_articles.append(art)
    # Gold must not leak into training data: the corpus' own check, on gold + the new articles.
    gold = [a for a in existing if a.record["meta"].get("split") in GOLD_SPLITS]
    new_paths = {a.path for a in new_articles}
    for p in _corpus_checks(gold + new_articles):
        if p.path in new_paths:
            plan.problems.append(Problem(p.path, p.message))
    if known_ids is not None:
        plan.new_actors = registry_suggestions(plan.records, known_ids)
    return plan


def _short(p) -> str:
    return f"line {p.line}: {p.message}" if p.line else p.message


def _differences(rec: dict, back: dict) -> str:
    """What the authoring-file round trip changed, '' if nothing (leading/trailing blank lines
    are dropped by the format and shift offsets only)."""
    if rec["text"].strip("\n") != back["text"]:
        return "the text contains something the format reads as a mark, e.g. '](' or '['"
    surf = lambda r: [(r["text"][s["start"] : s["end"]], s["label"], s.get("actor")) for s in r["spans"]]  # noqa: E731
    if surf(rec) != surf(back):
        return "a span's text contains '[' or ']' or a line break"
    if rec["cats"] != back["cats"]:
        return "A4P labels"
    if {k: " ".join(v.split()) for k, v in rec["meta"].items()} != back["meta"]:
        return "metadata"
    return ""


def registry_suggestions(records: list[dict], known_ids: set[str]) -> list[dict]:
    """Registry entries (configs/actors/*.jsonl) for actor ids the registry does not hold: the
    most frequent surface as name_ar, the others as aliases, name_en from the id (to review)."""
    surfaces: dict[str, Counter] = defaultdict(Counter)
    labels: dict[str, str] = {}
    for rec in records:
        for sp in rec["spans"]:
            actor = sp.get("actor")
            if actor and actor not in known_ids:
                surfaces[actor][rec["text"][sp["start"] : sp["end"]]] += 1
                labels.setdefault(actor, sp["label"])
    out = []
    for actor in sorted(surfaces):
        names = [s for s, _ in surfaces[actor].most_common()]
        slug = actor.split(":", 1)[1]
        entry = {
            "id": actor,
            "type": labels[actor],
            "name_ar": names[0],
            "name_en": " ".join(w.capitalize() for w in slug.split("-")),
            "aliases": names[1:],
        }
        if labels[actor] in ("GPE", "LOC") and actor.startswith("gpe:"):
            file = "states.jsonl" if re.fullmatch(r"gpe:[a-z]{3}", actor) else "places.jsonl"
        else:
            file = REGISTRY_FILE.get(labels[actor], "organizations.jsonl")
        out.append({"file": file, "entry": entry})
    return out


def write_import(plan: ImportPlan) -> list[Path]:
    """Write the planned files, all or nothing. RETURNS the files written."""
    if plan.problems:
        raise ValueError("refusing to write an import with problems")
    tmps: list[tuple[Path, Path]] = []
    done: list[Path] = []
    try:
        for target, content in plan.files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # appeared since planning: never overwrite
                raise FileExistsError(f"{target} exists")
            tmp = target.with_name(f".{target.name}.import-tmp")
            tmp.write_text(content, encoding="utf-8")
            tmps.append((tmp, target))
        for tmp, target in tmps:
            tmp.rename(target)
            done.append(target)
    except BaseException:
        for target in done:
            target.unlink(missing_ok=True)
        raise
    finally:
        for tmp, _ in tmps:
            tmp.unlink(missing_ok=True)
    return done
