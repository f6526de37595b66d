"""CLI for the external corpora (registered by cli.py as `arpk-nlp external …`, and
`evaluate --conll PATH --coarse` calling `conll_eval_cli`). spaCy is imported inside the commands.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from .common import checkout_path, load_model
from .common import fail as _fail
from .common import first_line as _first_line

external_app = typer.Typer(no_args_is_help=True,
                           help="Public Arabic NER corpora (ANERcorp, AQMAR, Wojood): convert, check the label mapping.")


def _blank_nlp(config: Path):
    """A blank pipeline with the tokenizer of the training config (its NORM/PREFIX/SUFFIX)."""
    import spacy
    from spacy.util import load_config

    if not config.is_file():
        _fail(f"{config}: no such config (pass --config)")
    cfg = load_config(config)
    return spacy.blank(cfg["nlp"]["lang"], config={"nlp": {"tokenizer": cfg["nlp"]["tokenizer"]}})


@external_app.command("convert")
def external_convert_cli(
    data: Path = typer.Option(..., "--data", help="Folder holding the corpora (anercorp-camellab/, aqmar/, wojood-sample/)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where <corpus>-<split>.spacy DocBins are written."),
    no_verify: bool = typer.Option(False, "--no-verify", help="Do not check the files' sha256 against configs/external_corpora.json."),
    splits: Optional[list[str]] = typer.Option(None, "--split", help="Splits to convert (repeatable; default train and dev)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Training config whose tokenizer settings are used."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
):
    """Convert the training splits of the declared corpora to DocBins (test splits are never converted unless named)."""
    out = checkout_path(out, "training", "external", what="external convert")
    config = checkout_path(config, "configs", "arpk.cfg", what="external convert")
    from ..data.external import convert

    nlp = _blank_nlp(config)
    try:
        res = convert(data, out, nlp, splits=tuple(splits or ("train", "dev")), verify=not no_verify)
    except (FileNotFoundError, ValueError) as err:
        _fail(_first_line(err))
    if as_json:
        typer.echo(json.dumps(res, ensure_ascii=False, indent=1))
        return
    labels = sorted({l for st in res["files"].values() for l in st["entities"]})
    head = ["file", "docs", "sentences", "tokens", *labels, "missing", "repairs"]
    typer.echo("| " + " | ".join(head) + " |")
    typer.echo("|---|" + "---:|" * (len(head) - 1))
    for name, st in [*res["files"].items(), ("total", res["total"])]:
        vals = [st["docs"], st["sentences"], st["tokens"], *(st["entities"].get(l, 0) for l in labels),
                st["missing_spans"], st["repairs"]]
        typer.echo(f"| {name} | " + " | ".join(str(v) for v in vals) + " |")
    for s in res["skipped"]:
        typer.echo(f"skipped {s}", err=True)
    typer.echo(f"written to {out}", err=True)


@external_app.command("mapping")
def external_mapping_cli(
    data: Path = typer.Option(..., "--data", help="Folder holding the corpora."),
    n: int = typer.Option(30, "--n", help="Samples per decision."),
    seed: int = typer.Option(0, "--seed", help="Sampling seed."),
):
    """Show samples of the LOC → GPE / LOC → LOC decisions (ANERcorp, AQMAR) for a human check."""
    from ..data.external import mapping_report

    try:
        typer.echo(mapping_report(data, n=n, seed=seed))
    except (FileNotFoundError, ValueError) as err:
        _fail(_first_line(err))


def conll_eval_cli(path: Path, model: Optional[Path], as_json: bool = False, group: int = 1) -> None:
    """`evaluate --conll PATH --coarse`: the standard PERS/LOC/ORG benchmark on a CoNLL file."""
    path = Path(path)
    if not path.is_file():
        _fail(f"{path}: no such CoNLL file")
    from ..data.external import coarse_conll_scores, format_coarse

    nlp = load_model(model)
    try:
        scores = coarse_conll_scores(nlp, path, group=group)
    except (ValueError, UnicodeDecodeError) as err:
        msg = _first_line(err)
        _fail(msg if str(path) in msg else f"{path}: {msg}")
    if as_json:
        typer.echo(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        typer.echo(format_coarse(scores))
