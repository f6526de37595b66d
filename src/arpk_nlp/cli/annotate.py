"""`arpk-nlp annotate`: articles in, A4P areas and actors out."""
from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Optional

import typer

from .common import fail, load_model

FORMATS = ("text", "json", "jsonl", "html", "csv", "parquet")


def annotate_cli(
    inputs: list[str] = typer.Argument(..., help="Files (.txt, .jsonl with {\"id\",\"text\"} per line), folders, or - for stdin; with --db: archive shards (.jsonl, .jsonl.gz, .parquet, .txt) or folders."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="Output: text | json | jsonl | html | csv | parquet (tables: -o DIR, docs/tables.md); default text"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (whole or not at all) instead of stdout; a folder for csv/parquet tables."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder."),
    processes: Optional[int] = typer.Option(None, "--processes", "-j", min=1, help="Worker processes (default 1; with --dask: the cores)."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", min=1, help="Refuse inputs longer than this."),
    input_format: Optional[str] = typer.Option(None, "--input-format", "-I", help="auto | text | jsonl (see docs/reliability.md); default auto"),
    date: Optional[str] = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) of file inputs, for date-aware linking; a JSONL line's own `date` wins."),
    registry: Optional[list[Path]] = typer.Option(None, "--registry", help="Extra actors (JSONL file or folder) added to the model's registry at load time; a known id is replaced (repeatable)."),
    db: Optional[Path] = typer.Option(None, "--db", help="Write to this DuckDB store instead: the job of `archive run` (docs/archive.md), resumable."),
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="With --db: also export the tables as Parquet files into this folder."),
    dask: bool = typer.Option(False, "--dask", help="With --db: run on a Dask LocalCluster."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --db: run on an existing Dask cluster (tcp://HOST:8786)."),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="With --db: recorded per row (see docs/archive.md)."),
    db_memory: Optional[str] = typer.Option(None, "--db-memory", help="With --db: DuckDB's memory cap (default 1GB)."),
):
    """Annotate Arabic articles: A4P areas (with evidence) and actors (with canonical ids)."""
    from ..inputs import INPUT_FORMATS

    if db is not None:
        _annotate_to_store(inputs, db, fmt=fmt, output=output, input_format=input_format, date=date, registry=registry,
                           model=model, processes=processes, max_chars=max_chars, parquet=parquet, dask=dask,
                           scheduler=scheduler, model_version=model_version, db_memory=db_memory)
        return
    store_only = {"--parquet": parquet is not None, "--dask": dask, "--scheduler": scheduler is not None,
                  "--model-version": model_version is not None, "--db-memory": db_memory is not None}
    given = [name for name, on in store_only.items() if on]
    if given:
        fail(f"{given[0]} works with --db only (annotate into a DuckDB store; docs/archive.md)", code=2)
    fmt = fmt or "text"
    input_format = input_format or "auto"
    processes = processes or 1
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if input_format not in INPUT_FORMATS:
        fail(f"--input-format must be one of {', '.join(INPUT_FORMATS)}, not {input_format!r}")
    if fmt == "parquet" and output is None:
        fail("-f parquet writes a folder of tables: give -o DIR")
    from ..pipeline.dates import is_iso
    from ..pipeline.registry import read_registry

    if date is not None and not is_iso(date):
        fail(f"--date must be an ISO date (YYYY-MM-DD, YYYY-MM or YYYY), not {date!r}")
    extra = []
    for path in registry or []:
        if not path.exists():
            fail(f"{path}: no such registry")
        try:
            extra += read_registry(path)
        except ValueError as err:
            fail(f"{path}: {err}")
    run_annotate(inputs, fmt, output, model, processes, max_chars, input_format, date, extra)


def _annotate_to_store(inputs, db, *, fmt, output, input_format, date, registry, model, processes, max_chars,
                       parquet, dask, scheduler, model_version, db_memory) -> None:
    """`annotate --db`: exactly `archive run` (its code path, its options and exit codes). The
    options of file output make no sense there: one line and exit 2 (a usage error, as click's)."""
    refused = {"--format": fmt is not None, "--output": output is not None, "--input-format": input_format is not None,
               "--date": date is not None, "--registry": bool(registry)}
    given = [name for name, on in refused.items() if on]
    if given:
        why = {"--format": "the store holds the tables; query them with `arpk-nlp query` or export with --parquet",
               "--output": "the results go to the store; --parquet DIR also writes its tables as files",
               "--input-format": "archive shards are read by their suffix (.jsonl, .jsonl.gz, .parquet, .txt)",
               "--date": "give each article its own `date` field in the shards",
               "--registry": "the store records one model version; package the actors into the model"}[given[0]]
        fail(f"{given[0]} cannot be used with --db ({why})", code=2)
    if "-" in inputs:
        fail("--db reads archive files and folders, not stdin (-)", code=2)
    from .archive import run_archive

    run_archive([Path(i) for i in inputs], db, parquet=parquet, model=model, model_version=model_version,
                processes=processes, dask=dask, scheduler=scheduler, max_chars=max_chars,
                db_memory=db_memory or "1GB")


class Terminated(BaseException):
    """SIGTERM/SIGHUP as an exception, so `finally` blocks (temp files, workers) run."""


def _terminate(signum, _frame):
    raise Terminated(signum)


_INTERRUPTED: list[int] = []


def _interrupt(signum, _frame):
    # Recorded as well as raised: an exception raised while the interpreter runs a finalizer
    # (a `__del__`, a weakref callback) is printed and dropped, and the batch would go on to
    # the end; the loop below checks the record after every result.
    _INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def run_annotate(inputs, fmt, output, model, processes, max_chars, input_format, date=None, extra=()) -> None:
    from ..annotate import InputError, add_registry, annotate_stream, iter_inputs
    from ..outputs import OutputError, RecordWriter, Target
    from ..tables import TableError

    try:  # before any work: a bad -o costs nothing
        target = _TableTarget(output, fmt) if fmt in ("csv", "parquet") else Target.open(output)
    except (OutputError, TableError) as err:
        fail(str(err))
    old = {s: signal.signal(s, _terminate) for s in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))}
    old[signal.SIGINT] = signal.signal(signal.SIGINT, _interrupt)
    _INTERRUPTED.clear()
    errors = done = 0
    stream = None
    try:
        entries = _dated(iter_inputs(inputs, max_chars=max_chars, input_format=input_format), date)
        first = None
        for e in entries:  # errors before the first article: reported without loading the model
            if isinstance(e, InputError):
                typer.echo(f"error: {e}", err=True)
                errors += 1
            else:
                first = e
                break
        if first is not None:
            nlp = load_model(model)
            # spaCy refuses texts over nlp.max_length; our own limit is --max-chars
            nlp.max_length = max(nlp.max_length, max_chars + 1)
            if extra:
                add_registry(nlp, extra)  # before -j workers fork: they inherit it
            writer = target.writer() if isinstance(target, _TableTarget) else RecordWriter(target, fmt)
            progress = _Progress() if sys.stderr.isatty() else None
            stream = annotate_stream(nlp, _chain(first, entries), n_process=processes)
            for res in stream:
                if _INTERRUPTED:
                    raise KeyboardInterrupt
                if isinstance(res, InputError):
                    typer.echo(f"error: {res}", err=True)
                    errors += 1
                    continue
                item, rec = res
                writer.add(rec, item.text)
                done += 1
                if progress:
                    progress.tick(done)
            if progress:
                progress.end()
            writer.finish(single_ok=done == 1 and len(inputs) == 1 and errors == 0)
        if done:
            target.commit()
    except (OutputError, TableError) as err:
        fail(f"{err}; no output written" if output is not None else str(err))
    except KeyboardInterrupt:
        typer.echo("error: interrupted" + ("; no output written" if output is not None else ""), err=True)
        raise typer.Exit(130) from None
    except Terminated as sig:
        typer.echo(f"error: stopped by signal {sig.args[0]}" + ("; no output written" if output is not None else ""), err=True)
        raise typer.Exit(128 + int(sig.args[0])) from None
    finally:
        if stream is not None:
            stream.close()  # stops -j workers now, not whenever the generator is collected
        target.discard()
        for s, h in old.items():
            signal.signal(s, h)
    if errors:
        typer.echo(f"{errors} input(s) failed, {done} annotated", err=True)
        raise typer.Exit(1)


def _dated(entries, date):
    """--date for inputs whose metadata has none (a JSONL line's own `date` wins)."""
    for e in entries:
        if date is not None and not isinstance(e, Exception) and "date" not in e.meta:
            e.meta["date"] = date
        yield e


def _chain(first, rest):
    yield first
    yield from rest


class _Progress:
    """A one-line counter on a terminal (the total is unknown: inputs are streamed)."""

    def tick(self, n: int) -> None:
        if n % 10 == 0:
            sys.stderr.write(f"\rannotated {n}")
            sys.stderr.flush()

    def end(self) -> None:
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


class _TableTarget:
    """-f csv|parquet: the tables into the folder -o DIR (old tables replaced only at the end),
    or, without -o, the articles table as CSV on stdout (its rows are kept until the end: the
    meta columns are known only then)."""

    def __init__(self, output: Optional[Path], fmt: str):
        from ..outputs import Target
        from ..tables import TableWriter

        self.tables = TableWriter(output, fmt) if output is not None else None
        self.stdout = Target.open(None) if output is None else None
        self.records: list[dict] = []

    def writer(self):
        return self

    def add(self, rec: dict, text: str) -> None:
        if self.tables is not None:
            self.tables.add(rec, text)
        else:
            self.records.append(rec)

    def finish(self, single_ok: bool) -> None:
        if self.tables is not None:
            paths = self.tables.finish()
            typer.echo(f"wrote {', '.join(str(p) for p in paths)}", err=True)
            return
        import io

        from ..tables import write_articles_csv

        buf = io.StringIO(newline="")
        write_articles_csv(self.records, buf)
        self.stdout.write(buf.getvalue())

    def commit(self) -> None:
        if self.stdout is not None:
            self.stdout.commit()

    def discard(self) -> None:
        if self.tables is not None:
            self.tables.discard()
        if self.stdout is not None:
            self.stdout.discard()
