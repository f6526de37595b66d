"""`arpk-nlp actors …`: inspect the actor registry and the linker."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .common import checkout_path, fail, load_model

actors_app = typer.Typer(no_args_is_help=True, help="Inspect the actor registry and the linker.")


def _linker(model: Path, registry: Optional[Path]):
    """The linker of the shipped model, or one built from a registry folder/file."""
    if registry is not None:
        import spacy

        from ..pipeline.registry import read_registry

        if not registry.exists():
            fail(f"{registry}: no such registry")
        nlp = spacy.blank("ar")
        linker = nlp.add_pipe("arpk_actors")
        try:
            linker.set_actors(read_registry(registry))
        except ValueError as err:
            fail(str(err))
        return linker
    return load_model(model).get_pipe("arpk_actors")


@actors_app.command("lookup")
def actors_lookup_cli(
    names: List[str] = typer.Argument(..., help="Surfaces to resolve, as written in an article."),
    label: str = typer.Option("", "--label", "-l", help="Entity label (type preference): PERSON, ORG, GPE, LOC, MISSION, EVENT."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline whose registry to use."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Use this registry instead of the model's."),
):
    """Show what a surface links to and why."""
    from ..pipeline.registry import key

    linker = _linker(model, registry)
    for name in names:
        actor_id, reason = linker.link(name, label.upper())
        if actor_id is None:
            typer.echo(f"{name}\t→ unlinked:{key(name).replace(' ', '_')}\t({reason}: no registry name within reach)")
            continue
        a = linker.actors[actor_id]
        extra = f"; {a.role}" if a.role else ""
        typer.echo(f"{name}\t→ {actor_id}\t{a.type}\t{a.name_ar} / {a.name_en}{extra}\t(by {reason}; key «{key(name)}»)")


@actors_app.command("stats")
def actors_stats_cli(
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline whose registry to count."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Count this registry instead."),
):
    """Registry entries per type, and the size of the alias index."""
    from collections import Counter

    linker = _linker(model, registry)
    counts = Counter(a.type for a in linker.actors.values())
    typer.echo("| type | actors |")
    typer.echo("|---|---:|")
    for t in ("PERSON", "ORG", "GPE", "LOC", "MISSION", "EVENT"):
        typer.echo(f"| {t} | {counts.get(t, 0)} |")
    typer.echo(f"| **all** | {sum(counts.values())} |")
    typer.echo(f"\nlookup keys: {len(linker.index.exact):,} registry spellings + "
               f"{len(set(linker.index.generated) - set(linker.index.exact)):,} generated variants")
