"""`arpk-nlp archive` (annotate a sharded archive into a DuckDB store) and `arpk-nlp query` (the
common questions asked of that store). docs/archive.md has the workflow, the tables and the SQL.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer

from .common import fail, first_line, resolve_model

archive_app = typer.Typer(no_args_is_help=True, help="Annotate news archives (sharded JSONL/Parquet) into a DuckDB store.")
query_app = typer.Typer(no_args_is_help=True, help="Ask an archive store the common questions (or any SQL).")

DB_OPTION = typer.Option(Path("results.duckdb"), "--db", help="The DuckDB store.")
READ_MEMORY_OPTION = typer.Option("1GB", "--db-memory", help="DuckDB's memory cap for the query (spills to <db>.tmp beyond it).")


def _need_extra():
    try:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        fail("the archive commands need duckdb and pyarrow: pip install 'arpk-nlp[archive]'")


def model_version_of(where) -> str:
    """`<lang>_<name>-<version>+<8 hex>`: the hex is of the model's training record (corpus,
    config and input hashes in meta.json), so two trainings of version 0.0.0 differ."""
    import hashlib

    if isinstance(where, Path):
        meta_path = where / "meta.json"
    else:
        import spacy

        meta_path = Path(spacy.util.get_package_path(where)) / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        fail(f"{meta_path}: cannot read the model's meta.json ({first_line(err)})")
    digest = hashlib.sha256(json.dumps(meta.get("arpk") or meta, sort_keys=True).encode()).hexdigest()[:8]
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}+{digest}"


class _Progress:
    """One line on stderr: redrawn in place on a terminal, else printed every `interval` s."""

    def __init__(self, interval: float):
        self.interval, self.last, self.tty = interval, 0.0, sys.stderr.isatty()

    def __call__(self, s, inflight: int, final: bool = False):
        now = time.monotonic()
        if not final and now - self.last < (0.5 if self.tty else self.interval):
            return
        self.last = now
        rate = s.stored / s.seconds if s.seconds else 0.0
        line = (f"stored {s.stored:,} | skipped {s.skipped:,} | bad {s.bad:,} | {rate:,.1f} articles/s | "
                f"{s.words_per_s:,.0f} words/s | {inflight} batches in flight")
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if final else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


DB_MEMORY_HELP = ("DuckDB's memory cap in this process (e.g. 512MB, 4GB); beyond it DuckDB spills to <db>.tmp. "
                  "DuckDB's own default is 80% of RAM.")
DB_THREADS = 2  # the writer's DuckDB work is lookups of 512 ids and batch inserts: more threads only take cores from local workers


@archive_app.command("run")
def archive_run_cli(
    inputs: list[Path] = typer.Argument(..., help="Shards (.jsonl, .jsonl.gz, .parquet, .txt) or folders of them."),
    db: Path = DB_OPTION,
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="Also export the tables as Parquet files into this folder."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder (default: $ARPK_NLP_MODEL, the package)."),
    model_version: Optional[str] = typer.Option(None, "--model-version",
                                                help="Recorded per row; needed to reannotate a store with another model."),
    processes: Optional[int] = typer.Option(None, "--processes", "-j", min=1,
                                            help="Worker processes (default: 1; with --dask: the cores)."),
    dask: bool = typer.Option(False, "--dask", help="Run on a Dask LocalCluster (workers: -j if given, else the cores)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run on an existing Dask cluster: tcp://HOST:8786."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Articles per batch (a task; one transaction)."),
    retries: int = typer.Option(2, "--retries", min=0, help="Dask: retries of a failed batch."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", help="Refuse articles longer than this."),
    progress_every: float = typer.Option(10.0, "--progress-every", help="Seconds between progress lines (not on a terminal)."),
    db_memory: str = typer.Option("1GB", "--db-memory", help=DB_MEMORY_HELP),
):
    """Annotate a sharded archive into a DuckDB store; a rerun resumes where the last one stopped."""
    run_archive(inputs, db, parquet=parquet, model=model, model_version=model_version, processes=processes,
                dask=dask, scheduler=scheduler, batch_size=batch_size, retries=retries, max_chars=max_chars,
                progress_every=progress_every, db_memory=db_memory)


def run_archive(inputs: list[Path], db: Path, parquet: Path | None = None, model: Path | None = None,
                model_version: str | None = None, processes: int | None = None, dask: bool = False,
                scheduler: str | None = None, batch_size: int = 64, retries: int = 2, max_chars: int = 1_000_000,
                progress_every: float = 10.0, db_memory: str = "1GB") -> None:
    """The archive job, for `archive run` and for `annotate --db` (one code path); exits like them."""
    _need_extra()
    from ..archive import ArchiveError, find_shards
    from ..archive_job import RunnerFailed, Summary, run_job
    from ..store import Store, StoreError

    try:
        shards = find_shards(inputs)
    except ArchiveError as err:
        fail(str(err))
    where = resolve_model(model)
    if isinstance(where, Path) and not where.exists():
        fail(f"{where}: model not found (pass --model)")
    version = model_version or model_version_of(where)
    try:
        store = Store(db, memory_limit=db_memory, threads=DB_THREADS)
    except StoreError as err:
        fail(str(err))
    others = [v for v in store.model_versions() if v != version]
    if others and model_version is None:
        store.close()
        fail(f"{db} holds rows of model {others[0]}, and this model is {version}: pass --model-version {version} "
             "to annotate the archive again with it (the older rows stay), or use another --db")
    runner = _make_runner(where, processes, dask, scheduler, retries)
    typer.echo(f"archive: {len(shards)} shard(s) → {db} (model {version}; {runner.describe()})", err=True)
    store.start_run(version, str(where), [str(i) for i in inputs])
    show = _Progress(progress_every)
    status, summary = "interrupted", Summary()
    try:
        run_job(store, shards, runner, version, batch_size=batch_size, max_chars=max_chars, progress=show, summary=summary)
        status = "done"
    except KeyboardInterrupt:
        typer.echo("\ninterrupted: the batches stored so far are kept; rerun the same command to resume", err=True)
    except RunnerFailed as err:
        status = "failed"
        typer.echo(f"error: {err}", err=True)
    except StoreError as err:
        status = "failed"
        typer.echo(f"error: {err}", err=True)
    finally:
        runner.close()
        store.finish_run(status, summary.skipped)
    if summary.seconds:
        show(summary, 0, final=True)
        peaks = ", ".join(f"{mb:,.0f}" for mb in sorted(summary.worker_peak_mb.values()))
        typer.echo(f"{status}: {summary.stored:,} stored, {summary.skipped:,} already stored, {summary.bad:,} bad, "
                   f"{summary.failed_batches} failed batch(es); {summary.words:,} words in {summary.seconds:,.1f} s "
                   f"({summary.words_per_s:,.0f} words/s); peak MB per worker: {peaks or '-'}; "
                   f"client: {summary.client_peak_mb:,.0f}; CPU s annotating: {summary.worker_cpu:,.1f}, "
                   f"client: {summary.client_cpu:,.1f}; id lookups: {summary.lookup_seconds:,.1f} s", err=True)
    if parquet is not None and status == "done":
        files = store.export_parquet(parquet)
        typer.echo(f"parquet: {len(files)} tables in {parquet}", err=True)
    store.close()
    if status != "done":
        raise typer.Exit(130 if status == "interrupted" else 1)
    if summary.bad or summary.failed_batches:
        raise typer.Exit(1)


def _make_runner(where, processes: int | None, dask: bool, scheduler: str | None, retries: int):
    if dask or scheduler:
        try:
            from ..dask_run import DaskRunner
        except ImportError:
            fail("--dask needs dask[distributed]: pip install 'arpk-nlp[archive]'")
        try:
            return DaskRunner(str(where), scheduler=scheduler, workers=processes, retries=retries)
        except OSError as err:  # the scheduler cannot be reached
            fail(f"{scheduler or 'local cluster'}: cannot connect ({first_line(err)})")
    if processes and processes > 1:
        from ..archive_job import PoolRunner, RunnerFailed

        try:
            return PoolRunner(str(where), processes)
        except RunnerFailed as err:
            fail(str(err))
    from ..archive_job import InProcessRunner
    from .common import load_model

    return InProcessRunner(load_model(where if isinstance(where, Path) else None))


@archive_app.command("export")
def archive_export_cli(
    folder: Path = typer.Argument(..., help="Folder for <table>.parquet files."),
    db: Path = DB_OPTION,
    db_memory: str = READ_MEMORY_OPTION,
):
    """Export the store's tables as Parquet files."""
    _need_extra()
    from ..store import Store, StoreError

    try:
        with Store(db, read_only=True, memory_limit=db_memory) as store:
            files = store.export_parquet(folder)
    except StoreError as err:
        fail(str(err))
    for f in files:
        typer.echo(str(f))


def _open_for_query(db: Path, model_version: str | None, db_memory: str):
    _need_extra()
    from ..store import Store, StoreError

    try:
        store = Store(db, read_only=True, memory_limit=db_memory)
    except StoreError as err:
        fail(str(err))
    versions = store.model_versions()
    if model_version is None:
        if not versions:
            fail(f"{db}: the store is empty")
        model_version = versions[0]
        if len(versions) > 1:
            typer.echo(f"note: {db} holds {len(versions)} model versions; showing {model_version} (--model-version)", err=True)
    elif model_version not in versions:
        fail(f"{db}: no rows of model version {model_version!r} (it has: {', '.join(versions) or 'none'})")
    return store, model_version


def _print(columns: list[str], rows: list[tuple], fmt: str) -> None:
    if fmt == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
    elif fmt == "jsonl":
        for r in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, r, strict=True)), ensure_ascii=False, default=str) + "\n")
    else:
        from wasabi import table

        cells = [[("" if v is None else f"{v:,}" if isinstance(v, int) else str(v)) for v in r] for r in rows]
        text = table(cells, header=columns, spacing=2, max_col=10_000)  # max_col: widths follow the longest cell
        sys.stdout.write("\n".join(line.rstrip() for line in text.strip("\n").split("\n")) + "\n")


def _query_command(name: str, help_text: str, needs: tuple[str, ...]):
    def command(
        db: Path = DB_OPTION,
        model_version: Optional[str] = typer.Option(None, "--model-version", help="Whose rows (default: the latest run's)."),
        mission: Optional[str] = typer.Option(None, "--mission", help="A mission id, e.g. mission:minusma."),
        actor: Optional[str] = typer.Option(None, "--actor", help="An actor id, e.g. person:antonio-guterres."),
        n: int = typer.Option(10, "-n", help="Rows per group / at most."),
        fmt: str = typer.Option("table", "--format", "-f", help="table | csv | jsonl"),
        db_memory: str = READ_MEMORY_OPTION,
    ):
        from ..queries import run_query

        if "actor" in needs and not actor:
            fail(f"query {name} needs --actor ID")
        if fmt not in ("table", "csv", "jsonl"):
            fail(f"--format must be table, csv or jsonl, not {fmt!r}")
        import duckdb

        store, mv = _open_for_query(db, model_version, db_memory)
        with store:
            try:
                columns, rows = run_query(store.con, name, mv, mission=mission, actor=actor, n=n)
            except duckdb.Error as err:  # e.g. out of memory under --db-memory
                fail(f"query {name}: {first_line(err)}")
        _print(columns, rows, fmt)

    command.__doc__ = help_text
    return command


def _register_queries():
    from ..queries import QUERIES

    for name, (help_text, sql) in QUERIES.items():
        needs = ("actor",) if "$actor" in sql else ()
        query_app.command(name)(_query_command(name, help_text, needs))


_register_queries()


@query_app.command("sql")
def query_sql_cli(
    sql: str = typer.Argument(..., help="DuckDB SQL over articles, areas, mentions, actors, evidence, errors, runs."),
    db: Path = DB_OPTION,
    fmt: str = typer.Option("table", "--format", "-f", help="table | csv | jsonl"),
    db_memory: str = READ_MEMORY_OPTION,
):
    """Run your own SQL on the store (read-only)."""
    _need_extra()
    import duckdb

    from ..store import Store, StoreError

    try:
        with Store(db, read_only=True, memory_limit=db_memory) as store:
            cur = store.con.execute(sql)
            columns, rows = [d[0] for d in cur.description], cur.fetchall()
    except StoreError as err:
        fail(str(err))
    except duckdb.Error as err:
        fail(f"SQL: {first_line(err)}")
    _print(columns, rows, fmt)
