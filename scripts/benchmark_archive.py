"""Benchmark of `arpk-nlp archive run` (docs/archive.md, "Benchmark"): not a test, numbers only.

    uv run python scripts/benchmark_archive.py make  --out /tmp/arc100k --articles 100000
    uv run python scripts/benchmark_archive.py modes --archive /tmp/arc100k --articles 2000
    uv run python scripts/benchmark_archive.py pairs --archive /tmp/arc100k --articles 3000 --pairs 3
    uv run python scripts/benchmark_archive.py full  --archive /tmp/arc100k [--dask -j 2]
    uv run python scripts/benchmark_archive.py resume --archive /tmp/arc100k --articles 2000

`make` builds a synthetic archive from the corpus by recombination: each article is a title line
and paragraphs drawn from two or three different corpus articles (so texts are new, and their
words and names are the corpus'), with a random date (2015-2025), outlet and URL; shards of 10,000
articles alternate .jsonl.gz, .parquet and .jsonl. `modes` runs the first N articles through one
process, `-j 2`, and Dask with 1 and 2 local workers (each a fresh store, through the CLI), then the
single process again to show how much the host drifted. `full` runs the whole archive once and
reports the peak memory. `resume` kills a run with SIGKILL half way and times the rerun until it
stores its first new batch, and a rerun over a finished store (nothing left to do).

"words" are whitespace-separated words of the input, as in scripts/benchmark.py; words/s is
measured by the job itself (from its start to its last stored batch: model loading excluded).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARD_SIZE = 10_000
DONE = re.compile(r"done: ([\d,]+) stored, ([\d,]+) already stored, ([\d,]+) bad, (\d+) failed batch\(es\); "
                  r"([\d,]+) words in ([\d.,]+) s \(([\d,]+) words/s\); peak MB per worker: (.*); client: ([\d,]+); "
                  r"CPU s annotating: ([\d.,]+), client: ([\d.,]+)")


def _int(s: str) -> int:
    return int(s.replace(",", ""))


# ---- the synthetic archive ----------------------------------------------------------------

def corpus_paragraphs() -> tuple[list[list[str]], list[str]]:
    sys.path.insert(0, str(REPO / "src"))
    from arpk_nlp.data.corpus import find_sources, load_articles

    arts, _ = load_articles(find_sources(None, REPO / "corpus"))
    paras, outlets = [], set()
    for a in arts:
        ps = [p.strip() for p in re.split(r"\n\s*\n|\n", a.record["text"]) if len(p.split()) >= 8]
        if ps:
            paras.append(ps)
        src = (a.record.get("meta") or {}).get("source") or a.record.get("source")
        if isinstance(src, str) and 2 < len(src) < 40:
            outlets.add(src.split("(")[0].strip())
    return paras, sorted(outlets - {""}) or ["outlet"]


def make_archive(out: Path, n: int, seed: int = 13) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    paras, outlets = corpus_paragraphs()
    out.mkdir(parents=True, exist_ok=True)
    words = 0
    for shard_no, start in enumerate(range(0, n, SHARD_SIZE)):
        rows = []
        for i in range(start, min(n, start + SHARD_SIZE)):
            sources = rng.sample(paras, rng.choice((2, 2, 3)))
            body = [sources[0][0]] + [p for s in sources for p in rng.sample(s, min(len(s), rng.choice((1, 2))))]
            text = "\n\n".join(dict.fromkeys(body))  # a title-like first paragraph, no paragraph twice
            day = rng.randrange(0, 11 * 365)
            date = time.strftime("%Y-%m-%d", time.gmtime(1420070400 + day * 86400))
            rows.append({"id": f"syn-{i:07d}", "text": text, "date": date, "outlet": rng.choice(outlets),
                         "url": f"https://news.example/{i}"})
            words += len(text.split())
        kind = ("jsonl.gz", "parquet", "jsonl")[shard_no % 3]
        path = out / f"{date[:4]}" / f"shard-{shard_no:04d}.{kind}"
        path.parent.mkdir(exist_ok=True)
        if kind == "parquet":
            pq.write_table(pa.Table.from_pylist(rows), path)
        else:
            opener = gzip.open if kind.endswith(".gz") else open
            with opener(path, "wt", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{n:,} articles, {words:,} words ({words / n:.0f} per article) in {out}")


def subset(archive: Path, n: int, dest: Path) -> Path:
    """The first n articles of the archive as one JSONL shard (the same texts for every mode)."""
    sys.path.insert(0, str(REPO / "src"))
    from arpk_nlp.archive import Article, find_shards, iter_articles

    dest.mkdir(parents=True, exist_ok=True)
    k = 0
    with open(dest / "subset.jsonl", "w", encoding="utf-8") as f:
        for a in iter_articles(find_shards([archive])):
            if isinstance(a, Article):
                f.write(json.dumps({"id": a.id, "text": a.text, **a.meta}, ensure_ascii=False) + "\n")
                k += 1
                if k >= n:
                    break
    return dest


# ---- running ------------------------------------------------------------------------------

def run_cli(inputs: Path, db: Path, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "arpk_nlp", "archive", "run", str(inputs), "--db", str(db), *extra]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    m = DONE.search(p.stderr)
    if not m:
        raise SystemExit(f"no summary from {' '.join(cmd)}:\n{p.stderr[-2000:]}")
    peaks = [float(x.replace(",", "")) for x in m.group(8).split(", ") if x.strip() not in ("", "-")]
    return {"stored": _int(m.group(1)), "skipped": _int(m.group(2)), "words": _int(m.group(5)),
            "seconds": float(m.group(6).replace(",", "")), "words_per_s": _int(m.group(7)), "worker_peak_mb": peaks,
            "client_peak_mb": _int(m.group(9)), "worker_cpu": float(m.group(10).replace(",", "")),
            "client_cpu": float(m.group(11).replace(",", "")), "wall": wall}


MODES = [("1 process", [], 0), ("-j 2", ["-j", "2"], 2), ("Dask, 1 local worker", ["--dask", "-j", "1"], 1),
         ("Dask, 2 local workers", ["--dask", "-j", "2"], 2)]


def host_note() -> str:
    load = os.getloadavg()
    return f"CPU cores: {os.cpu_count()}; load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


def idle_estimate(r: dict, workers: int) -> float:
    """Words/s this run would reach on `max(workers, 1)` idle cores, from the CPU seconds it used:
    the wall time is at least the busiest process' CPU time and the total CPU over the cores.
    Optimistic: it leaves out worker time outside the batches (Dask's task handling) and what
    two busy cores take from each other (memory bandwidth, shared cache)."""
    if workers == 0:  # in-process: the client's CPU time includes the annotating
        wall = r["client_cpu"]
    else:
        total = r["worker_cpu"] + r["client_cpu"]
        wall = max(total / min(workers, os.cpu_count() or 1), r["worker_cpu"] / workers, r["client_cpu"])
    return r["words"] / wall


def modes(archive: Path, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sub = subset(archive, n, tmp / "in")
        print(host_note())
        print("\n| run | articles | words | s | words/s | × 1 process | CPU s annotating + client | "
              "words/s on idle cores (est.) | × 1 process (est.) | peak MB per worker | wall s |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        base = base_est = None
        for k, (name, extra, workers) in enumerate([*MODES, ("1 process (again)", [], 0)]):
            r = run_cli(sub, tmp / f"m{k}.duckdb", extra)
            est = idle_estimate(r, workers)
            base, base_est = base or r["words_per_s"], base_est or est
            cpu = f"{r['client_cpu']:.1f}" if workers == 0 else f"{r['worker_cpu']:.1f} + {r['client_cpu']:.1f}"
            print(f"| {name} | {r['stored']:,} | {r['words']:,} | {r['seconds']:.1f} | {r['words_per_s']:,} | "
                  f"{r['words_per_s'] / base:.2f} | {cpu} | {est:,.0f} | {est / base_est:.2f} | "
                  f"{', '.join(f'{x:.0f}' for x in r['worker_peak_mb'])} | {r['wall']:.1f} |", flush=True)
        print(host_note().replace("before", "after"))


def pairs(archive: Path, n: int, k: int) -> None:
    """One process and Dask with 2 local workers, alternately, k times: a shared or throttled host
    drifts by 10-20 % within minutes, so each Dask run is compared with the single-process run just
    before it, and the median of the k ratios is the figure."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sub = subset(archive, n, tmp / "in")
        print(host_note())
        print("\n| pair | 1 process words/s | Dask, 2 local workers words/s | ratio |\n|---:|---:|---:|---:|")
        ratios = []
        for i in range(k):
            one = run_cli(sub, tmp / f"p{i}a.duckdb", [])
            two = run_cli(sub, tmp / f"p{i}b.duckdb", ["--dask", "-j", "2"])
            ratios.append(two["words_per_s"] / one["words_per_s"])
            print(f"| {i + 1} | {one['words_per_s']:,} | {two['words_per_s']:,} | {ratios[-1]:.2f} |", flush=True)
        ratios.sort()
        print(f"\nmedian ratio over {k} pairs: {ratios[len(ratios) // 2]:.2f} (min {ratios[0]:.2f}, max {ratios[-1]:.2f})")
        print(host_note().replace("before", "after"))


def full(archive: Path, extra: list[str], db: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = db or Path(tmp) / "full.duckdb"
        print(host_note())
        r = run_cli(archive, db, extra)
        print(json.dumps(r))
        print(f"store: {db.stat().st_size / 1e6:,.0f} MB on disk" if db.exists() else "")
        print(host_note().replace("before", "after"))


def resume(archive: Path, n: int, extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sub = subset(archive, n, tmp / "in")
        db = tmp / "r.duckdb"
        cmd = [sys.executable, "-m", "arpk_nlp", "archive", "run", str(sub), "--db", str(db), "--progress-every", "0", *extra]
        print(host_note())
        p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        stored = 0
        for line in p.stderr:
            if line.startswith("stored "):
                stored = _int(line.split()[1])
                if stored >= n // 2:
                    os.kill(p.pid, signal.SIGKILL)
                    break
        p.wait()
        print(f"killed (SIGKILL) after {stored:,} of {n:,} articles were stored")
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        first_new = None
        tail = []
        for line in p.stderr:
            tail.append(line)
            if first_new is None and line.startswith("stored ") and _int(line.split()[1]) > 0:
                first_new = time.perf_counter() - t0
        p.wait()
        total = time.perf_counter() - t0
        m = DONE.search("".join(tail))
        print(f"rerun: first new batch stored after {first_new:.1f} s (process start, model load, skipping "
              f"{_int(m.group(2)):,} stored articles); {_int(m.group(1)):,} more stored; whole rerun {total:.1f} s")
        t0 = time.perf_counter()
        r = run_cli(sub, db, extra)
        print(f"rerun of a finished store: {r['skipped']:,} skipped, {r['stored']} stored, {time.perf_counter() - t0:.1f} s")
        with_dupes = subprocess.run([sys.executable, "-m", "arpk_nlp", "query", "sql", "--db", str(db), "-f", "csv",
                                     "SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM articles"],
                                    capture_output=True, text=True).stdout.strip().splitlines()[-1]
        print(f"articles rows, distinct ids: {with_dupes} (of {n:,})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("make", "modes", "pairs", "full", "resume"))
    ap.add_argument("--out", type=Path, help="make: the archive folder")
    ap.add_argument("--archive", type=Path)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--db", type=Path, help="full: keep the store here")
    ap.add_argument("--pairs", type=int, default=3, help="pairs: how many")
    args, extra = ap.parse_known_args()
    if args.what == "make":
        if args.out.exists():
            shutil.rmtree(args.out)
        make_archive(args.out, args.articles)
    elif args.what == "modes":
        modes(args.archive, args.articles)
    elif args.what == "pairs":
        pairs(args.archive, args.articles, args.pairs)
    elif args.what == "full":
        full(args.archive, extra, args.db)
    else:
        resume(args.archive, args.articles, extra)


if __name__ == "__main__":
    main()
