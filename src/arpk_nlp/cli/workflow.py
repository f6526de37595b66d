"""`arpk-nlp train` and `arpk-nlp evaluate`: the model from configs/ and corpus/, scored on gold."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import checkout_path, fail, load_model


def evaluate_cli(
    gold: Optional[Path] = typer.Argument(None, help="Gold JSONL (ANNOTATION.md records). Default: the corpus gold split."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder (for the default gold)."),
    conll: Optional[Path] = typer.Option(None, "--conll", help="Score on a CoNLL NER file instead (e.g. ANERcorp test)."),
    coarse: bool = typer.Option(False, "--coarse", help="With --conll: PERS/LOC/ORG only (GPE+LOC→LOC, MISSION→ORG, MISC not scored)."),
    group: int = typer.Option(1, "--group", min=1, help="With --conll: sentences per Doc (1: sentence by sentence, the benchmark's reading)."),
    split: str = typer.Option("gold", "--split", help="Without GOLD: the corpus split to score (gold, gold-press, dev)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also write the scores as JSON to this file."),
):
    """Score the pipeline on gold: entity P/R/F per label, A4P P/R/F, linking accuracy."""
    import json

    if conll is not None:
        if not coarse:
            fail("--conll needs --coarse (the only CoNLL scoring defined: PERS/LOC/ORG)")
        from .external import conll_eval_cli

        conll_eval_cli(conll, model, as_json, group)
        return

    from ..data.corpus import find_sources, load_articles

    if output is not None:  # a bad -o is found before the work, not after it
        from ..outputs import OutputError, Target

        try:
            Target.open(output).discard()
        except OutputError as err:
            fail(str(err))
    if gold is None:
        corpus = checkout_path(corpus, "corpus", what="evaluate without a GOLD file")
        if not (corpus / "src" / split).is_dir():
            fail(f"{corpus / 'src' / split}: no such corpus split")
        articles, problems = load_articles(find_sources([corpus / "src" / split], corpus))
        if problems:
            fail(f"{problems[0]} (run `corpus validate`)")
        records = [a.record for a in articles]
        name = str(corpus / "src" / split)
    problems = []
    if gold is not None:
        if not gold.is_file():
            fail(f"{gold}: no such file")
        from ..gold import read_gold

        nlp = load_model(model)  # its tokenizer decides whether spans are aligned
        records, problems = read_gold(gold, nlp.make_doc)
        for p in problems:  # each bad record one line; the valid ones are still scored
            typer.echo(f"error: {p}", err=True)
        name = str(gold)
    if not records:
        fail(f"{name}: no valid records" if problems else f"{name}: no records")
    if gold is None:
        nlp = load_model(model)
    from ..evaluate import evaluate_records, format_table

    scores = evaluate_records(nlp, records)
    if output is not None:  # whole or not at all, through a unique temp file (outputs.py)
        from ..outputs import OutputError, Target

        try:
            target = Target.open(output)
            try:
                target.write(json.dumps(scores, ensure_ascii=False, indent=1) + "\n")
                target.commit()
            finally:
                target.discard()
        except OutputError as err:
            fail(str(err))
    if as_json:
        typer.echo(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{name}: {len(records)} articles\n")
        typer.echo(format_table(scores))
    if problems:
        typer.echo(f"{len(problems)} gold record(s) invalid and left out; {len(records)} scored", err=True)
        raise typer.Exit(1)


def set_overrides(settings: list[str]) -> dict:
    """`--set KEY=VALUE`s as config overrides, parsed by spaCy's own `parse_config_overrides`
    (as `spacy train --KEY VALUE` would: JSON values such as 3, true, [1, 2], "x"; anything
    else is a string). The SPACY_CONFIG_OVERRIDES environment variable is not read: what the
    run uses is what its command line says. A malformed setting is one `fail` line."""
    from spacy.cli._util import parse_config_overrides

    args = []
    for kv in settings:
        k, eq, v = kv.partition("=")
        if not eq or "." not in k.strip(".") or k.startswith("-"):
            fail(f"--set takes SECTION.KEY=VALUE, e.g. training.max_epochs=3; not {kv!r}")
        args.append(f"--{k}={v}")
    return parse_config_overrides(args, env_var=None)


def train_cli(
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Where the trained pipeline goes (replaced only on success)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Training config."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder."),
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="Scratch folder (DocBins, spaCy run)."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Override training.max_steps."),
    limit: int = typer.Option(0, "--limit", help="Only the first N articles per split (smoke runs)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Override system.seed."),
    limit_train: int = typer.Option(0, "--limit-train", help="Only N train articles, evenly spaced over the writers (learning curves)."),
    limit_dev: int = typer.Option(0, "--limit-dev", help="Only N dev articles, evenly spaced."),
    settings: Optional[list[str]] = typer.Option(None, "--set", help="Config override KEY=VALUE, e.g. nlp.tokenizer.prefix_len=3 (repeatable)."),
    external: Optional[Path] = typer.Option(None, "--external", help="Folder of the public NER corpora (configs/external_corpora.json) to add to the NER's training data."),
    upsample: int = typer.Option(1, "--upsample", help="With --external: copies of the in-domain train set in the mix."),
    keep_better: bool = typer.Option(False, "--keep-better", help="Train to <output>-candidate, compare with <output> on the gold sets (paired bootstrap) and replace it only if no headline metric is worse beyond noise."),
    force: bool = typer.Option(False, "--force", help="With --keep-better: replace the model whatever the comparison says."),
):
    """Rerun everything from configs/: corpus → DocBin → train → fit A4P → evaluate → model."""
    smoke = [flag for flag, used in (("--limit", limit), ("--max-steps", max_steps is not None),
                                     ("--limit-train", limit_train), ("--limit-dev", limit_dev)) if used]
    if smoke and output is None:  # a smoke model must never silently replace the shipped one
        fail(f"{'/'.join(smoke)} make a smoke run: pass --output explicitly (the default, models/arpk-ar, "
             "is written only by a full run or when named with --output)")
    corpus = checkout_path(corpus, "corpus", what="train")
    config = checkout_path(config, "configs", "arpk.cfg", what="train")
    output = checkout_path(output, "models", "arpk-ar", what="train")
    work_dir = checkout_path(work_dir, "training", what="train")
    from ..data.corpus import CorpusError
    from ..train import TrainingError, train

    if not config.is_file():
        fail(f"{config}: no such config")
    overrides = {}
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    if seed is not None:
        overrides["system.seed"] = seed
    overrides.update(set_overrides(settings or []))
    if force and not keep_better:
        fail("--force only makes sense with --keep-better")
    final, output = output, (output.parent / f"{output.name}-candidate" if keep_better else output)
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
    if keep_better:
        from .compare import keep_better_model

        keep_better_model(output, final, corpus, force)
        return
    typer.echo(f"model written to {output}")


