"""List the linking errors of a pipeline on a corpus split (gold mentions the NER found whose id
differs from the expected one), for error analysis:

    uv run python scripts/link_errors.py -m /tmp/arpk-linker --split dev
"""
from __future__ import annotations

import argparse
from pathlib import Path

import spacy

from arpk_nlp.annotate import find_linker
from arpk_nlp.data.corpus import split_records
from arpk_nlp.evaluate import _expected, dated_doc

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-m", "--model", type=Path, default=REPO / "models" / "arpk-ar")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = ap.parse_args()
    nlp = spacy.load(args.model)
    known = set(find_linker(nlp).actors)
    recs = split_records(args.corpus, args.split)
    for rec, doc in zip(recs, nlp.pipe(dated_doc(nlp.make_doc, r) for r in recs)):
        pred = {(e.start_char, e.end_char): e for e in doc.ents}
        got_ids = {e.kb_id_ for e in doc.ents}
        for sp in rec["spans"]:
            if not sp.get("actor"):
                continue
            exp = _expected(sp, known)
            e = pred.get((sp["start"], sp["end"]))
            if e is not None and (e.kb_id_ or None) != exp:
                print(f"{rec['id']}\tLINK\t{rec['text'][sp['start']:sp['end']]}\t{sp['label']}\texpected={exp}\tgot={e.kb_id_ or None}\t{e._.link_reason}")
            elif e is None and exp and exp not in got_ids:
                print(f"{rec['id']}\tMISS\t{rec['text'][sp['start']:sp['end']]}\t{sp['label']}\texpected={exp}")


if __name__ == "__main__":
    main()
