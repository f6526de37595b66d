"""`arpk-nlp corpus …`: validate, build, count and check the annotated corpus."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import checkout_path, fail

corpus_app = typer.Typer(no_args_is_help=True, help="Validate, build and count the annotated corpus.")


@corpus_app.command("validate")
def corpus_validate_cli(
    paths: Optional[list[Path]] = typer.Argument(None, help="Authoring files or folders (default: the whole corpus/src)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder."),
):
    """Check authoring files: header, marks, token alignment, labels, overlaps, ids, leaks."""
    corpus = checkout_path(corpus, "corpus", what="the corpus commands")
    from ..data.corpus import find_sources, validate

    files = find_sources(paths, corpus)
    if not files:
        fail(f"no authoring files found in {', '.join(map(str, paths or [corpus / 'src']))}")
    problems = validate(files, whole_corpus=not paths)
    for p in problems:
        typer.echo(str(p))
    typer.echo(f"{len(files)} file(s), {len(problems)} problem(s)", err=True)
    raise typer.Exit(1 if problems else 0)


@corpus_app.command("build")
def corpus_build_cli(corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder.")):
    """Convert corpus/src/<split>/*.txt into corpus/<split>.jsonl (ANNOTATION.md records)."""
    corpus = checkout_path(corpus, "corpus", what="the corpus commands")
    from ..data.corpus import CorpusError, build

    try:
        counts = build(corpus, corpus)
    except CorpusError as err:
        for p in err.problems[:50]:
            typer.echo(str(p), err=True)
        fail(f"corpus is invalid ({len(err.problems)} problems); nothing was written")
    typer.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


@corpus_app.command("stats")
def corpus_stats_cli(
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Articles, words, mentions per label and A4P positives, per split."""
    corpus = checkout_path(corpus, "corpus", what="the corpus commands")
    import json

    from ..data.corpus import find_sources, load_articles, stats
    from ..pipeline.labels import A4P_LABELS, ENTITY_LABELS, SPLITS

    articles, problems = load_articles(find_sources(None, corpus))
    st = stats([a.record for a in articles])
    if as_json:
        typer.echo(json.dumps(st, ensure_ascii=False, indent=2))
        return
    splits = [s for s in SPLITS if s in st]
    rows = [("articles", [st[s]["articles"] for s in splits]), ("words", [st[s]["words"] for s in splits]),
            ("missions (distinct)", [st[s]["missions"] for s in splits])]
    rows += [(f"mentions {l}", [st[s]["mentions"][l] for s in splits]) for l in ENTITY_LABELS]
    rows += [(f"A4P {l}", [st[s]["a4p"][l] for s in splits]) for l in A4P_LABELS]
    rows += [("A4P none", [st[s]["none"] for s in splits])]
    typer.echo("| | " + " | ".join(splits) + " |")
    typer.echo("|---|" + "---:|" * len(splits))
    for name, vals in rows:
        typer.echo(f"| {name} | " + " | ".join(str(v) for v in vals) + " |")


@corpus_app.command("check")
def corpus_check_cli(
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Actor registry (to flag unknown ids)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
):
    """Consistency check: same string, different label or id; annotated here, unannotated there."""
    registry = checkout_path(registry, "configs", "actors", what="the actor registry")
    corpus = checkout_path(corpus, "corpus", what="the corpus commands")
    import json

    from ..data.corpus import find_sources, load_articles
    from ..data.corpus_qc import check
    from ..pipeline.registry import read_registry

    articles, _ = load_articles(find_sources(None, corpus))
    known = {a.id for a in read_registry(registry)} if registry.exists() else None
    rep = check([a.record for a in articles], known)
    if as_json:
        typer.echo(json.dumps(rep, ensure_ascii=False, indent=1))
        return
    typer.echo(f"surfaces with more than one label: {len(rep['label_conflicts'])}")
    for k, c in sorted(rep["label_conflicts"].items()):
        typer.echo(f"  {k}: {c}")
    typer.echo(f"surfaces with more than one actor id: {len(rep['id_conflicts'])}")
    for k, c in sorted(rep["id_conflicts"].items()):
        typer.echo(f"  {k}: {c}")
    n_missed = sum(len(v["unannotated_in"]) for v in rep["unannotated"].values())
    typer.echo(f"annotated surfaces left unannotated elsewhere: {len(rep['unannotated'])} surfaces, {n_missed} places")
    for k, v in sorted(rep["unannotated"].items(), key=lambda x: -len(x[1]["unannotated_in"]))[:40]:
        typer.echo(f"  {k}: annotated {v['annotated']}x, unannotated in {', '.join(sorted(set(v['unannotated_in']))[:8])}")
    if known is not None:
        typer.echo(f"actor ids not in the registry: {len(rep['unknown_ids'])} ids, {sum(rep['unknown_ids'].values())} mentions")



@corpus_app.command("import")
def corpus_import_cli(
    export: Path = typer.Argument(..., help="Label Studio JSON export, or JSONL of arpk_nlp.annotation.v1 / ANNOTATION.md records (with 'text')."),
    split: str = typer.Option(..., "--split", help="train or dev (the gold splits are frozen)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Actor registry (to offer entries for unknown ids)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, write nothing."),
):
    """Corrected annotations → authoring files in corpus/src/<split>/, validated; all or nothing."""
    import json

    from ..data.corpus_import import IMPORT_SPLITS, plan_import, write_import
    from ..pipeline.registry import read_registry

    if split not in IMPORT_SPLITS:
        fail(f"--split must be one of {', '.join(IMPORT_SPLITS)} (gold and gold-press are frozen), not {split!r}")
    corpus = checkout_path(corpus, "corpus", what="the corpus commands")
    registry = checkout_path(registry, "configs", "actors", what="the actor registry")
    if not (corpus / "src").is_dir():
        fail(f"{corpus}: not a corpus folder (no src/)")
    known = {a.id for a in read_registry(registry)} if registry.exists() else None
    plan = plan_import(export, split, corpus, known)
    for p in plan.problems:
        typer.echo(str(p), err=True)
    if plan.problems:
        fail(f"{len(plan.problems)} problem(s) in {export}; nothing was written")
    if not plan.files:
        fail(f"{export}: no annotated article to import ({len(plan.skipped)} task(s) without an annotation)")
    for s in plan.skipped:
        typer.echo(f"skipped (not annotated yet): {s}", err=True)
    if plan.new_actors:
        typer.echo(f"{len(plan.new_actors)} actor id(s) not in the registry {registry}; review and paste into the file named:", err=True)
        for s in plan.new_actors:
            typer.echo(f"# {s['file']}\n{json.dumps(s['entry'], ensure_ascii=False)}")
    if dry_run:
        typer.echo(f"dry run: {len(plan.files)} article(s) would be written to {corpus / 'src' / split}", err=True)
        return
    written = write_import(plan)
    typer.echo(f"imported {len(written)} article(s) into {corpus / 'src' / split}", err=True)
