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


def _external_app():
    from .cli_external import external_app

    return external_app


app.add_typer(_external_app(), name="external", help="Public Arabic NER corpora as external assets: convert, check the mapping.")

from .paths import CORPUS as DEFAULT_CORPUS, MODEL as DEFAULT_MODEL, REPO


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


FORMATS = ("text", "json", "jsonl", "html")


def load_model(model: Path):
    """spacy.load with a one-line error for a missing or broken model."""
    if not Path(model).exists():
        fail(f"{model}: model not found (train one with `python -m arpk_nlp train`, or pass --model)")
    import spacy

    try:
        return spacy.load(model)
    except (OSError, ValueError, KeyError) as err:
        fail(f"{model}: cannot load model ({str(err).splitlines()[0]})")


@app.command("annotate")
def annotate_cli(
    inputs: List[str] = typer.Argument(..., help="Files (.txt, .jsonl with {\"id\",\"text\"} per line), folders, or - for stdin."),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json | jsonl | html"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (whole or not at all) instead of stdout."),
    model: Path = typer.Option(DEFAULT_MODEL, "--model", "-m", help="Pipeline folder."),
    processes: int = typer.Option(1, "--processes", "-j", min=1, help="Worker processes."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", help="Refuse inputs longer than this."),
):
    """Annotate Arabic articles: A4P areas (with evidence) and actors (with canonical ids)."""
    import json

    from .annotate import InputError, annotate, iter_inputs, render_html, render_text

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
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


@app.command("evaluate")
def evaluate_cli(
    gold: Optional[Path] = typer.Argument(None, help="Gold JSONL (ANNOTATION.md records). Default: the corpus gold split."),
    model: Path = typer.Option(DEFAULT_MODEL, "--model", "-m", help="Pipeline folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus folder (for the default gold)."),
    conll: Optional[Path] = typer.Option(None, "--conll", help="Score on a CoNLL NER file instead (e.g. ANERcorp test)."),
    coarse: bool = typer.Option(False, "--coarse", help="With --conll: PERS/LOC/ORG only (GPE+LOC→LOC, MISSION→ORG, MISC not scored)."),
):
    """Score the pipeline on gold: entity P/R/F per label, A4P P/R/F, linking accuracy."""
    import json

    if conll is not None:
        if not coarse:
            fail("--conll needs --coarse (the only CoNLL scoring defined: PERS/LOC/ORG)")
        from .cli_external import conll_eval_cli

        conll_eval_cli(conll, model, as_json)
        return

    from .corpus import find_sources, load_articles, read_jsonl

    if gold is None:
        articles, problems = load_articles(find_sources([corpus / "src" / "gold"], corpus))
        if problems:
            fail(f"{problems[0]} (run `corpus validate`)")
        records = [a.record for a in articles]
        name = str(corpus / "src" / "gold")
    else:
        if not gold.is_file():
            fail(f"{gold}: no such file")
        try:
            records = read_jsonl(gold)
        except (UnicodeDecodeError, ValueError) as err:
            fail(f"{gold}: not a JSONL file of records ({str(err).splitlines()[0]})")
        name = str(gold)
    if not records:
        fail(f"{name}: no records")
    nlp = load_model(model)
    from .evaluate import evaluate_records, format_table

    scores = evaluate_records(nlp, records)
    if as_json:
        typer.echo(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{name}: {len(records)} articles\n")
        typer.echo(format_table(scores))


@app.command("train")
def train_cli(
    output: Path = typer.Option(DEFAULT_MODEL, "--output", "-o", help="Where the trained pipeline goes (replaced only on success)."),
    config: Path = typer.Option(REPO / "configs" / "arpk.cfg", "--config", "-c", help="Training config."),
    corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus folder."),
    work_dir: Path = typer.Option(REPO / "training", "--work-dir", help="Scratch folder (DocBins, spaCy run)."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Override training.max_steps."),
    limit: int = typer.Option(0, "--limit", help="Only the first N articles per split (smoke runs)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Override system.seed."),
    limit_train: int = typer.Option(0, "--limit-train", help="Only N train articles, evenly spaced over the writers (learning curves)."),
    limit_dev: int = typer.Option(0, "--limit-dev", help="Only N dev articles, evenly spaced."),
    settings: Optional[List[str]] = typer.Option(None, "--set", help="Config override KEY=VALUE, e.g. nlp.tokenizer.prefix_len=3 (repeatable)."),
    external: Optional[Path] = typer.Option(None, "--external", help="Folder of the public NER corpora (configs/external_corpora.json) to add to the NER's training data."),
    upsample: int = typer.Option(1, "--upsample", help="With --external: copies of the in-domain train set in the mix."),
):
    """Rerun everything from configs/: corpus → DocBin → train → fit A4P → evaluate → model."""
    from .corpus import CorpusError
    from .train import TrainingError, train

    if not config.is_file():
        fail(f"{config}: no such config")
    overrides = {}
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    if seed is not None:
        overrides["system.seed"] = seed
    import json as _json

    for kv in settings or []:
        k, eq, v = kv.partition("=")
        if not eq:
            fail(f"--set takes KEY=VALUE, not {kv!r}")
        try:
            overrides[k] = _json.loads(v)
        except ValueError:
            overrides[k] = v
    try:
        train(corpus, output, config, work_dir, overrides=overrides, limit=limit, log=lambda m: typer.echo(m, err=True),
              limit_train=limit_train, limit_dev=limit_dev, external=external, upsample=upsample)
    except CorpusError as err:
        for p in err.problems[:20]:
            typer.echo(str(p), err=True)
        fail(f"corpus is invalid ({len(err.problems)} problems); the model at {output} was left as it was")
    except TrainingError as err:
        fail(f"{err}; the model at {output} was left as it was")
    except (FileNotFoundError, ValueError) as err:  # external data missing or not matching its sha256
        fail(f"{str(err).splitlines()[0]}; the model at {output} was left as it was")
    typer.echo(f"model written to {output}")


@corpus_app.command("check")
def corpus_check_cli(
    corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus folder."),
    registry: Path = typer.Option(REPO / "configs" / "actors", "--registry", help="Actor registry (to flag unknown ids)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
):
    """Consistency check: same string, different label or id; annotated here, unannotated there."""
    import json

    from .corpus import find_sources, load_articles
    from .corpus_qc import check
    from .registry import read_registry

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


actors_app = typer.Typer(no_args_is_help=True, help="Inspect the actor registry and the linker.")
app.add_typer(actors_app, name="actors")


def _linker(model: Path, registry: Optional[Path]):
    """The linker of the shipped model, or one built from a registry folder/file."""
    if registry is not None:
        import spacy

        from .registry import read_registry

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
    model: Path = typer.Option(DEFAULT_MODEL, "--model", "-m", help="Pipeline whose registry to use."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Use this registry instead of the model's."),
):
    """Show what a surface links to and why."""
    from .registry import key

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
    model: Path = typer.Option(DEFAULT_MODEL, "--model", "-m", help="Pipeline whose registry to count."),
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
