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
    inputs: list[str] = typer.Argument(..., help="Files (.txt, .jsonl with {\"id\",\"text\"} per line), folders, or - for stdin."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output: text | json | jsonl | html | csv | parquet (tables: -o DIR, docs/tables.md)"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (whole or not at all) instead of stdout; a folder for csv/parquet tables."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder."),
    processes: int = typer.Option(1, "--processes", "-j", min=1, help="Worker processes."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", min=1, help="Refuse inputs longer than this."),
    input_format: str = typer.Option("auto", "--input-format", "-I", help="auto | text | jsonl (see docs/reliability.md)"),
    date: Optional[str] = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) of file inputs, for date-aware linking; a JSONL line's own `date` wins."),
    registry: Optional[list[Path]] = typer.Option(None, "--registry", help="Extra actors (JSONL file or folder) added to the model's registry at load time; a known id is replaced (repeatable)."),
):
    """Annotate Arabic articles: A4P areas (with evidence) and actors (with canonical ids)."""
    from ..inputs import INPUT_FORMATS

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


class Terminated(BaseException):
    """SIGTERM/SIGHUP as an exception, so `finally` blocks (temp files, workers) run."""


def _terminate(signum, _frame):
    raise Terminated(signum)


def run_annotate(inputs, fmt, output, model, processes, max_chars, input_format, date=None, extra=()) -> None:
    from ..annotate import InputError, add_registry, annotate_stream, iter_inputs
    from ..outputs import OutputError, RecordWriter, Target
    from ..tables import TableError

    try:  # before any work: a bad -o costs nothing
        target = _TableTarget(output, fmt) if fmt in ("csv", "parquet") else Target.open(output)
    except (OutputError, TableError) as err:
        fail(str(err))
    old = {s: signal.signal(s, _terminate) for s in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))}
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
