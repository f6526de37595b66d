"""The one sha256 helper pair: a file, and a set of files with their relative paths."""
from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path, h=None) -> str:
    """sha256 of one file's bytes (or update `h` with them and return its digest so far)."""
    h = h or hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_tree(files: list[Path], root: Path) -> str:
    """sha256 over files' relative paths and contents, in the given order: the identity of a set of inputs."""
    h = hashlib.sha256()
    for f in files:  # in the caller's order: it is part of the identity
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        sha256_file(f, h)
        h.update(b"\0")
    return h.hexdigest()
