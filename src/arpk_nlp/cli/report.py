"""`arpk-nlp report`: annotations in, one self-contained HTML report out."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .common import fail


def report_cli(
    inputs: list[str] = typer.Argument(..., help="Annotation JSONL/JSON (annotate -f jsonl), table folders or articles.csv "
                                                 "(annotate -f csv -o DIR), or folders of JSONL."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The HTML file to write (default: stdout)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only articles dated on or after this day (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Only articles dated on or before this day (YYYY-MM-DD)."),
    mission: Optional[list[str]] = typer.Option(None, "--mission", help="Only articles naming this mission (UNMISS or "
                                                                       "mission:unmiss); repeat for several."),
    area: Optional[list[str]] = typer.Option(None, "--area", help="Only articles with this A4P area (code, Arabic or "
                                                                 "English name); repeat for several."),
    period: str = typer.Option("auto", "--period", help="auto | month | quarter | year"),
    top: int = typer.Option(15, "--top", min=1, help="How many missions, outlets and actors to chart."),
    max_articles: int = typer.Option(1000, "--max-articles", min=0, help="Rows in the articles table."),
):
    """An HTML report for analysts: A4P areas over time, per mission and outlet, top actors, articles.

    The file has no external resources (charts are inline SVG) and opens offline.
    """
    from ..report import PERIODS, Filters, ReportError, build_report, parse_area, parse_date, parse_mission

    if period not in PERIODS:
        fail(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    if output is not None and output.is_dir():
        fail(f"{output}: is a folder; give the HTML file to write")
    if output is not None and not output.parent.exists():
        fail(f"{output}: folder {output.parent} does not exist")
    try:
        filters = Filters(parse_date(since, "--since"), parse_date(until, "--until"),
                          [parse_mission(m) for m in mission or []], [parse_area(a) for a in area or []])
        html, errors, n = build_report(inputs, filters=filters, period=period, top=top, max_articles=max_articles)
    except ReportError as err:
        fail(str(err))
    for e in errors:
        typer.echo(f"error: {e}", err=True)
    if output is None:
        sys.stdout.buffer.write(html.encode("utf-8"))
        sys.stdout.flush()
    else:
        tmp = output.with_name(f".{output.name}.tmp")  # whole or not at all
        try:
            tmp.write_text(html, encoding="utf-8")
            tmp.replace(output)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            fail(f"{output}: cannot write ({err.strerror})")
        typer.echo(f"{output}: report of {n} article(s)", err=True)
    if errors:
        typer.echo(f"{len(errors)} input(s) failed", err=True)
        raise typer.Exit(1)
