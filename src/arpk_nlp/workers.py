"""Worker processes for `annotate -j N`, built to stop with their parent.

Why not `nlp.pipe(n_process=N)`: a SIGINT to its parent hung it for good, a SIGTERM/SIGKILL left
the workers alive, and an exception in one worker lost the whole batch. Here:
- workers are forked from the parent (the loaded pipeline is shared copy-on-write, nothing is
  pickled but the items and the records);
- each worker gets one batch at a time through its own pipe and the parent only sends to an idle
  worker, so neither side can block the other; at most `ahead` batches are in flight or waiting
  to be put back in order, so memory stays bounded;
- a worker ignores SIGINT (a Ctrl-C reaches the whole process group; the parent decides), dies
  with its parent (Linux PR_SET_PDEATHSIG, and in any case at EOF on its pipe), and the parent
  stops all workers in a `finally`: on normal end, on an exception, on SIGINT/SIGTERM;
- a worker that dies on a batch (a segfault, the OOM killer) is replaced, and its batch is rerun
  one item per job, so only the item that kills a worker is reported.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait

from .inputs import InputError


def parallel_map(fn: Callable, nlp, batches: Iterator, n: int, key: Callable = lambda b: b,
                 ahead: int | None = None) -> Iterator[tuple]:
    """YIELDS (batch, fn(nlp, key(batch))) in batch order, computed in n forked workers.
    fn must return one result per item of key(batch)."""
    if "fork" not in mp.get_all_start_methods():  # no fork (Windows, macOS default): one process
        for b in batches:
            yield b, fn(nlp, key(b))
        return
    ahead = ahead or 2 * n
    ctx = mp.get_context("fork")
    pool = _Pool(ctx, fn, nlp, n)
    try:
        yield from pool.run(batches, key, ahead)
    finally:
        pool.stop()


class _Worker:
    def __init__(self, ctx, fn, nlp):
        self.conn, child = ctx.Pipe()
        parent_pid = os.getpid()
        self.proc = ctx.Process(target=_serve, args=(child, fn, nlp, parent_pid), daemon=True)
        self.proc.start()
        child.close()
        self.job = None  # (seq, offset, items) while busy


class _Pool:
    def __init__(self, ctx, fn, nlp, n):
        self.ctx, self.fn, self.nlp = ctx, fn, nlp
        self.workers = [_Worker(ctx, fn, nlp) for _ in range(n)]

    def run(self, batches: Iterator, key: Callable, ahead: int) -> Iterator[tuple]:
        queue = []  # jobs waiting for a worker: (seq, offset, items)
        parts: dict[int, list] = {}  # seq -> results being filled
        missing: dict[int, int] = {}  # seq -> results still expected
        kept: dict[int, object] = {}  # seq -> batch, until its results are complete
        next_seq = next_out = 0
        exhausted = False
        while True:
            while not exhausted and not queue and next_seq - next_out < ahead and self._idle():
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                items = key(batch)
                kept[next_seq], parts[next_seq], missing[next_seq] = batch, [None] * len(items), len(items)
                if items:
                    queue.append((next_seq, 0, items))
                next_seq += 1
            for w in self._idle():
                if not queue:
                    break
                w.job = queue.pop(0)
                w.conn.send(w.job)
            while next_out in missing and missing[next_out] == 0:
                yield kept.pop(next_out), parts.pop(next_out)
                del missing[next_out]
                next_out += 1
            busy = [w for w in self.workers if w.job is not None]
            if not busy:
                if exhausted and not queue:
                    return
                continue
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy])
            for w in busy:
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                seq, offset, items = w.job
                try:
                    results = w.conn.recv() if w.conn.poll() else None
                except (EOFError, OSError):
                    results = None
                if results is None:  # the worker died on this job
                    w.proc.join(timeout=1)
                    code = w.proc.exitcode
                    self._replace(w)
                    if len(items) > 1:  # rerun one item per job: only the culprit is lost
                        queue[:0] = [(seq, offset + i, [it]) for i, it in enumerate(items)]
                        continue
                    results = [InputError(f"{items[0].source}: the worker process died on this input "
                                          f"(exit {code})")]
                w.job = None
                parts[seq][offset:offset + len(results)] = results
                missing[seq] -= len(results)

    def _idle(self) -> list[_Worker]:
        return [w for w in self.workers if w.job is None]

    def _replace(self, w: _Worker) -> None:
        w.conn.close()
        fresh = _Worker(self.ctx, self.fn, self.nlp)
        w.conn, w.proc, w.job = fresh.conn, fresh.proc, None

    def stop(self) -> None:
        """Stop every worker: politely if idle, by SIGTERM then SIGKILL otherwise. Never blocks
        for long: bounded joins."""
        for w in self.workers:
            try:
                if w.job is None:
                    w.conn.send(None)
            except OSError:
                pass
        for w in self.workers:
            w.proc.join(timeout=0.5 if w.job is None else 0)
            if w.proc.is_alive():
                w.proc.terminate()
        for w in self.workers:
            w.proc.join(timeout=2)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join(timeout=2)
            w.conn.close()


def _serve(conn, fn, nlp, parent_pid: int) -> None:
    """A worker: one job at a time until told to stop, or until the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _die_with_parent(parent_pid)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent closed the pipe or died
            return
        if job is None:
            return
        _seq, _offset, items = job
        try:
            conn.send(fn(nlp, items))
        except (BrokenPipeError, OSError):
            return


def _die_with_parent(parent_pid: int) -> None:
    """Linux: have the kernel send SIGKILL to this worker when its parent dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
