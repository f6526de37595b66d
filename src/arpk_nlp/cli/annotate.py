"""`arpk-nlp annotate`: articles in, A4P areas and actors out."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from .common import fail, load_model

FORMATS = ("text", "json", "jsonl", "html", "csv", "parquet")


def annotate_cli(
    inputs: List[str] = typer.Argument(..., help="Files (.txt, .jsonl with {\"id\",\"text\"} per line), folders, or - for stdin."),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json | jsonl | html | csv | parquet (tables: -o DIR, see docs/tables.md)"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (whole or not at all) instead of stdout."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder."),
    processes: int = typer.Option(1, "--processes", "-j", min=1, help="Worker processes."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", help="Refuse inputs longer than this."),
):
    """Annotate Arabic articles: A4P areas (with evidence) and actors (with canonical ids)."""
    import json

    from ..annotate import InputError, annotate, iter_inputs, render_text

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "parquet" and output is None:
        fail("-f parquet writes a folder of tables: give -o DIR")
    if output is not None and not output.parent.exists():
        fail(f"{output}: folder {output.parent} does not exist")
    items, errors = [], 0
    for it in iter_inputs(inputs, max_chars=max_chars):
        if isinstance(it, InputError):
            typer.echo(f"error: {it}", err=True)
            errors += 1
        else:
            items.append(it)
    if items:
        nlp = load_model(model)
        show_bar = len(items) > 1 and sys.stderr.isatty()
        if show_bar:
            with typer.progressbar(length=len(items), label="annotating", file=sys.stderr) as bar:
                records = annotate(nlp, items, n_process=processes, progress=bar.update)
        else:
            records = annotate(nlp, items, n_process=processes)
        if fmt == "json":
            body = json.dumps(records[0] if len(records) == 1 and len(inputs) == 1 and errors == 0 else records,
                              ensure_ascii=False, indent=2) + "\n"
        elif fmt == "jsonl":
            body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        elif fmt == "html":
            from ..article_view import render_page

            body = render_page(records, [it.text for it in items])
        elif fmt in ("csv", "parquet"):
            body = _tables(records, items, fmt, output)
            output = None  # the tables are written already; body is the CSV for stdout, or ""
        else:
            body = "\n\n".join(render_text(r, it.text) for r, it in zip(records, items)) + "\n"
        if output is None:
            sys.stdout.write(body)
            sys.stdout.flush()
        else:
            tmp = output.with_name(f".{output.name}.tmp")
            tmp.write_text(body, encoding="utf-8")
            tmp.replace(output)
    if errors:
        typer.echo(f"{errors} input(s) failed, {len(items)} annotated", err=True)
        raise typer.Exit(1)


def _tables(records, items, fmt, output) -> str:
    """-f csv|parquet: the four tables into -o DIR (RETURNS ""), or the articles table as CSV text."""
    from ..tables import TableError, write_articles_csv, write_tables

    if output is None:
        import io

        buf = io.StringIO(newline="")
        write_articles_csv(records, buf)
        return buf.getvalue()
    try:
        paths = write_tables(records, output, fmt, [it.text for it in items])
    except TableError as err:
        fail(str(err))
    typer.echo(f"wrote {', '.join(str(p) for p in paths)}", err=True)
    return ""
