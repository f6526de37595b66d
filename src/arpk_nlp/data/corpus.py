"""The corpus: authoring files with inline marks → JSONL records (ANNOTATION.md §1) → DocBins.

Authoring format (corpus/AUTHORING.md): a header of `key: value` lines, a line `---`, then the
article with entity marks `[surface](LABEL|actor-id)`. Offsets are computed here, never by hand.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline.labels import A4P_LABELS, ACTOR_PREFIX, ENTITY_LABELS, GOLD_SPLITS, SPLITS

MARK = re.compile(r"\[([^\[\]\n]+)\]\(([A-Z_]+)(?:\|([^()\s]*))?\)")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ACTOR_RE = re.compile(r"^(person|org|gpe|loc|mission|event):[a-z0-9][a-z0-9.-]*$")
HEADER_KEYS = {"id", "split", "date", "source", "a4p", "genre", "url"}


@dataclass
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Article:
    record: dict
    path: str
    span_lines: list[int] = field(default_factory=list)  # source line of each span, for messages


def parse_article(raw: str, path: str = "<string>") -> tuple[Article | None, list[Problem]]:
    """Parse one authoring file into a record.

    raw (str): The file's text.
    path (str): Its path, for messages.
    RETURNS (tuple): The article (None if the header is unusable) and the problems found.
    """
    problems: list[Problem] = []
    lines = raw.split("\n")
    try:
        sep = lines.index("---")
    except ValueError:
        return None, [Problem(path, 1, "no '---' line separating header and text")]
    header: dict[str, str] = {}
    for i, line in enumerate(lines[:sep], 1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or key not in HEADER_KEYS:
            problems.append(Problem(path, i, f"bad header line {line!r} (keys: {', '.join(sorted(HEADER_KEYS))})"))
            continue
        header[key] = value.strip()
    for key in ("id", "split", "a4p"):
        if key not in header:
            problems.append(Problem(path, 1, f"header has no '{key}:'"))
    if "id" not in header:
        return None, problems
    body = "\n".join(lines[sep + 1 :])
    stripped = body.lstrip("\n")
    body_start_line = sep + 2 + (len(body) - len(stripped))
    body = stripped.rstrip("\n")
    body = unicodedata.normalize("NFC", body)

    # Build the text and the spans by removing the marks.
    text_parts: list[str] = []
    spans: list[dict] = []
    span_lines: list[int] = []
    pos = 0
    out_len = 0
    for m in MARK.finditer(body):
        chunk = body[pos : m.start()]
        text_parts.append(chunk)
        out_len += len(chunk)
        surface, label, actor = m.group(1), m.group(2), m.group(3)
        line_no = body_start_line + body.count("\n", 0, m.start())
        span = {"start": out_len, "end": out_len + len(surface), "label": label}
        if actor:
            span["actor"] = actor
        spans.append(span)
        span_lines.append(line_no)
        text_parts.append(surface)
        out_len += len(surface)
        pos = m.end()
    text_parts.append(body[pos:])
    text = "".join(text_parts)
    for bad in re.finditer(r"\]\(|\[[^\]]*$", text):
        line_no = body_start_line + text.count("\n", 0, bad.start())
        problems.append(Problem(path, line_no, "unparsed mark (check brackets and the (LABEL|id) part)"))

    cats = {label: 0 for label in A4P_LABELS}
    a4p = header.get("a4p", "")
    if a4p and a4p.lower() != "none":
        for label in (x.strip() for x in a4p.split(",")):
            if label not in cats:
                problems.append(Problem(path, 1, f"unknown A4P label {label!r}"))
            else:
                cats[label] = 1
    meta = {k: header[k] for k in ("source", "date", "split", "genre", "url") if k in header}
    record = {"id": header["id"], "text": text, "spans": spans, "cats": cats, "meta": meta}
    return Article(record, path, span_lines), problems


def format_article(rec: dict) -> str:
    """The authoring file for a record (the inverse of `parse_article`): header, `---`, the text
    with inline marks. Header values are single lines; callers should parse the result back and
    compare (the format cannot hold every text, e.g. one containing `](`).
    """
    cats = rec.get("cats", {})
    meta = rec.get("meta", {})
    head = {"id": rec["id"], "split": meta.get("split", ""), "date": meta.get("date"), "source": meta.get("source"),
            "url": meta.get("url"), "genre": meta.get("genre"),
            "a4p": ", ".join(label for label in A4P_LABELS if cats.get(label)) or "none"}
    lines = [f"{k}: {' '.join(str(v).split())}" for k, v in head.items() if v not in (None, "")]
    text, parts, pos = rec["text"], [], 0
    for sp in sorted(rec.get("spans", []), key=lambda s: (s["start"], s["end"])):
        parts.append(text[pos : sp["start"]])
        tail = f"|{sp['actor']}" if sp.get("actor") else ""
        parts.append(f"[{text[sp['start'] : sp['end']]}]({sp['label']}{tail})")
        pos = sp["end"]
    parts.append(text[pos:])
    return "\n".join(lines) + "\n---\n" + "".join(parts) + "\n"


def check_record(rec: dict, path: str, span_lines: list[int] | None = None) -> list[Problem]:
    """Check one record against ANNOTATION.md: offsets, token alignment, labels, overlaps, cats."""
    from ..pipeline.tokenizer import split_words

    problems = []
    text = rec.get("text", "")
    line_of = (lambda i: span_lines[i]) if span_lines else (lambda i: 1)
    if not ID_RE.match(rec.get("id", "")):
        problems.append(Problem(path, 1, f"bad id {rec.get('id')!r} (lower-case ASCII, digits, '-')"))
    if not text.strip():
        problems.append(Problem(path, 1, "empty text"))
    if unicodedata.normalize("NFC", text) != text:
        problems.append(Problem(path, 1, "text is not NFC"))
    split = rec.get("meta", {}).get("split")
    if split not in SPLITS:
        problems.append(Problem(path, 1, f"split {split!r} is not one of {', '.join(SPLITS)}"))
    cats = rec.get("cats", {})
    if sorted(cats) != sorted(A4P_LABELS) or any(v not in (0, 1) for v in cats.values()):
        problems.append(Problem(path, 1, "cats must list all eight A4P labels with 0 or 1"))
    words, spaces = split_words(text)
    starts, ends = set(), set()
    i = 0
    for w, sp in zip(words, spaces):
        if not w.isspace():
            starts.add(i)
            ends.add(i + len(w))
        i += len(w) + (1 if sp else 0)
    prev_end = -1
    for _k, span in enumerate(sorted(rec.get("spans", []), key=lambda s: (s["start"], s["end"]))):
        s, e, label = span["start"], span["end"], span["label"]
        where = line_of(rec["spans"].index(span))
        surface = text[s:e] if 0 <= s < e <= len(text) else None
        if surface is None:
            problems.append(Problem(path, where, f"span {s}-{e} out of range"))
            continue
        if label not in ENTITY_LABELS:
            problems.append(Problem(path, where, f"unknown label {label!r} on {surface!r}"))
        if s not in starts or e not in ends:
            problems.append(Problem(path, where, f"span {surface!r} is not token-aligned (a proclitic or suffix outside the mark?)"))
        if surface != surface.strip():
            problems.append(Problem(path, where, f"span {surface!r} has leading/trailing space"))
        if s < prev_end:
            problems.append(Problem(path, where, f"span {surface!r} overlaps the previous span"))
        prev_end = max(prev_end, e)
        actor = span.get("actor")
        if actor is not None:
            m = ACTOR_RE.match(actor)
            if not m:
                problems.append(Problem(path, where, f"bad actor id {actor!r} on {surface!r}"))
            elif ACTOR_PREFIX[m.group(1)] != label and not (m.group(1) == "gpe" and label == "LOC"):
                problems.append(Problem(path, where, f"actor {actor!r} does not fit label {label} on {surface!r}"))
    return problems


def find_sources(paths: list[Path] | None, root: Path) -> list[Path]:
    """The authoring files named by `paths` (files or folders), or all under root/src."""
    if not paths:
        paths = [root / "src"]
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.rglob("*.txt")))
        else:
            out.append(p)
    return out


def load_articles(files: list[Path]) -> tuple[list[Article], list[Problem]]:
    articles, problems = [], []
    for f in files:
        try:
            raw = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            problems.append(Problem(str(f), 0, f"cannot read: {err}"))
            continue
        art, probs = parse_article(raw, str(f))
        problems.extend(probs)
        if art is None:
            continue
        if art.record["id"] != f.stem:
            problems.append(Problem(str(f), 1, f"id {art.record['id']!r} differs from file name {f.stem!r}"))
        if f.parent.name in SPLITS and art.record["meta"].get("split") != f.parent.name:
            problems.append(Problem(str(f), 1, f"split {art.record['meta'].get('split')!r} but file is in {f.parent.name}/"))
        articles.append(art)
    return articles, problems


def split_records(root: Path, split: str) -> list[dict]:
    """The records of one split, straight from the authoring files (invalid files are skipped;
    run `corpus validate` to see why)."""
    return [a.record for a in load_articles(find_sources([root / "src" / split], root))[0]]


def validate(files: list[Path], *, whole_corpus: bool) -> list[Problem]:
    """All problems in the given authoring files; with `whole_corpus`, also corpus-level checks
    (unique ids, all 8 labels present per split, no gold text in train/dev)."""
    articles, problems = load_articles(files)
    for art in articles:
        problems.extend(check_record(art.record, art.path, art.span_lines))
    seen: dict[str, str] = {}
    for art in articles:
        rid = art.record["id"]
        if rid in seen:
            problems.append(Problem(art.path, 1, f"duplicate id {rid!r} (also {seen[rid]})"))
        seen[rid] = art.path
    if whole_corpus:
        problems.extend(_corpus_checks(articles))
    return problems


def _corpus_checks(articles: list[Article]) -> list[Problem]:
    problems = []
    by_split: dict[str, list[Article]] = {s: [] for s in SPLITS}
    for art in articles:
        by_split.setdefault(art.record["meta"].get("split", "?"), []).append(art)
    for split in SPLITS:
        arts = by_split[split]
        if not arts:
            if split != "gold-press":  # the press gold is optional: a fork may not have it
                problems.append(Problem(f"corpus/src/{split}", 0, "split is empty"))
            continue
        for label in A4P_LABELS:
            if not any(a.record["cats"][label] for a in arts):
                problems.append(Problem(f"corpus/src/{split}", 0, f"no article with A4P label {label}"))
    # Gold must not leak into training data: no gold paragraph (≥ 60 chars) may appear in train/dev.
    gold_paras = {}
    for art in (a for g in GOLD_SPLITS for a in by_split[g]):
        for para in art.record["text"].split("\n"):
            para = para.strip()
            if len(para) >= 60:
                gold_paras[para] = art.record["id"]
    for split in ("train", "dev"):
        for art in by_split[split]:
            for para in art.record["text"].split("\n"):
                if para.strip() in gold_paras:
                    problems.append(Problem(art.path, 1, f"paragraph copied from gold article {gold_paras[para.strip()]}"))
    return problems


def build(root: Path, out_dir: Path) -> dict[str, int]:
    """Write corpus/<split>.jsonl from the authoring files; raise if anything is invalid."""
    files = find_sources(None, root)
    problems = validate(files, whole_corpus=True)
    if problems:
        raise CorpusError(problems)
    articles, _ = load_articles(files)
    counts = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        recs = sorted((a.record for a in articles if a.record["meta"]["split"] == split), key=lambda r: r["id"])
        write_jsonl(out_dir / f"{split}.jsonl", recs)
        counts[split] = len(recs)
    return counts


class CorpusError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the corpus; first: {problems[0]}")


def write_jsonl(path: Path, records: list[dict]) -> None:
    """Write records atomically (temp file + rename), so a failure never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)


def write_json(path: Path, obj) -> None:
    """Write one JSON document atomically (temp file + rename)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_jsonl(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus_hash(root: Path) -> str:
    """sha256 over the authoring files (path + content), the corpus' identity in model meta."""
    from ..hashing import sha256_tree

    return sha256_tree(sorted(find_sources(None, root)), root)


def stats(records: list[dict]) -> dict:
    """Articles, words, mentions per label and A4P positives, per split."""
    from ..pipeline.tokenizer import split_words

    out: dict[str, dict] = {}
    for rec in records:
        split = rec.get("meta", {}).get("split", "?")
        s = out.setdefault(
            split,
            {"articles": 0, "words": 0, "none": 0, "mentions": {l: 0 for l in ENTITY_LABELS},
             "a4p": {l: 0 for l in A4P_LABELS}, "missions": set()},
        )
        s["articles"] += 1
        words, _ = split_words(rec["text"])
        s["words"] += sum(1 for w in words if any(c.isalnum() for c in w))
        for span in rec["spans"]:
            s["mentions"][span["label"]] = s["mentions"].get(span["label"], 0) + 1
            if span["label"] == "MISSION" and span.get("actor"):
                s["missions"].add(span["actor"])
        for label, v in rec["cats"].items():
            s["a4p"][label] += v
        s["none"] += int(not any(rec["cats"].values()))
    for s in out.values():
        s["missions"] = len(s["missions"])
    return out
