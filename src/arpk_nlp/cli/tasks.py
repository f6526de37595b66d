"""`arpk-nlp tasks …`: Label Studio tasks pre-annotated by the model, and choosing what to annotate."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Optional

import typer

from .common import fail, load_model

tasks_app = typer.Typer(
    no_args_is_help=True, help="Label Studio tasks: export pre-annotated articles, select the most informative."
)


def _read_items(inputs: list[str]):
    from ..inputs import InputError, iter_inputs

    items, errors = [], 0
    for it in iter_inputs(inputs):
        if isinstance(it, InputError):
            typer.echo(f"error: {it}", err=True)
            errors += 1
        else:
            # The corpus stores NFC text; normalizing here keeps the task's offsets valid after import.
            it.text = unicodedata.normalize("NFC", it.text)
            items.append(it)
    return items, errors


def _write(path: Path, tasks: list[dict]) -> None:
    from ..data.corpus import write_json

    if not path.parent.exists():
        fail(f"{path}: folder {path.parent} does not exist")
    write_json(path, tasks)


def _model_version(nlp) -> str:
    return f"{nlp.meta.get('name', 'arpk')}-{nlp.meta.get('version', '0')}"


@tasks_app.command("export")
def tasks_export_cli(
    inputs: list[str] = typer.Argument(
        ..., help='Articles: .txt files, .jsonl ({"id","text", date/source/url...} per line), folders, or -.'
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Label Studio tasks JSON to write."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder."),
):
    """Label Studio tasks with the model's predictions as pre-annotations (configs/label_studio.xml)."""
    from ..data.label_studio import prediction_task
    from ..select import predict

    items, errors = _read_items(inputs)
    if not items:
        fail("no readable input")
    nlp = load_model(model)
    version = _model_version(nlp)
    tasks = [prediction_task(c.record, c.text, c.meta, version) for c in predict(nlp, items)]
    _write(output, tasks)
    typer.echo(f"{len(tasks)} task(s) written to {output}", err=True)
    if errors:
        typer.echo(f"{errors} input(s) failed", err=True)
        raise typer.Exit(1)


@tasks_app.command("select")
def tasks_select_cli(
    pool: list[str] = typer.Argument(..., help="Unlabelled articles: files, .jsonl, folders."),
    n: int = typer.Option(50, "--n", "-n", min=1, help="How many articles to pick."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also write the picked articles as Label Studio tasks."),
    as_json: bool = typer.Option(False, "--json", help="Print the ranking as JSON lines."),
):
    """Rank articles by how much a correction would teach the model; print the best N."""
    from ..data.label_studio import prediction_task
    from ..select import predict, rank

    items, errors = _read_items(pool)
    if not items:
        fail("no readable input")
    nlp = load_model(model)
    picked = rank(predict(nlp, items), n)
    if as_json:
        for k, c in enumerate(picked, 1):
            typer.echo(
                json.dumps(
                    {
                        "rank": k,
                        "id": c.record["id"],
                        "source": c.record["source"],
                        "gain": c.gain, "score": c.total,
                        **c.parts,
                        "mission": c.group,
                    },
                    ensure_ascii=False,
                )
            )
    else:
        from wasabi import table

        rows = [[k, f"{c.gain:.2f}", f"{c.total:.2f}", f"{c.parts['a4p']:.2f}", f"{c.parts['unlinked']:.2f}",
                 f"{c.parts['ner']:.2f}", c.group, c.record["id"], c.record["source"]] for k, c in enumerate(picked, 1)]
        text = table(rows, header=["rank", "gain", "score", "a4p", "unlinked", "ner", "mission", "id", "source"],
                     aligns=("r", "r", "r", "r", "r", "r", "l", "l", "l"), spacing=2, max_col=80)
        typer.echo("\n".join(line.rstrip() for line in text.strip("\n").split("\n")))
    if output is not None:
        version = _model_version(nlp)
        _write(output, [prediction_task(c.record, c.text, c.meta, version) for c in picked])
        typer.echo(f"{len(picked)} task(s) written to {output}", err=True)
    if errors:
        typer.echo(f"{errors} input(s) failed", err=True)
        raise typer.Exit(1)
