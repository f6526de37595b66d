"""`arpk-nlp compare`: a candidate model against the shipped one, on every frozen gold set."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import checkout_path, fail, load_model


def run_comparison(candidate: Path, baseline: Path, corpus: Path, n_boot: int, seed: int, output: Path | None):
    """Load both models, compare them, write/print the table. RETURNS (acceptable, table, rows)."""
    from ..compare import acceptable, compare, format_table, gold_sets

    sets = gold_sets(corpus)
    if not sets:
        fail(f"{corpus / 'src'}: no frozen gold set to compare on")
    rows = compare(load_model(baseline), load_model(candidate), sets, n_boot=n_boot, seed=seed)
    table = format_table(rows, str(baseline), str(candidate), n_boot)
    if output is not None:
        tmp = output.with_name(f".{output.name}.tmp")
        tmp.write_text(table + "\n", encoding="utf-8")
        tmp.replace(output)
    ok, _ = acceptable(rows)
    return ok, table, rows


def compare_cli(
    candidate: Path = typer.Argument(..., help="The candidate pipeline folder."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", "-b", help="The model to beat (default: models/arpk-ar)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder (its frozen gold sets)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also write the table (Markdown) here."),
    n_boot: int = typer.Option(2000, "--n-boot", min=100, help="Bootstrap resamples."),
    seed: int = typer.Option(0, "--seed", help="Resampling seed."),
):
    """Paired bootstrap over gold articles: entity F1, A4P micro-F1, link accuracy, actor recall."""
    baseline = checkout_path(baseline, "models", "arpk-ar", what="compare without --baseline")
    corpus = checkout_path(corpus, "corpus", what="compare")
    for p in (candidate, baseline):
        if not p.exists():
            fail(f"{p}: model not found")
    _, table, _ = run_comparison(candidate, baseline, corpus, n_boot, seed, output)
    typer.echo(table)


def keep_better_model(candidate: Path, output: Path, corpus: Path, force: bool) -> None:
    """After `train --keep-better`: compare, write the table next to the model, install or keep."""
    from ..compare import install

    if not output.exists():
        install(candidate, output)
        typer.echo(f"no model at {output} to compare with; the candidate was installed there")
        return
    table_path = output.parent / f"{output.name}-comparison.md"
    ok, table, _ = run_comparison(candidate, output, corpus, 2000, 0, table_path)
    typer.echo(table)
    typer.echo(f"comparison table written to {table_path}")
    if ok or force:
        install(candidate, output)
        why = "no headline metric is worse beyond noise" if ok else "--force (the comparison advised keeping the old model)"
        typer.echo(f"model replaced: {output} is the new model ({why})")
    else:
        typer.echo(
            f"model kept: {output} is unchanged because a headline metric is worse beyond noise; "
            f"the candidate stays in {candidate} (use --force to install it anyway)"
        )
