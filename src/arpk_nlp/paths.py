"""Where things are, found at run time and never baked in at import.

The model is found by `-m`, then `$ARPK_NLP_MODEL`, then an installed model package
(`spacy package` output, `ar_arpk_ar`), then `models/arpk-ar` of a source checkout. The commands
that work on a checkout (train, corpus, evaluate on the corpus' gold) use the checkout found from
the working folder upwards, or the one this package was imported from (an editable install).
An installed wheel outside a checkout has no checkout, and those commands say so in one line.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

MODEL_ENV = "ARPK_NLP_MODEL"
MODEL_PACKAGE = "ar_arpk_ar"
MODEL_NAME = "arpk-ar"
# What a trained model is made from, besides the corpus and the training config: its hash is
# recorded in the model's meta (configs/textcat.cfg only serves a comparison script).
MODEL_INPUTS = ("a4p_lexicon.json", "demonyms.json", "actors", "names", "external_corpora.json")


class NotFound(LookupError):
    """A file or folder the command needs could not be found (message: what to do)."""


def _is_checkout(d: Path) -> bool:
    return (d / "configs" / "arpk.cfg").is_file() and (d / "corpus").is_dir()


def checkout() -> Path | None:
    """The source checkout in use: the working folder or a parent of it, else the checkout this
    package was imported from (editable install), else None."""
    cwd = Path.cwd()
    for d in (cwd, *cwd.parents):
        if _is_checkout(d):
            return d
    here = Path(__file__).resolve().parents[2]
    return here if _is_checkout(here) else None


def require_checkout(what: str) -> Path:
    """The checkout, or a NotFound naming what needed it."""
    root = checkout()
    if root is None:
        raise NotFound(f"{what} needs a source checkout of arpk_nlp (configs/ and corpus/); "
                       "run it inside one, or pass the paths explicitly")
    return root


def find_model(explicit: str | Path | None = None) -> str | Path:
    """What `spacy.load` should load: a path or an installed package name (see module doc)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    if importlib.util.find_spec(MODEL_PACKAGE) is not None:
        return MODEL_PACKAGE
    root = checkout()
    if root is not None and (root / "models" / MODEL_NAME).exists():
        return root / "models" / MODEL_NAME
    raise NotFound(f"no model found: pass -m PATH, set {MODEL_ENV}, install the model package "
                   f"({MODEL_PACKAGE}), or run inside a checkout that has models/{MODEL_NAME}")


def inputs_hash(configs: Path) -> str:
    """sha256 over the model's input files in configs/ (relative path + content)."""
    files = []
    for name in MODEL_INPUTS:
        p = configs / name
        files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p] if p.exists() else []
    from .hashing import sha256_tree

    return sha256_tree(files, configs)


def dev_and_gold(corpus: Path | None = None) -> dict[str, list[dict]]:
    """The dev and gold records straight from the authoring files (for evaluation scripts)."""
    from .data.corpus import split_records

    corpus = corpus or require_checkout("reading the corpus") / "corpus"
    return {split: split_records(corpus, split) for split in ("dev", "gold")}
