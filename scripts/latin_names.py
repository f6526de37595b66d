"""Latin-script names inside Arabic text (issue 11: they are entities too): recall and precision
of the entity spans written in Latin letters (`UNIFIL`, `Jean-Pierre Lacroix`, `LBCI`), exact
span and label, on a corpus split.

    uv run python scripts/latin_names.py --split gold-press [--split gold ...] [-m MODEL]
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import spacy
from spacy.scorer import PRFScore

from arpk_nlp.data.corpus import split_records
from arpk_nlp.evaluate import dated_doc

REPO = Path(__file__).resolve().parents[1]
LATIN = re.compile(r"[A-Za-z]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", action="append", required=True)
    ap.add_argument("-m", "--model", default=str(REPO / "models" / "arpk-ar"))
    args = ap.parse_args()
    nlp = spacy.load(args.model)
    for split in args.split:
        recs = split_records(REPO / "corpus", split)
        prf, missed = PRFScore(), []
        for rec in recs:
            doc = nlp(dated_doc(nlp.make_doc, rec))
            gold = {(s["start"], s["end"], s["label"]) for s in rec["spans"] if LATIN.search(rec["text"][s["start"]:s["end"]])}
            pred = {(e.start_char, e.end_char, e.label_) for e in doc.ents if LATIN.search(e.text)}
            prf.tp += len(gold & pred)
            prf.fp += len(pred - gold)
            prf.fn += len(gold - pred)
            missed += [f"{rec['id']}: {rec['text'][s:e]} ({lab})" for s, e, lab in sorted(gold - pred)]
        print(f"{split}: {prf.tp + prf.fn} Latin-script gold spans in {len(recs)} articles; "
              f"P {prf.precision:.3f} R {prf.recall:.3f} F {prf.fscore:.3f}")
        for m in missed:
            print("  missed:", m)


if __name__ == "__main__":
    main()
