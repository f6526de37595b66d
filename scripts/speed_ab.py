"""CPU time per component of two versions of the code, pass by pass in turn (not a test).

On a shared host the load changes from minute to minute; two long-lived processes (one per code
version, each with the shipped model loaded and its caches warm) run one pass over the benchmark
texts each in turn, so both see the same load. Prints the medians of time.process_time per
component, and the per-pass sums of our own components and of the whole pipeline.

    git archive main src | tar -x -C /tmp/old          # the old code's src/ tree
    uv run python scripts/speed_ab.py --old /tmp/old/src [--new src] [--passes 6]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OWN = ("arpk_gazetteer", "arpk_a4p", "arpk_refine", "arpk_linker", "arpk_roles")


def worker(model: str, words: int) -> None:
    import arpk_nlp  # noqa: F401  (first, from PYTHONPATH: load_texts puts this checkout's src on sys.path)

    sys.path.insert(0, str(REPO / "scripts"))
    import spacy

    from benchmark import load_texts

    print("code:", arpk_nlp.__file__, file=sys.stderr)
    texts = load_texts(words)
    nlp = spacy.load(model)
    list(nlp.pipe(texts))  # the first pass fills the word caches
    print("ready", flush=True)
    for _ in sys.stdin:
        t0 = time.process_time()
        docs = [nlp.make_doc(t) for t in texts]
        times = {"tokenizer": time.process_time() - t0}
        for name, proc in nlp.pipeline:
            t0 = time.process_time()
            docs = [proc(d) for d in docs]
            times[name] = time.process_time() - t0
        print(json.dumps(times), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="src/ folder of the old code")
    ap.add_argument("--new", default=str(REPO / "src"), help="src/ folder of the new code (default: this checkout's)")
    ap.add_argument("--passes", type=int, default=6)
    ap.add_argument("--model", default=str(REPO / "models" / "arpk-ar"))
    ap.add_argument("--words", type=int, default=60_000)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.model, args.words)

    def start(src: str):
        env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
        proc = subprocess.Popen([sys.executable, __file__, "--worker", "--old", "-", "--model", args.model,
                                 "--words", str(args.words)], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit(f"worker for {src} failed")
        return proc

    procs = {"old": start(args.old), "new": start(args.new)}
    runs: dict[str, list[dict]] = {k: [] for k in procs}
    for i in range(args.passes):
        for k in ("old", "new") if i % 2 == 0 else ("new", "old"):
            procs[k].stdin.write("go\n")
            procs[k].stdin.flush()
            runs[k].append(json.loads(procs[k].stdout.readline()))
    for p in procs.values():
        p.stdin.close()
        p.wait()
    for k, rs in runs.items():
        med = {c: statistics.median(r[c] for r in rs) for c in rs[0]}
        own = statistics.median(sum(r[c] for c in OWN) for r in rs)
        total = statistics.median(sum(r.values()) for r in rs)
        print(f"{k}: median CPU s over {args.passes} passes: " + ", ".join(f"{c} {v:.3f}" for c, v in med.items())
              + f"; own {own:.3f}; total {total:.3f}")
    pairs = list(zip(runs["old"], runs["new"]))
    own_ratio = statistics.median(sum(n[c] for c in OWN) / sum(o[c] for c in OWN) for o, n in pairs)
    total_ratio = statistics.median(sum(n.values()) / sum(o.values()) for o, n in pairs)
    print(f"new/old per pass (median): own components {own_ratio:.2f}x, whole pipeline {total_ratio:.2f}x")


if __name__ == "__main__":
    main()
