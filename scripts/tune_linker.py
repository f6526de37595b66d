"""Tune the linker's fuzzy-match threshold on the dev split (gold spans, so NER errors do not
interfere), and report the chosen value's accuracy on gold.

    uv run python scripts/tune_linker.py [--registry configs/actors]
"""
from __future__ import annotations

import argparse


def main():
    import spacy

    from arpk_nlp.evaluate import linker_accuracy
    from arpk_nlp.paths import dev_and_gold, require_checkout
    CONFIGS = require_checkout("this script") / "configs"
    REGISTRY = require_checkout("this script") / "configs" / "actors"

    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", default=str(REGISTRY))
    args = ap.parse_args()
    recs = dev_and_gold()
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    rows = []
    for t in (75, 80, 84, 86, 88, 90, 92, 95, 98, 100):
        linker = nlp.add_pipe("arpk_actors", name=f"l{t}", config={"fuzzy_threshold": float(t), "refine_spans": False, "relabel": False})
        linker.initialize(registry_path=args.registry, demonyms_path=str(CONFIGS / "demonyms.json"))
        dev, n_dev = linker_accuracy(linker, nlp.make_doc, recs["dev"])
        rows.append((t, dev))
        print(f"threshold {t:>3}{' (exact only)' if t == 100 else ''}: dev accuracy {dev:.4f} ({n_dev} mentions)")
    best = max(rows, key=lambda r: (r[1], -abs(r[0] - 88)))[0]
    linker = nlp.add_pipe("arpk_actors", name="best", config={"fuzzy_threshold": float(best), "refine_spans": False, "relabel": False})
    linker.initialize(registry_path=args.registry, demonyms_path=str(CONFIGS / "demonyms.json"))
    gold, n_gold = linker_accuracy(linker, nlp.make_doc, recs["gold"])
    print(f"chosen on dev: {best}; gold accuracy at {best}: {gold:.4f} ({n_gold} mentions)")


if __name__ == "__main__":
    main()
