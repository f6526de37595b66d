"""Seconds per pipeline component over the benchmark texts (scripts/benchmark.py's), two passes:
the first fills the word caches, the second is the steady state. Not a test: numbers for
docs/benchmark.md.

    uv run python scripts/component_times.py [--model models/arpk-ar] [--words 60000]
"""
from __future__ import annotations

import argparse
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
    args = ap.parse_args()
    import spacy

    texts = load_texts(args.words)
    nlp = spacy.load(args.model)
    for label in ("first pass", "second pass"):
        t0 = time.perf_counter()
        docs = [nlp.make_doc(t) for t in texts]
        times = {"tokenizer": time.perf_counter() - t0}
        for name, proc in nlp.pipeline:
            t0 = time.perf_counter()
            docs = list(proc.pipe(docs, batch_size=64)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            times[name] = time.perf_counter() - t0
        print(f"{label}: " + ", ".join(f"{k} {v:.2f}" for k, v in times.items()) + f"; total {sum(times.values()):.2f} s")


if __name__ == "__main__":
    main()
