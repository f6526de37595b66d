"""Flat tables from annotation records, for spreadsheets and data frames (docs/tables.md).

One run writes four tables into one folder: `articles` (one row per article: id, meta, each
area's score, label and borderline flag), `mentions` (one row per entity mention), `actors` (one
row per actor per article, with its mention count) and `evidence` (one row per evidence sentence).
CSV is UTF-8 with a byte-order mark, so Excel shows Arabic without an import dialog; Parquet
(optional, `pip install 'arpk-nlp[parquet]'`) keeps the column types.

Fields added to the record format later (v1 additions: `meta`, `a4p.borderline`,
`evidence[*].text`, `entities[*].candidates`) are optional here: absent means an empty cell.
"""
from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Iterable

from .pipeline.labels import A4P_LABELS

TABLE_FORMATS = ("csv", "parquet")
TABLES = ("articles", "mentions", "actors", "evidence")

# Columns of the articles table that are not meta; a meta key equal to one of them is written
# as `meta_<key>` so nothing is overwritten.
ARTICLE_FIXED = (["id", "source", "labels", "borderline", "n_mentions", "n_actors"]
                 + [f"{kind}_{a}" for a in A4P_LABELS for kind in ("score", "label", "borderline")])
MENTION_COLUMNS = ["article", "start", "end", "label", "text", "actor", "name_ar", "name_en", "role", "affiliation",
                   "candidates"]
ACTOR_COLUMNS = ["article", "actor", "type", "name_ar", "name_en", "mentions"]
EVIDENCE_COLUMNS = ["article", "area", "start", "end", "score", "text"]
# The preferred order of well-known meta keys; others follow in first-seen order.
META_FIRST = ("date", "outlet", "title", "url")
LIST_SEP = "|"

INT_COLUMNS = {"start", "end", "mentions", "n_mentions", "n_actors"} | {f"label_{a}" for a in A4P_LABELS} \
    | {f"borderline_{a}" for a in A4P_LABELS}
FLOAT_COLUMNS = {"score"} | {f"score_{a}" for a in A4P_LABELS}


class TableError(Exception):
    """The tables cannot be written or read: reported as one line."""


def meta_column(key: str) -> str:
    return f"meta_{key}" if key in ARTICLE_FIXED else key


def _cell(value):
    """Meta values that are not text or numbers (lists, objects) become JSON text."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def article_row(rec: dict) -> dict:
    a4p = rec.get("a4p") or {}
    scores = a4p.get("scores") or {}
    labels = a4p.get("labels") or []
    borderline = a4p.get("borderline")  # None: the model did not say (older records)
    row = {"id": rec.get("id"), "source": rec.get("source")}
    for key, value in (rec.get("meta") or {}).items():
        row[meta_column(key)] = _cell(value)
    row["labels"] = LIST_SEP.join(labels)
    row["borderline"] = LIST_SEP.join(borderline) if borderline is not None else None
    row["n_mentions"] = len(rec.get("entities") or [])
    row["n_actors"] = len(rec.get("actors") or [])
    for a in A4P_LABELS:
        row[f"score_{a}"] = scores.get(a)
        row[f"label_{a}"] = int(a in labels)
        row[f"borderline_{a}"] = None if borderline is None else int(a in borderline)
    return row


def mention_rows(rec: dict) -> list[dict]:
    names = {a["id"]: a for a in rec.get("actors") or []}
    rows = []
    for e in rec.get("entities") or []:
        known = names.get(e.get("actor")) or {}
        cands = e.get("candidates")
        rows.append({
            "article": rec.get("id"), "start": e["start"], "end": e["end"], "label": e["label"], "text": e.get("text"),
            "actor": e.get("actor"), "name_ar": known.get("name_ar"), "name_en": known.get("name_en"),
            "role": e.get("role"), "affiliation": e.get("affiliation"),
            "candidates": LIST_SEP.join(f"{c['id']}={c['score']}" for c in cands) if cands else None,
        })
    return rows


def actor_rows(rec: dict) -> list[dict]:
    return [{"article": rec.get("id"), "actor": a["id"], "type": a.get("type"), "name_ar": a.get("name_ar"),
             "name_en": a.get("name_en"), "mentions": a.get("mentions")} for a in rec.get("actors") or []]


def evidence_rows(rec: dict, text: str | None = None) -> list[dict]:
    rows = []
    evidence = (rec.get("a4p") or {}).get("evidence") or {}
    for area in [a for a in A4P_LABELS if a in evidence] + [a for a in evidence if a not in A4P_LABELS]:
        for ev in evidence[area]:
            sent = ev.get("text")
            if sent is None and text is not None:
                sent = text[ev["start"]:ev["end"]]
            rows.append({"article": rec.get("id"), "area": area, "start": ev["start"], "end": ev["end"],
                         "score": ev.get("score"), "text": sent})
    return rows


class TableWriter:
    """Records → the four tables in `folder` (created if missing), one article at a time.

    Nothing is visible until `finish()`: each table is written to a temporary file in the folder
    and moved into place at the end, so a failed run leaves the old tables as they were. The
    articles table is held in memory (its meta columns are known only at the end: one small row
    per article); the others are streamed to disk as CSV.
    """

    def __init__(self, folder: Path, fmt: str = "csv"):
        if fmt not in TABLE_FORMATS:
            raise TableError(f"table format must be one of {', '.join(TABLE_FORMATS)}, not {fmt!r}")
        if fmt == "parquet":
            _require_pyarrow()
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise TableError(f"{folder}: is a file; tables go into a folder (-o DIR)")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise TableError(f"{folder}: cannot create folder ({err.strerror})") from None
        self.folder, self.fmt = folder, fmt
        self.articles: list[dict] = []
        self.meta_columns: list[str] = []
        self._streams = {}
        self._tmp: list[Path] = []
        for name, columns in (("mentions", MENTION_COLUMNS), ("actors", ACTOR_COLUMNS), ("evidence", EVIDENCE_COLUMNS)):
            f = self._tempfile(name)
            w = csv.DictWriter(f, fieldnames=columns)
            w.writeheader()
            self._streams[name] = (f, w)

    def _tempfile(self, name: str):
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".arpk-tmp")
        except OSError as err:
            raise TableError(f"{self.folder}: cannot write ({err.strerror})") from None
        self._tmp.append(Path(tmp))
        _plain_mode(fd)
        # utf-8-sig: the byte-order mark that makes Excel read the file as UTF-8
        return os.fdopen(fd, "w", encoding="utf-8-sig", newline="")

    def add(self, rec: dict, text: str | None = None) -> None:
        row = article_row(rec)
        for key in row:
            if key not in ARTICLE_FIXED and key not in self.meta_columns:
                self.meta_columns.append(key)
        self.articles.append(row)
        try:
            self._streams["mentions"][1].writerows(mention_rows(rec))
            self._streams["actors"][1].writerows(actor_rows(rec))
            self._streams["evidence"][1].writerows(evidence_rows(rec, text))
        except OSError as err:
            raise TableError(f"{self.folder}: cannot write ({err.strerror})") from None

    def article_columns(self) -> list[str]:
        first = [meta_column(k) for k in META_FIRST if meta_column(k) in self.meta_columns]
        meta = first + [c for c in self.meta_columns if c not in first]
        return ["id", *meta, *ARTICLE_FIXED[1:]]

    def finish(self) -> list[Path]:
        """Write the tables into place; RETURNS their paths (articles, mentions, actors, evidence)."""
        try:
            for f, _ in self._streams.values():
                f.close()
            with self._tempfile("articles") as f:
                w = csv.DictWriter(f, fieldnames=self.article_columns())
                w.writeheader()
                w.writerows(self.articles)
            tmp = dict(zip(("mentions", "actors", "evidence", "articles"), self._tmp))
            out = []
            for name in TABLES:
                final = self.folder / f"{name}.{self.fmt}"
                if self.fmt == "parquet":
                    _csv_to_parquet(tmp[name], final)
                else:
                    os.replace(tmp[name], final)
                out.append(final)
            return out
        except OSError as err:
            raise TableError(f"{self.folder}: cannot write ({err.strerror})") from None
        finally:
            self.discard()

    def discard(self) -> None:
        for f, _ in self._streams.values():
            f.close()
        for p in self._tmp:
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        self._tmp = []


def write_tables(records: Iterable[dict], folder: Path, fmt: str = "csv", texts: Iterable[str] | None = None) -> list[Path]:
    """Write the four tables for `records` into `folder`; RETURNS their paths."""
    writer = TableWriter(folder, fmt)
    try:
        for rec, text in zip(records, texts if texts is not None else _nones()):
            writer.add(rec, text)
        return writer.finish()
    finally:
        writer.discard()


def write_articles_csv(records: Iterable[dict], stream) -> None:
    """The articles table alone, to a text stream (for `-f csv` to stdout)."""
    rows = [article_row(r) for r in records]
    meta: list[str] = []
    for row in rows:
        meta += [k for k in row if k not in ARTICLE_FIXED and k not in meta]
    first = [meta_column(k) for k in META_FIRST if meta_column(k) in meta]
    columns = ["id", *first, *[c for c in meta if c not in first], *ARTICLE_FIXED[1:]]
    stream.write("\ufeff")
    w = csv.DictWriter(stream, fieldnames=columns, lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)


def _plain_mode(fd: int) -> None:
    """mkstemp makes 0600 files; tables should get the mode a plain open() gives."""
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)


def _nones():
    while True:
        yield None


def _require_pyarrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise TableError("Parquet needs pyarrow: pip install 'arpk-nlp[parquet]' (or use -f csv)") from None


def _typed(column: str, values: list[str]):
    """CSV text → the column's type (empty cell → null)."""
    if column in INT_COLUMNS:
        return [int(v) if v != "" else None for v in values]
    if column in FLOAT_COLUMNS:
        return [float(v) if v != "" else None for v in values]
    return [v if v != "" else None for v in values]


def _csv_to_parquet(src: Path, dest: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with open(src, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        cols = list(zip(*reader)) or [() for _ in header]
    arrays, fields = [], []
    for name, values in zip(header, cols):
        typ = pa.int64() if name in INT_COLUMNS else pa.float64() if name in FLOAT_COLUMNS else pa.string()
        arrays.append(pa.array(_typed(name, list(values)), type=typ))
        fields.append(pa.field(name, typ))
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".arpk-tmp")
    _plain_mode(fd)
    os.close(fd)
    try:
        pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ---- reading the tables back into records (for `arpk-nlp report`) ----------------------------

def read_tables(folder: Path) -> list[dict]:
    """Records rebuilt from the tables in `folder` (CSV, or Parquet when pyarrow is there).

    What the tables hold comes back: id, source, meta, scores, labels, borderline, entities,
    actors and evidence (with its text). Meta values come back as text (CSV has no types).
    """
    folder = Path(folder)
    ext = "csv" if (folder / "articles.csv").exists() else "parquet" if (folder / "articles.parquet").exists() else None
    if ext is None:
        raise TableError(f"{folder}: no articles.csv or articles.parquet")
    tables = {name: _read_table(folder / f"{name}.{ext}") if (folder / f"{name}.{ext}").exists() else []
              for name in TABLES}
    by_id: dict[str, dict] = {}
    records = []
    for row in tables["articles"]:
        rec = _record_from_row(row)
        records.append(rec)
        by_id[rec["id"]] = rec
    for row in tables["mentions"]:
        rec = by_id.get(row["article"])
        if rec is None:
            continue
        ent = {"start": int(row["start"]), "end": int(row["end"]), "label": row["label"], "text": row["text"] or "",
               "actor": row["actor"] or None}
        for key in ("role", "affiliation"):
            if row.get(key):
                ent[key] = row[key]
        if row.get("candidates"):
            ent["candidates"] = [{"id": i, "score": float(s)} for i, _, s in
                                 (c.rpartition("=") for c in row["candidates"].split(LIST_SEP))]
        rec["entities"].append(ent)
    for row in tables["actors"]:
        rec = by_id.get(row["article"])
        if rec is not None:
            rec["actors"].append({"id": row["actor"], "type": row["type"], "name_ar": row["name_ar"],
                                  "name_en": row["name_en"] or None, "mentions": int(row["mentions"] or 0)})
    for row in tables["evidence"]:
        rec = by_id.get(row["article"])
        if rec is not None:
            rec["a4p"]["evidence"].setdefault(row["area"], []).append(
                {"start": int(row["start"]), "end": int(row["end"]), "score": float(row["score"] or 0), "text": row["text"] or ""})
    return records


def _read_table(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        _require_pyarrow()
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        return [{k: ("" if v is None else v) for k, v in r.items()} for r in rows]
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise TableError(f"{path}: cannot read ({err})") from None


def _record_from_row(row: dict) -> dict:
    def num(v):
        return None if v in ("", None) else float(v)

    meta = {}
    for key, value in row.items():
        if key in ARTICLE_FIXED or value in ("", None):
            continue
        if key.startswith("meta_") and key[5:] in ARTICLE_FIXED:
            key = key[5:]
        meta[key] = value
    borderline = row.get("borderline")
    a4p = {"labels": [a for a in A4P_LABELS if str(row.get(f"label_{a}")) == "1"],
           "scores": {a: num(row.get(f"score_{a}")) for a in A4P_LABELS},
           "evidence": {}}
    if any(row.get(f"borderline_{a}") not in ("", None) for a in A4P_LABELS):
        a4p["borderline"] = [a for a in A4P_LABELS if str(row.get(f"borderline_{a}")) == "1"]
    elif borderline:
        a4p["borderline"] = borderline.split(LIST_SEP)
    return {"schema": "arpk_nlp.annotation.v1", "id": str(row["id"]), "source": row.get("source") or "", "meta": meta,
            "a4p": a4p, "entities": [], "actors": []}
