"""Where `annotate` writes: stdout, or a file written whole or not at all.

A regular file (or a new one) is written through a unique temporary file in the target's own
folder (`.<name>.<pid>.<random>.arpk-tmp`), flushed, fsynced and moved over the target with one
`os.replace`; an interrupted or failed run removes its temporary file (every exit path Python
sees: errors, SIGINT, SIGTERM) and leaves the old target as it was; temporary files of runs that
were killed outright (SIGKILL) are removed by the next run writing the same target. Two runs
writing the same target never share a temporary file; the last to finish wins.
A symlink is written through (its target is replaced, the link stays). A FIFO, a character
device (/dev/null, /dev/stdout) or a socket is streamed to directly: it cannot be replaced.
Every problem (a folder, a missing or read-only folder, a full disk, a closed stdout, a reader
gone from a pipe) is one `OutputError` line, found before the work starts when it can be.
"""
from __future__ import annotations

import errno
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from .inputs import safe_name

TMP_SUFFIX = ".arpk-tmp"
OUTPUT_FORMATS = ("text", "json", "jsonl", "html")


class OutputError(Exception):
    """The output cannot be written: reported as one line."""


class Target:
    """A byte sink with commit/discard. Use `Target.open(path)`; path None or '-' is stdout."""

    def __init__(self, shown: str):
        self.shown = shown
        self.f = None
        self.tmp: Path | None = None
        self.final: Path | None = None

    @classmethod
    def open(cls, path: Path | str | None) -> Target:
        if path is None or str(path) == "-":
            return _Stdout()
        t = cls(safe_name(path))
        t._open_file(Path(path))
        return t

    def _open_file(self, path: Path) -> None:
        real = Path(os.path.realpath(path))  # a symlink is written through, not replaced
        try:
            st = os.stat(real)
        except FileNotFoundError:
            st = None
        except OSError as err:
            raise OutputError(f"{self.shown}: cannot write ({err.strerror})") from None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{self.shown}: is a directory")
        if st is not None and not stat.S_ISREG(st.st_mode):  # FIFO, device, socket: stream to it
            try:
                self.f = open(real, "wb")  # noqa: SIM115 -- closed by commit/discard
            except OSError as err:
                raise OutputError(f"{self.shown}: cannot write ({err.strerror})") from None
            return
        folder = real.parent
        if not folder.is_dir():
            raise OutputError(f"{self.shown}: folder {safe_name(folder)} does not exist")
        if st is not None and not os.access(real, os.W_OK):
            raise OutputError(f"{self.shown}: not writable (permission denied)")
        _remove_stale(folder, real.name)
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{real.name}.{os.getpid()}.", suffix=TMP_SUFFIX)
        except OSError as err:
            raise OutputError(f"{self.shown}: cannot write in {safe_name(folder)} ({err.strerror})") from None
        self.tmp, self.final = Path(tmp), real
        # mkstemp makes 0600 files; the result should have the mode a plain open() would give
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
        try:
            os.fchmod(fd, mode)
        except OSError:
            pass
        self.f = os.fdopen(fd, "wb")

    def write(self, text: str) -> None:
        try:
            self.f.write(text.encode("utf-8"))
        except OSError as err:
            raise self._error(err) from None

    def commit(self) -> None:
        """Make the output visible: flush, fsync, rename over the target."""
        try:
            self.f.flush()
            if self.tmp is not None:
                os.fsync(self.f.fileno())
            self.f.close()
            if self.tmp is not None:
                os.replace(self.tmp, self.final)
                self.tmp = None
                _fsync_dir(self.final.parent)
        except OSError as err:
            raise self._error(err) from None
        finally:
            self.discard()

    def discard(self) -> None:
        """Forget everything written (idempotent; safe on every exit path)."""
        if self.f is not None:
            try:
                self.f.close()
            except OSError:
                pass
        if self.tmp is not None:
            try:
                self.tmp.unlink()
            except OSError:
                pass
            self.tmp = None

    def _error(self, err: OSError) -> OutputError:
        if err.errno == errno.EPIPE:
            return OutputError(f"{self.shown}: the reader closed the pipe (broken pipe)")
        return OutputError(f"{self.shown}: cannot write ({err.strerror or type(err).__name__})")


class _Stdout(Target):
    """stdout, streamed (UTF-8 whatever the locale). A closed stdout is found before the work."""

    def __init__(self):
        super().__init__("<stdout>")
        out = sys.stdout
        if out is None or getattr(out, "closed", False):
            raise OutputError("<stdout>: closed (redirect it, or use -o FILE)")
        self.f = getattr(out, "buffer", None)
        if self.f is None:
            raise OutputError("<stdout>: not a byte stream (use -o FILE)")

    def commit(self) -> None:
        try:
            self.f.flush()
        except OSError as err:
            raise self._error(err) from None

    def discard(self) -> None:
        pass

    def _error(self, err: OSError) -> OutputError:
        if err.errno == errno.EPIPE:
            _silence_stdout()  # or Python complains again when it flushes stdout at exit
        return super()._error(err)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _remove_stale(folder: Path, name: str) -> None:
    """Temporary files for this target left by runs that no longer exist (killed by SIGKILL)."""
    prefix = f".{name}."
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(prefix) and p.name.endswith(TMP_SUFFIX)]
    except OSError:
        return
    for p in candidates:
        pid = p.name[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                p.unlink()
            except OSError:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """The rename itself is durable only once the folder is synced (POSIX; best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class RecordWriter:
    """Records → a Target in one of OUTPUT_FORMATS, one article at a time.

    `json` is one object when `single` allows it and exactly one record came, else a list; the
    first record is held back until the second one (or the end) decides which."""

    def __init__(self, target: Target, fmt: str, single: bool = False):
        from .annotate import HtmlPage

        self.target, self.fmt, self.single = target, fmt, single
        self.count = 0
        self.held: dict | None = None
        self.page = HtmlPage() if fmt == "html" else None

    def add(self, rec: dict, text: str) -> None:
        from .annotate import render_text

        self.count += 1
        if self.fmt == "jsonl":
            self.target.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif self.fmt == "text":
            self.target.write(("\n\n" if self.count > 1 else "") + render_text(rec, text))
        elif self.fmt == "html":
            self.target.write((self.page.head if self.count == 1 else "") + self.page.article(rec, text))
        elif self.count == 1:
            self.held = rec
        else:
            if self.held is not None:
                self.target.write("[\n" + _indent(self.held))
                self.held = None
            self.target.write(",\n" + _indent(rec))

    def finish(self, single_ok: bool) -> None:
        """Close the document (single_ok: one object may stand alone, see OUTPUT.md)."""
        if not self.count:
            return
        if self.fmt == "text":
            self.target.write("\n")
        elif self.fmt == "html":
            self.target.write(self.page.tail)
        elif self.fmt == "json":
            if self.held is not None and single_ok:
                self.target.write(json.dumps(self.held, ensure_ascii=False, indent=2) + "\n")
            elif self.held is not None:
                self.target.write("[\n" + _indent(self.held) + "\n]\n")
            else:
                self.target.write("\n]\n")


def _indent(rec: dict) -> str:
    return "\n".join("  " + line for line in json.dumps(rec, ensure_ascii=False, indent=2).splitlines())
