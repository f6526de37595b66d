"""What every command shares: the one-line failure, model loading, checkout defaults."""
from __future__ import annotations

import sys
from contextlib import redirect_stdout
from pathlib import Path

import typer
from wasabi import Printer

# Plain printer: wasabi's pretty mode adds an icon and colour and wraps at 80 columns, which would
# break the promise of ONE line starting with "error:" (scripts and tests grep for it).
_msg = Printer(pretty=False)


def fail(message: str, code: int = 1) -> None:
    """One clear line on stderr and a non-zero exit: no traceback for user errors."""
    with redirect_stdout(sys.stderr):  # wasabi prints to stdout; errors belong on stderr
        _msg.fail(f"error: {message}")
    raise typer.Exit(code)


def first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0]


def checkout_path(explicit: Path | None, *parts: str, what: str) -> Path:
    """`explicit`, or <checkout>/<parts> (one line and exit 1 outside a checkout)."""
    if explicit is not None:
        return explicit
    from ..paths import NotFound, require_checkout

    try:
        return require_checkout(what).joinpath(*parts)
    except NotFound as err:
        fail(str(err))


def resolve_model(model: Path | None):
    """What to load: -m, $ARPK_NLP_MODEL, the installed model package or the checkout's model."""
    from ..paths import NotFound, find_model

    try:
        return find_model(model)
    except NotFound as err:
        fail(str(err))


def load_model(model: Path | None):
    """spacy.load with a one-line error for a missing, corrupt or changed model: the model's
    files are checked against the checksums recorded at training first (integrity.py)."""
    where = resolve_model(model)
    if isinstance(where, Path) and not where.exists():
        fail(f"{where}: model not found (train one with `python -m arpk_nlp train`, or pass --model)")
    from ..integrity import IntegrityError, model_folder, verify

    folder = model_folder(where)
    if folder is not None:
        try:
            verify(folder)
        except IntegrityError as err:
            fail(f"{where}: {err}")
    import spacy

    try:
        return spacy.load(where)
    except Exception as err:  # noqa: BLE001 -- a broken model folder fails in many ways (msgpack, zip,
        # numpy, config errors); each one is a single line naming the model, never a traceback
        fail(f"{where}: cannot load model ({type(err).__name__}: {first_line(err)})")
