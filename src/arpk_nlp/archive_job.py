"""One archive job: shards → batches → workers → the store, with bounded memory and resume.

The client process reads the shards, leaves out what the store already has (same id, same text
hash, same model version), hands batches to a runner and writes each finished batch to the
store in one transaction. At most `runner.slots` batches are in flight, so memory depends on the
batch size and the number of workers, not on the archive.

An id is an article's identity across the archive. The first occurrence, in reading order, is
the one stored; a later one from another shard with another text is a bad article ("id 'X' is
already stored from <shard>:<line>"), and a rerun says so again; with the same text it is the same
article (a copy, or its shard moved or renamed since it was stored): already stored, skipped. To know, the job asks the store about each chunk of
`LOOKUP` ids read (it holds no set of every id of the run) and checks the ids of the batches in
flight, which the store cannot know yet (at most `slots` batches: bounded too). The same id in
the same shard with another text is the resume rule: the article is annotated again and replaces
its old rows.

Runners (all with the same three methods): `InProcessRunner` (the default), `PoolRunner`
(`-j N`: N spawned processes, the model loaded once in each) and `dask_run.DaskRunner`
(`--dask`). The work each one does on a batch is `annotate_payload`.
"""
from __future__ import annotations

import concurrent.futures as cf
import resource
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .archive import Article, BadArticle, Shard, read_shard

DEFAULT_BATCH = 64
# ids looked up in the store at once: each lookup costs about 8 ms on a 100k store and 23-48 ms
# (64-512 ids) on a 5M one, so larger chunks cost less per article; the chunk's texts wait in memory
LOOKUP = 512


class RunnerFailed(Exception):
    """The runner itself cannot go on (a local worker process died): the job stops; rerun resumes."""


# ---- the work on one batch (runs in a worker) ----------------------------------------------

def annotate_payload(nlp, payload: list[tuple[str, str, str, dict]]) -> dict:
    """Annotate [(id, source, text, meta), ...] with `annotate.annotate_batch` (the same work as
    `arpk-nlp annotate`: meta.date handed to the linker, long articles in windows, an article
    that breaks the pipeline reported alone); RETURNS {"records": [record or None], "failed":
    {index: message}, "pid", "peak_mb", "seconds", "cpu"}."""
    import os

    from .annotate import annotate_batch
    from .inputs import Item

    t0, cpu0 = time.perf_counter(), time.process_time()
    items = [Item(id=i, source=src, text=text, meta=meta) for i, src, text, meta in payload]
    records: list[dict | None] = []
    failed: dict[int, str] = {}
    for k, (item, res) in enumerate(zip(items, annotate_batch(nlp, items), strict=True)):
        if isinstance(res, dict):
            records.append(res)
        else:  # an InputError "<source>: <what>": the job names the source itself
            records.append(None)
            msg, prefix = str(res), f"{item.source}: "
            failed[k] = msg[len(prefix):] if msg.startswith(prefix) else msg
    return {"records": records, "failed": failed, "pid": os.getpid(), "peak_mb": peak_rss_mb(),
            "seconds": time.perf_counter() - t0, "cpu": time.process_time() - cpu0}


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- runners --------------------------------------------------------------------------------

class InProcessRunner:
    """The batch is annotated when it is submitted, in this process."""

    def __init__(self, nlp):
        self.nlp, self.slots, self.workers = nlp, 1, 1

    def submit(self, payload):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(annotate_payload(self.nlp, payload))
        except Exception as err:  # reported as a failed batch by the job, like the other runners
            fut.set_exception(err)
        return fut

    def wait(self, handles):
        return [(h, *_outcome(h)) for h in handles if h.done()]

    def close(self):
        pass

    def describe(self) -> str:
        return "1 process"


_WORKER_NLP = None


def _pool_init(model: str) -> None:
    global _WORKER_NLP
    import spacy

    _WORKER_NLP = spacy.load(model)


def _pool_task(payload):
    return annotate_payload(_WORKER_NLP, payload)


def _pool_ready(_):
    import os

    time.sleep(0.2)  # long enough that the other workers take their share of these probes
    return os.getpid()


class PoolRunner:
    """`-j N`: N worker processes (spawned: the client holds DuckDB's threads, which fork would copy
    mid-flight), each loading the model once."""

    def __init__(self, model: str, processes: int):
        import multiprocessing as mp

        self.workers = processes
        self.slots = 2 * processes  # one batch running and one waiting per worker
        self.pool = cf.ProcessPoolExecutor(processes, mp_context=mp.get_context("spawn"),
                                           initializer=_pool_init, initargs=(str(model),))
        # start the workers and load their models now, so the job's clock (and words/s) starts
        # with workers ready, as with Dask's plugin
        pids: set[int] = set()
        try:
            for _ in range(5):
                pids |= set(self.pool.map(_pool_ready, range(processes)))
                if len(pids) >= processes:
                    break
        except cf.process.BrokenProcessPool:
            raise RunnerFailed("a worker process could not start (see its message above)") from None

    def submit(self, payload):
        return self.pool.submit(_pool_task, payload)

    def wait(self, handles):
        done, _ = cf.wait(handles, return_when=cf.FIRST_COMPLETED)
        out = []
        for h in done:
            result, err = _outcome(h)
            if isinstance(err, cf.process.BrokenProcessPool):
                raise RunnerFailed("a worker process died (out of memory or killed); rerun to resume")
            out.append((h, result, err))
        return out

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"{self.workers} processes"


def _outcome(fut):
    err = fut.exception()
    return (None, err) if err is not None else (fut.result(), None)


# ---- the job --------------------------------------------------------------------------------

@dataclass
class Summary:
    stored: int = 0
    skipped: int = 0
    bad: int = 0
    failed_batches: int = 0
    words: int = 0
    seconds: float = 0.0
    # CPU seconds spent annotating (in whichever process did it) and by the client process in all
    # (reading, the store, Dask's scheduler of a LocalCluster; with the in-process runner, also the
    # annotating): on a shared host these say what the run would need on idle cores
    worker_cpu: float = 0.0
    client_cpu: float = 0.0
    worker_peak_mb: dict = field(default_factory=dict)  # worker pid → peak RSS MB
    client_peak_mb: float = 0.0
    lookup_seconds: float = 0.0  # in the store's id lookups (resume and the duplicate-id rule)
    duplicates: int = 0  # articles refused because their id came earlier from another shard

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


@dataclass
class _Batch:
    articles: list[Article]
    bad: list[BadArticle]
    replace: list[str]


def run_job(store, shards: Iterable[Shard], runner, model_version: str, batch_size: int = DEFAULT_BATCH,
            max_chars: int = 1_000_000, report: Callable[[str], None] | None = None,
            progress: Callable[[Summary, int], None] | None = None, summary: Summary | None = None) -> Summary:
    """Annotate what `store` lacks of `shards` with `runner`; RETURNS the counts.

    report: called with one line per bad article or failed batch; progress: called after each
    stored batch with the running summary and the number of batches in flight; summary: filled in
    as the job goes (pass one to still have the counts when the job is interrupted)."""
    report = report or (lambda line: print(f"error: {line}", file=sys.stderr))
    summary = summary if summary is not None else Summary()
    t0, cpu0 = time.perf_counter(), _cpu()
    inflight: dict = {}
    taken: dict[str, tuple[str, str]] = {}  # id → (source, text hash) of the articles in flight (bounded by the slots)

    def finish(handle, result, err):
        batch = inflight.pop(handle)
        for a in batch.articles:
            taken.pop(a.id, None)
        bad = list(batch.bad)
        pairs = []
        if err is not None:
            summary.failed_batches += 1
            first, last = batch.articles[0].source, batch.articles[-1].source
            report(f"batch {first} .. {last} ({len(batch.articles)} articles) failed: {type(err).__name__}: "
                   f"{_first_line(err)}; its articles are not stored (rerun to retry)")
            bad += [BadArticle(a.source, a.shard, f"batch failed ({type(err).__name__})", a.id) for a in batch.articles]
        else:
            summary.worker_peak_mb[result["pid"]] = result["peak_mb"]
            summary.worker_cpu += result["cpu"]
            for i, (art, rec) in enumerate(zip(batch.articles, result["records"], strict=True)):
                if rec is None:
                    b = BadArticle(art.source, art.shard, result["failed"].get(i, "not annotated"), art.id)
                    report(str(b))
                    bad.append(b)
                else:
                    pairs.append((art, rec))
        store.write_batch(model_version, pairs, bad, replace=[a.id for a in batch.articles if a.id in batch.replace])
        summary.stored += len(pairs)
        summary.bad += len(bad)
        summary.words += sum(a.words for a, _ in pairs)
        summary.seconds = time.perf_counter() - t0
        if progress is not None:
            progress(summary, len(inflight))

    def submit(batch: _Batch):
        if not batch.articles:  # only bad articles: nothing to annotate, store their reports
            store.write_batch(model_version, [], batch.bad)
            summary.bad += len(batch.bad)
            return
        while len(inflight) >= runner.slots:
            for done in runner.wait(list(inflight)):
                finish(*done)
        handle = runner.submit([(a.id, a.source, a.text, a.meta) for a in batch.articles])
        inflight[handle] = batch

    try:
        _feed(shards, store, model_version, max_chars, batch_size, summary, submit, report, taken)
        while inflight:
            for done in runner.wait(list(inflight)):
                finish(*done)
    finally:
        summary.seconds = time.perf_counter() - t0
        summary.client_cpu = _cpu() - cpu0
        summary.client_peak_mb = peak_rss_mb()
    return summary


def _feed(shards, store, model_version, max_chars, batch_size, summary, submit, report, taken) -> None:
    """Read the shards, leave out what is stored, refuse ids that came before, hand batches to
    `submit`. A batch may hold articles of several shards (a folder of .txt files is one shard
    per article)."""
    batch = _Batch([], [], [])
    chunk: list[Article] = []

    def refuse(art: Article, message: str) -> None:
        b = BadArticle(art.source, art.shard, message, art.id)
        report(str(b))
        batch.bad.append(b)

    def resolve() -> None:
        nonlocal batch
        t = time.perf_counter()
        stored = store.stored(model_version, [a.id for a in chunk])
        summary.lookup_seconds += time.perf_counter() - t
        for art in chunk:
            rows = stored.get(art.id, ())
            mine = next((r for r in rows if r[0] == art.shard), None)
            first = taken.get(art.id)
            if mine is not None:  # resume: stored from this shard, skipped unless its text changed
                if mine[2] == art.text_hash:
                    summary.skipped += 1
                    continue
                batch.replace.append(art.id)
            elif any(r[2] == art.text_hash for r in rows) or (first is not None and first[1] == art.text_hash):
                summary.skipped += 1  # the same article read from elsewhere: a copy, or a moved shard
                continue
            elif rows or first is not None:
                summary.duplicates += 1
                refuse(art, f"id {art.id!r} is already stored from {rows[0][1]}; not stored" if rows else
                       f"id {art.id!r} was already read from {first[0]}; not stored")
                continue
            taken[art.id] = (art.source, art.text_hash)
            batch.articles.append(art)
            if len(batch.articles) >= batch_size:
                submit(batch)
                batch = _Batch([], [], [])
        chunk.clear()

    for shard in shards:
        seen: dict[str, str] = {}  # this shard's ids: memory follows the shard, as its reading does
        for art in read_shard(shard, max_chars):
            if isinstance(art, BadArticle):
                report(str(art))
                batch.bad.append(art)
            elif art.id in seen:
                refuse(art, f"duplicate id {art.id!r} (first at {seen[art.id]}); skipped")
            else:
                seen[art.id] = art.source
                chunk.append(art)
                if len(chunk) >= LOOKUP:
                    resolve()
            if len(batch.bad) >= batch_size:  # a shard of bad lines: their reports go out, not pile up
                submit(batch)
                batch = _Batch([], [], [])
    resolve()
    if batch.articles or batch.bad:
        submit(batch)


def _cpu() -> float:
    """CPU seconds of this process, all its threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0]
