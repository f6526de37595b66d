"""Linking scored against one fixed set of known ids, so that pipelines with different registries
are compared on the same expectations (`evaluate` expects null for ids a model's own registry
lacks, which rewards a smaller registry):

    uv run python scripts/score_fixed_ids.py -m models/arpk-ar -m /tmp/arpk-split --corpus corpus --split dev

A gold id counts as expected when the current registry (configs/actors) holds it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import spacy

    from ablation_gold_only import score
    from arpk_nlp.data.corpus import split_records
    from arpk_nlp.pipeline.registry import read_registry

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-m", "--model", type=Path, action="append", required=True)
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    ap.add_argument("--split", action="append", required=True)
    ap.add_argument("--registry", type=Path, default=REPO / "configs" / "actors")
    args = ap.parse_args()
    ids = {a.id for a in read_registry(args.registry)}
    recs = [r for s in args.split for r in split_records(args.corpus, s)]
    print(f"{len(recs)} articles ({', '.join(args.split)}); expected ids: the {len(ids)} of {args.registry}")
    print("| model | link acc | actor recall |")
    print("|---|---:|---:|")
    for m in args.model:
        s = score(spacy.load(m), recs, ids)
        print(f"| {m} | {s['link_acc_real']:.4f} | {s['actor_recall_real']:.4f} |")


if __name__ == "__main__":
    main()
