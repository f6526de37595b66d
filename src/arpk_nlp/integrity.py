"""A model that cannot silently rot: sha256 of every model file, written at training, checked at load.

`checksums.sha256` sits in the model folder in `sha256sum` format (so `sha256sum -c
checksums.sha256` works there too) and travels with it into `spacy package` output. It covers
every file but `meta.json`, which `spacy package` rewrites (name, version) and which holds no
weights. A model without the file (trained before it existed) loads unchecked.

Also here: `swap_in`, the retrain's atomic replacement of a model folder.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
from pathlib import Path

from .hashing import sha256_file

CHECKSUMS = "checksums.sha256"
UNCHECKED = {"meta.json", CHECKSUMS}


class IntegrityError(Exception):
    """A model file is missing, truncated or changed since training (message: one line)."""


def _model_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.relative_to(folder).as_posix() not in UNCHECKED
                  and "__pycache__" not in p.parts)


def write_checksums(folder: Path) -> int:
    """Record the sha256 of every file of the model at `folder`; RETURNS how many."""
    folder = Path(folder)
    files = _model_files(folder)
    lines = [f"{sha256_file(f)}  {f.relative_to(folder).as_posix()}\n" for f in files]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")
    return len(files)


def verify(folder: Path) -> int:
    """Check the model at `folder` against its checksums. RETURNS the number of files checked
    (0: no checksums recorded). Raises IntegrityError naming the first bad file."""
    folder = Path(folder)
    listing = folder / CHECKSUMS
    if not listing.is_file():
        return 0
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise IntegrityError(f"{CHECKSUMS} is unreadable ({err})") from None
    bad, n = [], 0
    for line in lines:
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64:
            raise IntegrityError(f"{CHECKSUMS} is malformed (line {n + 1})")
        n += 1
        f = folder / rel
        try:
            actual = sha256_file(f)
        except FileNotFoundError:
            bad.append(f"{rel} is missing")
            continue
        except OSError as err:
            bad.append(f"{rel} is unreadable ({err.strerror})")
            continue
        if actual != digest:
            bad.append(f"{rel} does not match its checksum (truncated or changed since training)")
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise IntegrityError(f"model file {bad[0]}{more}; retrain or reinstall the model")
    return n


def model_folder(where: str | Path) -> Path | None:
    """The folder of a model given as a path or an installed package name (spacy package output:
    <package>/<name>-<version>/config.cfg); None when it cannot be found."""
    p = Path(where)
    if p.is_dir():
        return p
    try:
        from spacy.util import get_package_path

        root = get_package_path(str(where))
    except Exception:  # noqa: BLE001 -- not an installed package: spaCy will say so at load
        return None
    found = sorted(c.parent for c in root.glob("*/config.cfg"))
    return found[0] if found else None


# --- the retrain swap ------------------------------------------------------------------------

_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE). RETURNS False when the
    system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    rc = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def swap_in(staging: Path, output: Path) -> str:
    """Put the model folder `staging` at `output` so that `output` is never missing: a new
    output is one rename; an existing one is exchanged with staging in one atomic step (the old
    model then sits at `staging` and is removed). Where the system has no exchange, the old model
    is moved aside and the new one renamed in right after (a window of two renames, the best
    plain POSIX allows). RETURNS how it was done: 'rename', 'exchange' or 'two-renames'."""
    if not output.exists():
        staging.rename(output)
        return "rename"
    if _exchange(staging, output):
        shutil.rmtree(staging)
        return "exchange"
    old = output.parent / f".{output.name}.old"
    if old.exists():
        shutil.rmtree(old)
    output.rename(old)
    staging.rename(output)
    shutil.rmtree(old)
    return "two-renames"
