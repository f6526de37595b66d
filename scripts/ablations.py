"""What each registry-driven step adds, measured on dev and gold with the shipped model.

    uv run python scripts/ablations.py [--model models/arpk-ar] [--conll FILE ...]

Rows switch the steps on one by one at evaluation time (no retraining): the NER alone, + the
linker's registry-guided span/label refinement, + the gazetteer's registry names, + its
within-article repeats of persons (shipped); then two alternatives not shipped. Entity scores from spaCy's
Scorer; linking as in `evaluate`. With --conll, each row also gets the PERS/LOC/ORG micro-F of
`evaluate --conll FILE --coarse` on each file (e.g. ANERcorp test, AQMAR test).
"""
from __future__ import annotations

import argparse


def main():
    import spacy

    from arpk_nlp.evaluate import evaluate_records
    from arpk_nlp.paths import dev_and_gold, require_checkout
    MODEL = require_checkout("this script") / "models" / "arpk-ar"
    REGISTRY = require_checkout("this script") / "configs" / "actors"

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(MODEL))
    ap.add_argument("--conll", nargs="*", default=[], help="CoNLL files to score each row on as well")
    args = ap.parse_args()
    from pathlib import Path

    from arpk_nlp.data.external import coarse_conll_scores

    for f in args.conll:
        if not Path(f).is_file():
            raise SystemExit(f"{f}: not found")
    recs = dev_and_gold()
    extra = "".join(f" {Path(f).parent.name} test F |" if Path(f).stem == "test" else f" {Path(f).stem} F |" for f in args.conll)
    print("| pipeline | dev ents F | gold ents F | gold P | gold R | gold link acc | gold actor recall |" + extra)
    print("|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(args.conll))
    from arpk_nlp.pipeline.registry import read_registry

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
            conll = "".join(f" {coarse_conll_scores(nlp, f)['f']:.3f} |" for f in args.conll)
        print(f"| {name} | {dev['ents_f']:.3f} | {gold['ents_f']:.3f} | {gold['ents_p']:.3f} | {gold['ents_r']:.3f} | "
              f"{gold['link_acc']:.3f} | {gold['actor_recall']:.3f} |" + conll)


if __name__ == "__main__":
    main()
