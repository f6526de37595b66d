"""Sharded news archives in: folders of .jsonl, .jsonl.gz, Parquet and .txt files, read as a stream.

A shard is one file. Each line (JSONL) or row (Parquet) is one article: `text` (required), `id`
(optional: `<shard stem>-<line>` when absent) and any other fields, kept as the article's `meta`
(as OUTPUT.md's `meta`). A `.txt` file is one article without meta; its id is the file's path
inside the input folder without `.txt` (`2020/05/a17` for `<input>/2020/05/a17.txt`; the bare
stem for a file given by itself, as `annotate` names it): the stem alone would give two
folders' `a17.txt` the same id, and an id is an article's identity across the archive. Nothing is read ahead of what the caller consumes: a Parquet shard is
read in record batches, a JSONL shard line by line (gzip decompressed on the fly), so memory
depends on the batch size, never on the archive.

A bad article (invalid JSON, no text, empty, too long, not UTF-8) is yielded as a `BadArticle`
naming its shard and line; the rest of the shard is still read. A shard that stops being readable
half way (truncated gzip) yields one `BadArticle` for the rest of it.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SHARD_SUFFIXES = (".jsonl", ".jsonl.gz", ".parquet", ".txt")
DEFAULT_MAX_CHARS = 1_000_000


class ArchiveError(Exception):
    """An input path that cannot be used at all (missing, no shards): reported as one line."""


@dataclass
class Article:
    id: str
    text: str
    source: str  # "<shard key>:<line or row number>", the place to look when something is wrong
    shard: str  # the shard's key: its path inside the input folder (stable across reruns)
    meta: dict = field(default_factory=dict)

    @property
    def words(self) -> int:
        # whitespace-separated words of the input, as scripts/benchmark.py counts them
        return len(self.text.split())

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


@dataclass
class BadArticle:
    source: str
    shard: str
    message: str
    id: str | None = None

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass
class Shard:
    path: Path
    key: str  # relative to the input folder it was found in (or the file name): see Article.shard


def text_hash(text: str) -> str:
    """The identity of an article's text for resuming: 128 bits of sha256 over its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def is_shard(path: Path) -> bool:
    return path.name.endswith(SHARD_SUFFIXES)


def find_shards(inputs: Iterable[str | Path]) -> list[Shard]:
    """The shard files of `inputs` (files or folders searched recursively), each folder's in
    sorted order. Raises ArchiveError for a path that is missing or holds no shard."""
    shards: list[Shard] = []
    for p in inputs:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and is_shard(f))
            if not found:
                raise ArchiveError(f"{p}: folder has no {', '.join(SHARD_SUFFIXES)} files")
            shards += [Shard(f, f.relative_to(path).as_posix()) for f in found]
        elif path.is_file():
            if not is_shard(path):
                raise ArchiveError(f"{p}: not a shard (expected {', '.join(SHARD_SUFFIXES)})")
            shards.append(Shard(path, path.name))
        else:
            raise ArchiveError(f"{p}: no such file or folder")
    return shards


def read_shard(shard: Shard, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[Article | BadArticle]:
    """The articles of one shard, in order, or a BadArticle for each one that cannot be used."""
    if shard.path.name.endswith(".parquet"):
        yield from _read_parquet(shard, max_chars)
    elif shard.path.name.endswith(".txt"):
        yield _read_txt(shard, max_chars)
    else:
        yield from _read_jsonl(shard, max_chars)


def iter_articles(shards: Iterable[Shard], max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[Article | BadArticle]:
    for shard in shards:
        yield from read_shard(shard, max_chars)


def _article(obj: dict, shard: Shard, n: int, max_chars: int, where: str | None = None) -> Article | BadArticle:
    where = where or f"{shard.key}:{n}"
    text = obj.get("text")
    raw_id = obj.get("id")
    art_id = str(raw_id) if raw_id not in (None, "") else f"{Path(shard.key).name.split('.')[0]}-{n}"
    if not isinstance(text, str):
        return BadArticle(where, shard.key, "expected a string 'text'", art_id)
    if not text.strip():
        return BadArticle(where, shard.key, "empty text", art_id)
    if len(text) > max_chars:
        return BadArticle(where, shard.key, f"too large ({len(text):,} characters; limit {max_chars:,})", art_id)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape: not text spaCy can hold
        return BadArticle(where, shard.key, "text contains a lone surrogate (invalid Unicode)", art_id)
    meta = {k: _plain(v) for k, v in obj.items() if k not in ("id", "text")}
    return Article(art_id, text, where, shard.key, meta)


def _plain(value):
    """Parquet values as JSON values: dates as ISO text, the rest unchanged where JSON has them."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _read_jsonl(shard: Shard, max_chars: int) -> Iterator[Article | BadArticle]:
    opener = gzip.open if shard.path.name.endswith(".gz") else open
    n = 0
    try:
        with opener(shard.path, "rb") as f:
            for n, raw in enumerate(f, 1):
                if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                where = f"{shard.key}:{n}"
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    yield BadArticle(where, shard.key, f"not UTF-8 (invalid byte at offset {err.start})")
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as err:
                    yield BadArticle(where, shard.key, f"not valid JSON ({err.msg})")
                    continue
                if not isinstance(obj, dict):
                    yield BadArticle(where, shard.key, "expected an object with a string 'text'")
                    continue
                yield _article(obj, shard, n, max_chars)
    except (OSError, EOFError, zlib.error) as err:  # unreadable, or a gzip cut short
        what = getattr(err, "strerror", None) or str(err) or type(err).__name__
        yield BadArticle(f"{shard.key}:{n + 1}", shard.key, f"cannot read the rest of the shard ({what})")


def _read_txt(shard: Shard, max_chars: int) -> Article | BadArticle:
    """A .txt shard: the whole file is one article (UTF-8, a BOM allowed)."""
    art_id = shard.key[: -len(".txt")]
    limit = 4 * max_chars + 3  # UTF-8 spends at most 4 bytes on a character (+ a BOM)
    try:
        with open(shard.path, "rb") as f:
            data = f.read(limit + 1)  # never more than a too-large file needs to be refused
    except OSError as err:
        return BadArticle(shard.key, shard.key, f"cannot read ({err.strerror})", art_id)
    if len(data) > limit:
        return BadArticle(shard.key, shard.key, f"too large (more than {max_chars:,} characters)", art_id)
    if b"\x00" in data:
        return BadArticle(shard.key, shard.key, "binary file (contains NUL bytes), expected UTF-8 text", art_id)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return BadArticle(shard.key, shard.key, f"not UTF-8 (invalid byte at offset {err.start})", art_id)
    return _article({"id": art_id, "text": text}, shard, 1, max_chars, where=shard.key)


def _read_parquet(shard: Shard, max_chars: int, rows_per_batch: int = 1024) -> Iterator[Article | BadArticle]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(shard.path)
    except Exception as err:  # pyarrow raises its own ArrowInvalid/OSError kinds for a bad file
        yield BadArticle(f"{shard.key}", shard.key, f"not a readable Parquet file ({_first_line(err)})")
        return
    if "text" not in pf.schema_arrow.names:
        yield BadArticle(f"{shard.key}", shard.key, "Parquet shard has no 'text' column")
        return
    n = 0
    try:
        for batch in pf.iter_batches(batch_size=rows_per_batch):
            for row in batch.to_pylist():
                n += 1
                yield _article(row, shard, n, max_chars)
    except Exception as err:  # a corrupt row group: the rest of the shard is lost, the job goes on
        yield BadArticle(f"{shard.key}:{n + 1}", shard.key, f"cannot read the rest of the shard ({_first_line(err)})")


def _first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0]
