"""`arpk-nlp annotate`: articles in, A4P areas and actors out."""
from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Optional

import typer

from .common import fail, load_model

FORMATS = ("text", "json", "jsonl", "html")


def annotate_cli(
    inputs: list[str] = typer.Argument(..., help="Files (.txt, .jsonl: {\"id\",\"text\"} per line), folders, or - for stdin."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output: text | json | jsonl | html"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (whole or not at all) instead of stdout."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder."),
    processes: int = typer.Option(1, "--processes", "-j", min=1, help="Worker processes."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", min=1, help="Refuse inputs longer than this."),
    input_format: str = typer.Option("auto", "--input-format", "-I", help="auto | text | jsonl (see docs/reliability.md)"),
):
    """Annotate Arabic articles: A4P areas (with evidence) and actors (with canonical ids)."""
    from ..inputs import INPUT_FORMATS

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if input_format not in INPUT_FORMATS:
        fail(f"--input-format must be one of {', '.join(INPUT_FORMATS)}, not {input_format!r}")
    run_annotate(inputs, fmt, output, model, processes, max_chars, input_format)


class Terminated(BaseException):
    """SIGTERM/SIGHUP as an exception, so `finally` blocks (temp files, workers) run."""


def _terminate(signum, _frame):
    raise Terminated(signum)


def run_annotate(inputs, fmt, output, model, processes, max_chars, input_format) -> None:
    from ..annotate import InputError, annotate_stream, iter_inputs
    from ..outputs import OutputError, RecordWriter, Target

    try:
        target = Target.open(output)  # before any work: a bad -o costs nothing
    except OutputError as err:
        fail(str(err))
    old = {s: signal.signal(s, _terminate) for s in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))}
    errors = done = 0
    stream = None
    try:
        entries = iter_inputs(inputs, max_chars=max_chars, input_format=input_format)
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
            writer = RecordWriter(target, fmt)
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
    except OutputError as err:
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
