"""What each registry-driven step adds, measured on dev and gold with the shipped model.

    uv run python scripts/ablations.py [--model models/arpk-ar]

Rows switch the steps on one by one at evaluation time (no retraining): the NER alone, + the
linker's registry-guided span/label refinement, + the gazetteer's registry names, + its
within-article repeats of persons (shipped); then two alternatives not shipped. Entity scores from spaCy's
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

    rows = (
        ("NER + linker", False, False, False),
        ("+ registry refinement of spans/labels", True, False, False),
        ("+ gazetteer: registry names", True, True, False),
        ("+ gazetteer: a person's name or surname repeated (shipped)", True, True, True),
        ("+ gazetteer with ORG names too", True, "ORG", True),
        ("+ repeats of every entity type, not only persons", True, True, "all"),
    )
    for name, refine, gaz, repeats in rows:
        nlp = spacy.load(args.model)
        linker = nlp.get_pipe("arpk_actors")
        linker.cfg["refine_spans"] = linker.cfg["relabel"] = refine
        g = nlp.get_pipe("arpk_gazetteer")
        if not repeats:
            g.cfg["propagate"] = []
        elif repeats == "all":
            g.cfg["propagate"] = ["PERSON", "ORG", "GPE", "LOC", "MISSION", "EVENT"]
        if gaz == "ORG":
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
