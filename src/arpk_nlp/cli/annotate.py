"""`arpk-nlp annotate`: articles in, A4P areas and actors out."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from .common import fail, load_model

FORMATS = ("text", "json", "jsonl", "html")


def annotate_cli(
    inputs: List[str] = typer.Argument(..., help="Files (.txt, .jsonl with {\"id\",\"text\"} per line), folders, or - for stdin."),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json | jsonl | html"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (whole or not at all) instead of stdout."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder."),
    processes: int = typer.Option(1, "--processes", "-j", min=1, help="Worker processes."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", help="Refuse inputs longer than this."),
    date: Optional[str] = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) of file inputs, for date-aware linking; a JSONL line's own `date` wins."),
    registry: Optional[List[Path]] = typer.Option(None, "--registry", help="Extra actors (JSONL file or folder) added to the model's registry at load time; a known id is replaced (repeatable)."),
):
    """Annotate Arabic articles: A4P areas (with evidence) and actors (with canonical ids)."""
    import json

    from ..annotate import InputError, add_registry, annotate, iter_inputs, render_html, render_text
    from ..pipeline.dates import is_iso
    from ..pipeline.registry import read_registry

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if output is not None and not output.parent.exists():
        fail(f"{output}: folder {output.parent} does not exist")
    if date is not None and not is_iso(date):
        fail(f"--date must be an ISO date (YYYY-MM-DD, YYYY-MM or YYYY), not {date!r}")
    extra = []
    for path in registry or []:
        if not path.exists():
            fail(f"{path}: no such registry")
        try:
            extra += read_registry(path)
        except ValueError as err:
            fail(str(err))
    items, errors = [], 0
    for it in iter_inputs(inputs, max_chars=max_chars):
        if isinstance(it, InputError):
            typer.echo(f"error: {it}", err=True)
            errors += 1
        else:
            if date is not None and "date" not in it.meta:
                it.meta["date"] = date
            items.append(it)
    if items:
        nlp = load_model(model)
        if extra:
            add_registry(nlp, extra)
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
            body = render_html(nlp, records, [it.text for it in items])
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


