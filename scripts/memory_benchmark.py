"""Memory of `annotate` over many articles: should stay flat as the count grows (docs/benchmark.md).

Writes N articles (the corpus articles repeated under fresh ids) as JSONL, runs
`python -m arpk_nlp annotate FILE -f jsonl` in a subprocess reading its stdout as it comes, and
samples the RSS of the whole process tree (/proc, Linux) every `--every` records.

    uv run python scripts/memory_benchmark.py [-n 20000] [--every 2000] [-j 1] [--article-chars N] [-m MODEL]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def tree_rss_mb(pid: int) -> float:
    """RSS of pid and all its descendants (MB), from /proc."""
    parents, rss = {}, {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            statm = (d / "statm").read_text().split()
        except OSError:
            continue
        parents[int(d.name)] = int(stat[1])
        rss[int(d.name)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += [c for c, pp in parents.items() if pp == p]
    return total / 2**20


def write_input(path: Path, n: int, max_chars: int = 0) -> int:
    from arpk_nlp.data.corpus import find_sources, load_articles

    corpus = REPO / "corpus"
    arts, _ = load_articles(find_sources([corpus / "src" / s for s in ("train", "dev")], corpus))
    chars = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            text = arts[i % len(arts)].record["text"]
            text = text[:max_chars] if max_chars else text
            chars += len(text)
            f.write(json.dumps({"id": f"bench-{i}", "text": text, "date": "2024-01-01"}, ensure_ascii=False) + "\n")
    return chars


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("--every", type=int, default=2000)
    ap.add_argument("-j", type=int, default=1)
    ap.add_argument("--article-chars", type=int, default=0, help="Cut each article to this length (0: whole).")
    ap.add_argument("-m", "--model", default=str(REPO / "models" / "arpk-ar"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.jsonl"
        chars = write_input(src, a.n, a.article_chars)
        print(f"{a.n} articles, {chars:,} characters, {src.stat().st_size / 2**20:.0f} MB of JSONL; -j {a.j}")
        t0 = time.time()
        proc = subprocess.Popen([sys.executable, "-m", "arpk_nlp", "annotate", str(src), "-f", "jsonl", "-j", str(a.j),
                                 "-m", a.model], stdout=subprocess.PIPE, text=True)
        print("| records written | RSS of annotate + workers (MB) | seconds |")
        print("|---:|---:|---:|")
        done, peak = 0, 0.0
        for _ in proc.stdout:
            done += 1
            if done % 100 == 0:
                peak = max(peak, tree_rss_mb(proc.pid))
            if done % a.every == 0:
                print(f"| {done:,} | {tree_rss_mb(proc.pid):.0f} | {time.time() - t0:.0f} |", flush=True)
        rc = proc.wait()
        print(f"exit {rc}; {done} records; peak sampled RSS {peak:.0f} MB; {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
