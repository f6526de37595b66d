"""Command-line interface, in spaCy's style: thin typer wrappers over importable functions.

Heavy modules (spaCy, scikit-learn) are imported inside the commands, so `--help` and error
paths stay fast and `annotate` pays only for what it uses.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Arabic NLP for UN peacekeeping news: A4P areas and actors.")
corpus_app = typer.Typer(no_args_is_help=True, help="Validate, build and count the annotated corpus.")
app.add_typer(corpus_app, name="corpus")

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO / "corpus"


def fail(message: str, code: int = 1) -> None:
    """One clear line on stderr and a non-zero exit: no traceback for user errors."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@corpus_app.command("validate")
def corpus_validate_cli(
    paths: Optional[List[Path]] = typer.Argument(None, help="Authoring files or folders (default: the whole corpus/src)."),
    corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus folder."),
):
    """Check authoring files: header, marks, token alignment, labels, overlaps, ids, leaks."""
    from .corpus import find_sources, validate

    files = find_sources(paths, corpus)
    if not files:
        fail(f"no authoring files found in {', '.join(map(str, paths or [corpus / 'src']))}")
    problems = validate(files, whole_corpus=not paths)
    for p in problems:
        typer.echo(str(p))
    typer.echo(f"{len(files)} file(s), {len(problems)} problem(s)", err=True)
    raise typer.Exit(1 if problems else 0)


@corpus_app.command("build")
def corpus_build_cli(corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus folder.")):
    """Convert corpus/src/<split>/*.txt into corpus/<split>.jsonl (ANNOTATION.md records)."""
    from .corpus import CorpusError, build

    try:
        counts = build(corpus, corpus)
    except CorpusError as err:
        for p in err.problems[:50]:
            typer.echo(str(p), err=True)
        fail(f"corpus is invalid ({len(err.problems)} problems); nothing was written")
    typer.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


@corpus_app.command("stats")
def corpus_stats_cli(
    corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Articles, words, mentions per label and A4P positives, per split."""
    import json

    from .corpus import find_sources, load_articles, stats
    from .labels import A4P_LABELS, ENTITY_LABELS, SPLITS

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


def main() -> None:
    app()
