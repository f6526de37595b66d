"""The DuckDB store of an annotated archive: tables an analyst can query with SQL.

The tables follow the flat tables of `tables.py` (the CSV/Parquet outputs), column for column,
with two changes that a database needs: every row carries the `model_version` that produced it
(re-annotating with another model adds rows beside the old ones instead of replacing them), and
the articles table has fixed columns (`date` as a DATE, `outlet`, `title`, `url`) plus the whole
`meta` as JSON instead of one column per meta key. One more table, `areas`, holds the A4P areas
in long form (one row per article and area), so "by area" is a GROUP BY.

Resuming: an article is done when a row with its id, its text's hash and the model version is in
`articles`. An id is an article's identity across the archive: `stored` looks a chunk of ids up
(through an index on `articles.id`: without it each lookup scans every id of the store, 340 ms
per lookup at 5 million rows against 23-48 ms with it), so the job never holds every id in memory.

Each batch is written in one transaction (all its tables at once), so a crash or a `kill -9`
loses at most the batch in flight and never leaves part of an article: DuckDB rolls an
unfinished transaction back when it opens the file again.

One process writes (DuckDB allows one writer per file): in a Dask run, the client.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from .pipeline.labels import A4P_LABELS
from .tables import ACTOR_COLUMNS, EVIDENCE_COLUMNS, MENTION_COLUMNS, actor_rows, article_row, evidence_rows, mention_rows

STORE_SCHEMA = 1
DEFAULT_MEMORY = "1GB"  # DuckDB's own default is 80 % of RAM, which its buffer cache fills as the store grows
META_COLUMNS = ("date", "outlet", "title", "url")  # the well-known meta keys, as columns

_TYPES = {"start": "INTEGER", "end": "INTEGER", "mentions": "INTEGER", "n_mentions": "INTEGER",
          "n_actors": "INTEGER", "words": "INTEGER", "score": "DOUBLE", "label": "VARCHAR", "run": "INTEGER",
          "date": "DATE", "annotated_at": "TIMESTAMP"}
for _a in A4P_LABELS:
    _TYPES.update({f"score_{_a}": "DOUBLE", f"label_{_a}": "INTEGER", f"borderline_{_a}": "INTEGER"})

ARTICLE_COLUMNS = (["model_version", "id", "text_hash", "shard", "source", *META_COLUMNS, "meta", "words",
                    "labels", "borderline", "n_mentions", "n_actors"]
                   + [f"{kind}_{a}" for a in A4P_LABELS for kind in ("score", "label", "borderline")]
                   + ["run", "annotated_at"])
AREA_COLUMNS = ["model_version", "article", "area", "score", "label", "borderline"]
TABLE_COLUMNS = {
    "articles": ARTICLE_COLUMNS,
    "areas": AREA_COLUMNS,
    "mentions": ["model_version", *MENTION_COLUMNS],
    "actors": ["model_version", *ACTOR_COLUMNS],
    "evidence": ["model_version", *EVIDENCE_COLUMNS],
}
_AREA_TYPES = {"score": "DOUBLE", "label": "INTEGER", "borderline": "INTEGER"}
RESULT_TABLES = tuple(TABLE_COLUMNS)


class StoreError(Exception):
    """The database cannot be opened or written: reported as one line."""


def _col_type(table: str, col: str) -> str:
    if table == "areas" and col in _AREA_TYPES:
        return _AREA_TYPES[col]
    if table == "evidence" and col == "score":
        return "DOUBLE"
    if col == "meta":
        return "JSON"
    return _TYPES.get(col, "VARCHAR")


def _ddl() -> list[str]:
    out = ["CREATE TABLE IF NOT EXISTS store_info (key VARCHAR, value VARCHAR)"]
    for table, cols in TABLE_COLUMNS.items():
        body = ", ".join(f'"{c}" {_col_type(table, c)}' for c in cols)
        out.append(f"CREATE TABLE IF NOT EXISTS {table} ({body})")
    out.append("CREATE TABLE IF NOT EXISTS errors (run INTEGER, shard VARCHAR, source VARCHAR, article VARCHAR, "
               "message VARCHAR, reported_at TIMESTAMP)")
    out.append("CREATE TABLE IF NOT EXISTS runs (run INTEGER, model_version VARCHAR, model VARCHAR, inputs VARCHAR, "
               "started TIMESTAMP, finished TIMESTAMP, stored INTEGER, skipped INTEGER, bad INTEGER, status VARCHAR)")
    # the lookups of `Store.stored`; IF NOT EXISTS also adds it to a store made before it existed
    out.append("CREATE INDEX IF NOT EXISTS articles_id ON articles (id)")
    return out


class Store:
    """A DuckDB file holding annotated articles of one or more model versions."""

    def __init__(self, path: str | Path, read_only: bool = False, memory_limit: str | None = DEFAULT_MEMORY,
                 threads: int | None = None):
        """memory_limit: DuckDB's cap on its memory (buffer cache, joins, sorts: what does not fit
        spills to `<db>.tmp`), e.g. "1GB"; None: DuckDB's default. threads: DuckDB's threads (None:
        one per core)."""
        import duckdb

        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError(f"{path}: no such database")
        if not read_only and not self.path.parent.exists():
            raise StoreError(f"{path}: folder {self.path.parent} does not exist")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as err:
            raise StoreError(f"{path}: cannot open ({_first_line(err)})") from None
        try:
            if memory_limit is not None:
                self.con.execute(f"SET memory_limit = '{_sql_text(memory_limit)}'")
            if threads is not None:
                self.con.execute(f"SET threads = {int(threads)}")
        except duckdb.Error as err:
            self.con.close()
            raise StoreError(f"--db-memory {memory_limit!r}: {_first_line(err)}") from None
        if not read_only:
            self.con.execute("BEGIN TRANSACTION")  # a new store is created whole or not at all
            for stmt in _ddl():
                self.con.execute(stmt)
            if not self.con.execute("SELECT 1 FROM store_info WHERE key = 'schema'").fetchone():
                self.con.execute("INSERT INTO store_info VALUES ('schema', ?)", [str(STORE_SCHEMA)])
            self.con.execute("COMMIT")
        elif not self.con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'store_info'").fetchone():
            self.con.close()
            raise StoreError(f"{path}: not an arpk-nlp archive store")
        self.run: int | None = None

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- runs -------------------------------------------------------------------------------

    def start_run(self, model_version: str, model: str, inputs: Iterable[str]) -> int:
        self.run = self.con.execute("SELECT coalesce(max(run), 0) + 1 FROM runs").fetchone()[0]
        self.con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, now(), NULL, 0, 0, 0, 'running')",
                         [self.run, model_version, model, json.dumps([str(i) for i in inputs], ensure_ascii=False)])
        return self.run

    def finish_run(self, status: str, skipped: int) -> None:
        self.con.execute("UPDATE runs SET finished = now(), status = ?, skipped = ? WHERE run = ?",
                         [status, skipped, self.run])

    # ---- resuming ---------------------------------------------------------------------------

    def stored(self, model_version: str, ids: list[str]) -> dict[str, list[tuple[str, str, str]]]:
        """{id: [(shard, source, text hash), ...]} of those of `ids` this model version stored.

        A literal IN list, which DuckDB answers from the index on `articles.id`; a join against
        the ids (`IN (SELECT unnest(?))`) scans the whole column instead."""
        out: dict[str, list[tuple[str, str, str]]] = {}
        if not ids:
            return out
        marks = ", ".join("?" * len(ids))
        rows = self.con.execute(f"SELECT id, shard, source, text_hash FROM articles WHERE id IN ({marks}) "
                                "AND model_version = ?", [*ids, model_version]).fetchall()
        for art_id, shard, source, digest in rows:
            out.setdefault(art_id, []).append((shard, source, digest))
        return out

    # ---- writing ----------------------------------------------------------------------------

    def write_batch(self, model_version: str, results: list[tuple], bad: list, replace: Iterable[str] = ()) -> None:
        """Store one batch in one transaction.

        results: (Article, record) pairs; bad: BadArticle-like objects (source, shard, id, message);
        replace: ids whose older rows of this model version go (their text changed)."""
        import pyarrow as pa

        rows: dict[str, list[dict]] = {t: [] for t in TABLE_COLUMNS}
        for art, rec in results:
            rec.setdefault("meta", art.meta)
            rows["articles"].append(self._article(model_version, art, rec))
            rows["areas"] += _area_rows(model_version, rec)
            for table, fn in (("mentions", mention_rows), ("actors", actor_rows)):
                rows[table] += [{"model_version": model_version, **r} for r in fn(rec)]
            rows["evidence"] += [{"model_version": model_version, **r} for r in evidence_rows(rec, art.text)]
        replace = list(replace)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            if replace:
                for table in RESULT_TABLES:
                    key = "id" if table == "articles" else "article"
                    con.execute(f"DELETE FROM {table} WHERE model_version = ? AND {key} IN (SELECT unnest(?))",
                                [model_version, replace])  # rare (a changed text): a scan is fine
            for table, cols in TABLE_COLUMNS.items():
                if not rows[table]:
                    continue
                staged = pa.Table.from_pylist(rows[table], schema=_arrow_schema(table, cols))  # noqa: F841 (read by SQL)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged")
            if bad:
                con.executemany("INSERT INTO errors VALUES (?, ?, ?, ?, ?, now())",
                                [[self.run, b.shard, b.source, b.id, b.message] for b in bad])
            con.execute("UPDATE runs SET stored = stored + ?, bad = bad + ? WHERE run = ?", [len(results), len(bad), self.run])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _article(self, model_version: str, art, rec: dict) -> dict:
        row = article_row(rec)
        meta = rec.get("meta") or {}
        out = {c: row.get(c) for c in ARTICLE_COLUMNS if c in row}
        out.update({"model_version": model_version, "id": art.id, "text_hash": art.text_hash, "shard": art.shard,
                    "source": art.source, "meta": json.dumps(meta, ensure_ascii=False), "words": art.words,
                    "run": self.run, "annotated_at": _now()})
        for key in META_COLUMNS:
            value = meta.get(key)
            out[key] = None if value is None else str(value)
        out["date"] = _date(meta.get("date"))
        return out

    # ---- reading ----------------------------------------------------------------------------

    def model_versions(self) -> list[str]:
        """Model versions in the store, the latest run's first."""
        rows = self.con.execute("SELECT model_version, max(run) AS r FROM runs GROUP BY 1 ORDER BY r DESC").fetchall()
        return [r[0] for r in rows]

    def count(self, table: str = "articles", model_version: str | None = None) -> int:
        if model_version is None:
            return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return self.con.execute(f"SELECT count(*) FROM {table} WHERE model_version = ?", [model_version]).fetchone()[0]

    def export_parquet(self, folder: str | Path) -> list[Path]:
        """Each table as <folder>/<table>.parquet (written beside, then moved into place)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for table in (*RESULT_TABLES, "errors", "runs"):
            final = folder / f"{table}.parquet"
            tmp = folder / f".{table}.parquet.{os.getpid()}.tmp"
            self.con.execute(f"COPY (SELECT * FROM {table}) TO '{_sql_str(tmp)}' (FORMAT parquet)")
            os.replace(tmp, final)
            out.append(final)
        return out


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _area_rows(model_version: str, rec: dict) -> list[dict]:
    a4p = rec.get("a4p") or {}
    scores, labels = a4p.get("scores") or {}, set(a4p.get("labels") or [])
    borderline = a4p.get("borderline")
    return [{"model_version": model_version, "article": rec.get("id"), "area": a, "score": scores.get(a),
             "label": int(a in labels), "borderline": None if borderline is None else int(a in borderline)}
            for a in A4P_LABELS]


def _date(value) -> str | None:
    """An ISO date (the first 10 characters of an ISO date or timestamp), or None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


_ARROW_CACHE: dict[str, object] = {}


def _arrow_schema(table: str, cols: list[str]):
    import pyarrow as pa

    if table not in _ARROW_CACHE:
        kinds = {"INTEGER": pa.int64(), "DOUBLE": pa.float64(), "VARCHAR": pa.string(), "JSON": pa.string(),
                 "DATE": pa.string(), "TIMESTAMP": pa.timestamp("us")}
        _ARROW_CACHE[table] = pa.schema([pa.field(c, kinds[_col_type(table, c)]) for c in cols])
    return _ARROW_CACHE[table]


def _sql_text(value: str) -> str:
    return str(value).replace("'", "''")


def _sql_str(p: Path) -> str:
    return str(p).replace("'", "''")


def _first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0]
