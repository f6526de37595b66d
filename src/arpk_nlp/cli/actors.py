"""`arpk-nlp actors …`: inspect the actor registry and the linker."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

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
    from ..annotate import find_linker

    linker = find_linker(load_model(model))
    if linker is None:
        fail("the model has no actor linker (arpk_linker or arpk_actors)")
    return linker


@actors_app.command("lookup")
def actors_lookup_cli(
    names: list[str] = typer.Argument(..., help="Surfaces to resolve, as written in an article."),
    label: str = typer.Option("", "--label", "-l", help="Entity label (type preference): PERSON, ORG, GPE, LOC, MISSION, EVENT."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline whose registry to use."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Use this registry instead of the model's."),
):
    """Show what a surface links to and why."""
    from ..pipeline.registry import key, unlinked_id

    linker = _linker(model, registry)
    for name in names:
        actor_id, reason = linker.link(name, label.upper())
        if actor_id is None:
            typer.echo(f"{name}\t→ {unlinked_id(name)}\t({reason}: no registry name within reach)")
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


@actors_app.command("import")
def actors_import_cli(
    registry: Optional[Path] = typer.Option(None, "--registry", help="Curated registry folder (default: configs/actors)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Where the imported records go (default: <registry>/imported)."),
    min_population: int = typer.Option(100_000, "--min-population", help="Cities smaller than this are not imported."),
):
    """Import states, cities and per-state institutions from open data (GeoNames, CLDR,
    countrynames; pinned packages, extra `registry`) into the registry's imported/ folder."""
    registry = checkout_path(registry, "configs", "actors", what="the actor registry")
    demonyms = registry.parent / "demonyms.json"
    try:
        from ..data.registry_import import run_import
    except ImportError as err:
        fail(f"actors import needs the `registry` extra (pip install 'arpk_nlp[registry]'): {err}")
    if not demonyms.exists():
        fail(f"{demonyms}: no demonym table next to the registry")
    manifest = run_import(registry, demonyms, output or registry / "imported", min_population)
    for name, n in manifest["records"].items():
        typer.echo(f"{name}: {n} records ({manifest['new_ids'][name]} new ids)")
    typer.echo(f"in {manifest['seconds']} s; versions: " + ", ".join(f"{k}=={v}" for k, v in manifest["versions"].items()))


@actors_app.command("add")
def actors_add_cli(
    actor_id: str = typer.Argument(..., help="Canonical id, e.g. person:jane-doe (ANNOTATION.md section 4)."),
    name_ar: str = typer.Option(..., "--ar", help="Arabic name as the press writes it."),
    name_en: str = typer.Option(..., "--en", help="English name."),
    file: Path = typer.Option(..., "--file", "-f", help="Registry JSONL file to append to (created if missing)."),
    alias: Optional[list[str]] = typer.Option(None, "--alias", help="Another spelling (repeatable)."),
    role: Optional[str] = typer.Option(None, "--role", help="Title in Arabic (persons), e.g. 'وزير الخارجية'."),
    role_en: Optional[str] = typer.Option(None, "--role-en", help="Title in English."),
    affiliation: Optional[str] = typer.Option(None, "--affiliation", help="Actor id of the state/body, e.g. gpe:mli."),
    start: Optional[str] = typer.Option(None, "--start", help="In office / active from (YYYY[-MM[-DD]])."),
    end: Optional[str] = typer.Option(None, "--end", help="Until (YYYY[-MM[-DD]])."),
    replace: bool = typer.Option(False, "--replace", help="Replace a record with the same id in FILE."),
):
    """Add one validated actor to a registry file (use it with `annotate --registry FILE`)."""
    import json

    from ..pipeline.dates import is_iso
    from ..pipeline.labels import ACTOR_PREFIX
    from ..pipeline.registry import Actor, read_registry

    prefix = actor_id.split(":", 1)[0]
    if ":" not in actor_id or prefix not in ACTOR_PREFIX or not actor_id.split(":", 1)[1]:
        fail(f"{actor_id}: id must be TYPE:key with TYPE one of {', '.join(sorted(ACTOR_PREFIX))}")
    if actor_id != actor_id.lower() or not actor_id.isascii() or " " in actor_id:
        fail(f"{actor_id}: ids are lower-case ASCII without spaces")
    for name, value in (("--start", start), ("--end", end)):
        if value is not None and not is_iso(value):
            fail(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    if start and end and start > end:
        fail(f"--start {start} is after --end {end}")
    actor = Actor(id=actor_id, type=ACTOR_PREFIX[prefix], name_ar=name_ar.strip(), name_en=name_en.strip(),
                  aliases=[a.strip() for a in alias or [] if a.strip()], role=role, role_en=role_en,
                  affiliation=affiliation, start=start, end=end)
    existing = []
    if file.exists():
        try:
            existing = read_registry(file)
        except ValueError as err:
            fail(str(err))
    if any(a.id == actor_id for a in existing) and not replace:
        fail(f"{file}: already has {actor_id} (use --replace)")
    rows = [a for a in existing if a.id != actor_id] + [actor]
    tmp = file.with_name(f".{file.name}.tmp")
    tmp.write_text("".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in rows), encoding="utf-8")
    tmp.replace(file)
    typer.echo(f"{file}: {'replaced' if len(rows) == len(existing) else 'added'} {actor_id} ({actor.type})")
