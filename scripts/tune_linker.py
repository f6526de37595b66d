"""Tune the linker's fuzzy-match threshold on the dev split (gold spans, so NER errors do not
interfere), and report the chosen value's accuracy on gold.

    uv run python scripts/tune_linker.py [--registry configs/actors]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def accuracy(linker, nlp, records) -> tuple[float, int]:
    known = set(linker.actors)
    total = correct = 0
    for rec in records:
        doc = nlp.make_doc(rec["text"])
        doc.ents = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in rec["spans"]]
        doc = linker(doc)
        by_pos = {(e.start_char, e.end_char): e.kb_id_ or None for e in doc.ents}
        for s in rec["spans"]:
            if s.get("actor"):
                total += 1
                expected = s["actor"] if s["actor"] in known else None
                correct += int(by_pos.get((s["start"], s["end"])) == expected)
    return correct / total, total


def main():
    import spacy

    from arpk_nlp.corpus import find_sources, load_articles

    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", default=str(REPO / "configs" / "actors"))
    args = ap.parse_args()
    corpus = REPO / "corpus"
    recs = {s: [a.record for a in load_articles(find_sources([corpus / "src" / s], corpus))[0]] for s in ("dev", "gold")}
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    rows = []
    for t in (75, 80, 84, 86, 88, 90, 92, 95, 98, 100):
        linker = nlp.add_pipe("arpk_actors", name=f"l{t}", config={"fuzzy_threshold": float(t), "refine_spans": False, "relabel": False})
        linker.initialize(registry_path=args.registry, demonyms_path=str(REPO / "configs" / "demonyms.json"))
        dev, n_dev = accuracy(linker, nlp, recs["dev"])
        rows.append((t, dev))
        print(f"threshold {t:>3}{' (exact only)' if t == 100 else ''}: dev accuracy {dev:.4f} ({n_dev} mentions)")
    best = max(rows, key=lambda r: (r[1], -abs(r[0] - 88)))[0]
    linker = nlp.add_pipe("arpk_actors", name="best", config={"fuzzy_threshold": float(best), "refine_spans": False, "relabel": False})
    linker.initialize(registry_path=args.registry, demonyms_path=str(REPO / "configs" / "demonyms.json"))
    gold, n_gold = accuracy(linker, nlp, recs["gold"])
    print(f"chosen on dev: {best}; gold accuracy at {best}: {gold:.4f} ({n_gold} mentions)")


if __name__ == "__main__":
    main()
