"""Seconds per pipeline component over the benchmark texts (scripts/benchmark.py's), two passes:
the first fills the word caches, the second is the steady state. Not a test: numbers for
docs/benchmark.md.

    uv run python scripts/component_times.py [--model models/arpk-ar] [--words 60000] [--cpu] [--passes N]

--cpu measures this process's CPU time (time.process_time) instead of wall time: on a host shared
with other jobs it is the steadier number for comparing two versions of the code (docs/speed.md).
--passes N runs N steady-state passes after the first and also prints each component's median.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from benchmark import load_texts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(REPO / "models" / "arpk-ar"))
    ap.add_argument("--words", type=int, default=60_000)
    ap.add_argument("--cpu", action="store_true", help="CPU time of this process instead of wall time")
    ap.add_argument("--passes", type=int, default=1, help="steady-state passes after the first (median printed if > 1)")
    args = ap.parse_args()
    import spacy

    clock = time.process_time if args.cpu else time.perf_counter
    texts = load_texts(args.words)
    nlp = spacy.load(args.model)
    steady: dict[str, list[float]] = {}
    labels = ["first pass"] + (["second pass"] if args.passes == 1 else [f"pass {i + 2}" for i in range(args.passes)])
    for label in labels:
        t0 = clock()
        docs = [nlp.make_doc(t) for t in texts]
        times = {"tokenizer": clock() - t0}
        for name, proc in nlp.pipeline:
            t0 = clock()
            docs = list(proc.pipe(docs, batch_size=64)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            times[name] = clock() - t0
        print(f"{label}: " + ", ".join(f"{k} {v:.2f}" for k, v in times.items()) + f"; total {sum(times.values()):.2f} s")
        if label != "first pass":
            for k, v in times.items():
                steady.setdefault(k, []).append(v)
    if args.passes > 1:
        med = {k: statistics.median(v) for k, v in steady.items()}
        print("median: " + ", ".join(f"{k} {v:.2f}" for k, v in med.items()) + f"; total {sum(med.values()):.2f} s"
              + (" (CPU)" if args.cpu else ""))


if __name__ == "__main__":
    main()
