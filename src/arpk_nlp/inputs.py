"""Reading `annotate` inputs: one article at a time, every problem confined to its own input.

The rules (docs/reliability.md states them for users):
- A `.txt` file (or text on stdin) is one article. Its size is checked before it is read: UTF-8
  spends at most 4 bytes on a character, so a file over 4 × max_chars bytes (+ a BOM) is refused
  unread, and nothing reads more than that.
- A `.jsonl` file is one JSON object per line, and a line ends at "\n" only: U+2028, U+2029,
  U+0085 and "\r" are legal inside JSON strings and never split a record. Each line is decoded on
  its own (`utf-8-sig`, so a BOM is fine), so an invalid byte or a NUL rejects that line, not the
  file. Lines are read with a length bound, so one runaway line cannot exhaust memory.
- A record whose strings cannot be written as UTF-8 (a lone surrogate such as "\\ud800", which
  JSON allows) is refused with one line; its neighbours go on.
- Every field other than `id` and `text` is kept in `Item.meta` (OUTPUT.md `meta`).
- Paths are shown and used as ids in a form that is always valid UTF-8 (`safe_name`).
- stdin: `--input-format text|jsonl`, or `auto`: JSONL when the first non-blank line is a JSON
  object with a string `text`; text when the input does not start with "{" or "["; anything else
  (JSON that is not JSONL, text starting with "{") is refused with a line asking for the flag,
  never guessed.
Everything is a generator: inputs are read as the pipeline consumes them.
"""
from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

DEFAULT_MAX_CHARS = 1_000_000
INPUT_FORMATS = ("auto", "text", "jsonl")
INPUT_SUFFIXES = (".txt", ".jsonl")
# Bytes one character can take: 4 in UTF-8; 12 in JSON ("\ud83d\ude00" spells one code point).
UTF8_MAX, JSON_MAX = 4, 12
# Room on a JSONL line for id and meta fields besides the text.
LINE_SLACK = 1 << 20
BOM = b"\xef\xbb\xbf"


@dataclass
class Item:
    """One article to annotate. `meta`: the JSONL fields other than id/text (e.g. `date`)."""

    id: str
    source: str
    text: str
    meta: dict = field(default_factory=dict)


class InputError(Exception):
    """A user-facing problem with one input: reported as a single line."""


def safe_name(name: str | os.PathLike) -> str:
    """A path as text that is always valid UTF-8: bytes that are not UTF-8 (which Python keeps
    as lone surrogates, PEP 383) are shown as \\xNN."""
    s = os.fspath(name)
    if isinstance(s, bytes):
        return s.decode("utf-8", "backslashreplace")
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte (e.g. from JSON "\ud800")
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


def iter_inputs(paths: Iterable[str], max_chars: int = DEFAULT_MAX_CHARS, stdin: BinaryIO | None = None,
                input_format: str = "auto") -> Iterator[Item | InputError]:
    """Yield an Item per article, or an InputError per bad input, in input order, lazily.

    paths: files (.txt or .jsonl), folders (their .txt/.jsonl files, sorted) or '-' for stdin.
    input_format: 'auto' (by suffix; detection for stdin, see module doc), 'text' or 'jsonl'.
    """
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"input_format must be one of {INPUT_FORMATS}")
    for p in paths:
        if p == "-":
            yield from _stdin_items(stdin, max_chars, input_format)
            continue
        path = Path(p)
        if path.is_dir():
            try:
                files = sorted(f for f in path.rglob("*") if f.suffix in INPUT_SUFFIXES and f.is_file())
            except OSError as err:
                yield InputError(f"{safe_name(path)}: cannot list folder ({err.strerror})")
                continue
            if not files:
                yield InputError(f"{safe_name(path)}: folder has no .txt or .jsonl files")
            for f in files:
                yield from _file_items(f, max_chars, input_format)
        else:
            yield from _file_items(path, max_chars, input_format)


def _file_items(path: Path, max_chars: int, input_format: str) -> Iterator[Item | InputError]:
    shown = safe_name(path)
    try:
        f = path.open("rb")
    except FileNotFoundError:
        yield InputError(f"{shown}: no such file")
        return
    except IsADirectoryError:
        yield InputError(f"{shown}: is a directory")
        return
    except OSError as err:
        yield InputError(f"{shown}: cannot read ({err.strerror})")
        return
    with f:
        jsonl = input_format == "jsonl" or (input_format == "auto" and path.suffix == ".jsonl")
        try:
            if jsonl:
                yield from _jsonl_items(f, shown, safe_name(path.stem), max_chars)
            else:
                st = os.fstat(f.fileno())
                size = st.st_size if stat.S_ISREG(st.st_mode) else None  # a FIFO has no size
                yield _text_item(f, shown, safe_name(path.stem), max_chars, size)
        except OSError as err:  # e.g. EIO half-way through: this input only
            yield InputError(f"{shown}: cannot read ({err.strerror})")


def _stdin_items(stdin: BinaryIO | None, max_chars: int, input_format: str) -> Iterator[Item | InputError]:
    if stdin is None:
        stdin = getattr(sys.stdin, "buffer", None)  # sys.stdin is None when fd 0 was closed
    if stdin is None:
        yield InputError("<stdin>: closed (nothing to read)")
        return
    try:
        if input_format == "auto":
            head, input_format = _sniff(stdin, max_chars)
            if input_format is None:
                yield InputError("<stdin>: starts with '{' or '[' but its first line is not a JSONL record "
                                 "{\"id\", \"text\"}; pass --input-format jsonl or --input-format text")
                return
            stdin = _Replay(head, stdin)
        if input_format == "jsonl":
            yield from _jsonl_items(stdin, "<stdin>", "stdin", max_chars)
        else:
            yield _text_item(stdin, "<stdin>", "stdin", max_chars, None)
    except (OSError, ValueError) as err:  # EBADF, a closed stream (ValueError: I/O on closed file)
        yield InputError(f"<stdin>: cannot read ({getattr(err, 'strerror', None) or first_line(err)})")


def _sniff(stream: BinaryIO, max_chars: int) -> tuple[list[bytes], str | None]:
    """Read up to the first non-blank line of stdin; RETURNS the lines read and the format."""
    head = []
    limit = JSON_MAX * max_chars + LINE_SLACK
    while True:
        line = stream.readline(limit + 1)
        head.append(line)
        if not line:
            return head, "text"  # empty: the text path reports it
        stripped = line.removeprefix(BOM).strip()
        if not stripped:
            continue
        if stripped[:1] not in (b"{", b"["):
            return head, "text"
        try:
            obj = json.loads(stripped.decode("utf-8"))
        except ValueError:
            return head, None
        return head, ("jsonl" if isinstance(obj, dict) and isinstance(obj.get("text"), str) else None)


class _Replay:
    """A byte stream with lines already read put back in front (what `_sniff` consumed)."""

    def __init__(self, head: list[bytes], stream: BinaryIO):
        self.head, self.stream = [h for h in head if h], stream

    def readline(self, limit: int = -1) -> bytes:
        return self.head.pop(0) if self.head else self.stream.readline(limit)

    def read(self, n: int = -1) -> bytes:
        data = b"".join(self.head)
        self.head = []
        if n < 0:
            return data + self.stream.read()
        return data + self.stream.read(max(0, n - len(data))) if len(data) < n else data


def _text_item(f: BinaryIO, source: str, default_id: str, max_chars: int, size: int | None) -> Item | InputError:
    limit = UTF8_MAX * max_chars + 3  # + a BOM
    if size is not None and size > limit:  # refused before reading a byte
        return InputError(f"{source}: too large ({size:,} bytes, more than {max_chars:,} characters; see --max-chars)")
    data = f.read(limit + 1)  # bounded even for a pipe or a FIFO
    if len(data) > limit:
        return InputError(f"{source}: too large (more than {limit:,} bytes, {max_chars:,} characters; see --max-chars)")
    if b"\x00" in data:
        return InputError(f"{source}: binary file (contains NUL bytes), expected UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return InputError(f"{source}: not UTF-8 (invalid byte at offset {err.start})")
    problem = _check_text(text, max_chars)
    return InputError(f"{source}: {problem}") if problem else Item(default_id, source, text)


def _check_text(text: str, max_chars: int) -> str | None:
    if not text.strip():
        return "empty input"
    if len(text) > max_chars:
        return f"too large ({len(text):,} characters; limit {max_chars:,}, see --max-chars)"
    return None


def _lines(f: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the "\\n") for each line; None for a line over `limit` bytes,
    whose rest is skipped in bounded reads."""
    n = 0
    while True:
        line = f.readline(limit + 1)
        if not line:
            return
        n += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = f.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield n, None
        else:
            yield n, line[:-1] if line.endswith(b"\n") else line


def _jsonl_items(f: BinaryIO, source: str, default_id: str, max_chars: int) -> Iterator[Item | InputError]:
    limit = JSON_MAX * max_chars + LINE_SLACK
    seen = False
    for n, raw in _lines(f, limit):
        where = f"{source}:{n}"
        if raw is None:
            seen = True
            yield InputError(f"{where}: line too long (more than {limit:,} bytes; see --max-chars)")
            continue
        if not raw.removeprefix(BOM).strip():
            continue
        seen = True
        yield _jsonl_record(raw, where, f"{default_id}-{n}", max_chars)
    if not seen:
        yield InputError(f"{source}: empty input")


def _jsonl_record(raw: bytes, where: str, default_id: str, max_chars: int) -> Item | InputError:
    if b"\x00" in raw:
        return InputError(f"{where}: contains a NUL byte")
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return InputError(f"{where}: not UTF-8 (invalid byte at column {err.start + 1})")
    try:
        obj = json.loads(line)
    except ValueError as err:  # JSONDecodeError, or a number too long to convert
        return InputError(f"{where}: not valid JSON ({getattr(err, 'msg', None) or first_line(err)})")
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return InputError(f"{where}: expected an object with a string 'text'")
    raw_id = obj.get("id", default_id)
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        return InputError(f"{where}: 'id' must be a string or an integer")
    meta = {k: v for k, v in obj.items() if k not in ("id", "text")}
    for key, value in (("text", obj["text"]), ("id", str(raw_id)), *meta.items()):
        at = _unencodable(key) or _unencodable(value)
        if at is not None:
            return InputError(f"{where}: field {safe_name(key)!r} is not valid Unicode ({at}); "
                              "a lone surrogate escape such as \\ud800 cannot be annotated or written as UTF-8")
    problem = _check_text(obj["text"], max_chars)
    if problem:
        return InputError(f"{where}: {problem}")
    return Item(str(raw_id), where, obj["text"], meta)


def _unencodable(value) -> str | None:
    """Where `value` (any JSON value) holds a string UTF-8 cannot encode, or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            return f"lone surrogate U+{ord(value[err.start]):04X} at character {err.start}"
        return None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    for v in items:
        at = _unencodable(v)
        if at is not None:
            return at
    return None


def first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0]
