"""What each registry-driven step adds, measured on dev and gold with the shipped model.

    uv run python scripts/ablations.py [--model models/arpk-ar]

Rows switch the steps on one by one at evaluation time (no retraining): the NER alone, + the
linker's registry-guided span/label refinement, + the gazetteer. Entity scores from spaCy's
Scorer; linking as in `evaluate`.
"""
from __future__ import annotations

import argparse


def main():
    import spacy

    from arpk_nlp.evaluate import evaluate_records
    from arpk_nlp.paths import MODEL, REGISTRY, dev_and_gold

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(MODEL))
    args = ap.parse_args()
    recs = dev_and_gold()
    print("| pipeline | dev ents F | gold ents F | gold P | gold R | gold link acc | gold actor recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    from arpk_nlp.registry import read_registry

    for name, refine, gaz in (("NER + linker", False, False), ("+ registry refinement of spans/labels", True, False),
                              ("+ gazetteer (shipped)", True, True), ("+ gazetteer with ORG names too", True, "ORG")):
        nlp = spacy.load(args.model)
        linker = nlp.get_pipe("arpk_actors")
        linker.cfg["refine_spans"] = linker.cfg["relabel"] = refine
        if gaz == "ORG":
            g = nlp.get_pipe("arpk_gazetteer")
            g.cfg["types"] = g.cfg["types"] + ["ORG"]
            g.set_actors(read_registry(REGISTRY))
        disable = [] if gaz else ["arpk_gazetteer"]
        with nlp.select_pipes(disable=disable):
            dev = evaluate_records(nlp, recs["dev"])
            gold = evaluate_records(nlp, recs["gold"])
        print(f"| {name} | {dev['ents_f']:.3f} | {gold['ents_f']:.3f} | {gold['ents_p']:.3f} | {gold['ents_r']:.3f} | "
              f"{gold['link_acc']:.3f} | {gold['actor_recall']:.3f} |")


if __name__ == "__main__":
    main()
