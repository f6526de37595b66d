"""Gold linking with the actors that only gold mentions removed from the registry.

The registry was completed with gold's own actors, so gold linking is optimistic. This removes
every actor id that gold spans name and no train/dev span names (also from the gazetteer),
re-assembles the shipped NER with that registry (scripts/assemble_linker.py) and scores gold:

- `link_acc (real)`: a removed actor's mention counts as expected to get its gold id, so every
  mention of a removed actor is an error: what news the registry never saw looks like.
- `link_acc (contract)`: as `evaluate` scores it (ids the registry lacks are expected null).
- `actor_recall (real)`: per article, gold ids (removed ones included) found in the output.

    uv run python scripts/ablation_gold_only.py
"""
from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def score(nlp, records, full_ids: set[str]) -> dict:
    from arpk_nlp.annotate import find_linker
    from arpk_nlp.evaluate import dated_doc

    known = set(find_linker(nlp).actors)
    found = real = contract = 0
    tp = n_gold = 0
    for rec, doc in zip(records, nlp.pipe(dated_doc(nlp.make_doc, r) for r in records)):
        pred = {(e.start_char, e.end_char): (e.kb_id_ or None) for e in doc.ents}
        gold_ids = set()
        for sp in rec["spans"]:
            a = sp.get("actor")
            if not a:
                continue
            if a in full_ids:
                gold_ids.add(a)
            key = (sp["start"], sp["end"])
            if key in pred:
                found += 1
                real += int(pred[key] == (a if a in full_ids else None))
                contract += int(pred[key] == (a if a in known else None))
        out_ids = {i for i in pred.values() if i}
        tp += len(gold_ids & out_ids)
        n_gold += len(gold_ids)
    return {"link_acc_real": real / found, "link_acc_contract": contract / found, "found": found,
            "actor_recall_real": tp / n_gold}


def main() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from arpk_nlp.data.corpus import split_records
    from arpk_nlp.pipeline.registry import read_registry
    from assemble_linker import assemble

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-m", "--model", type=Path, default=REPO / "models" / "arpk-ar")
    ap.add_argument("--registry", type=Path, default=REPO / "configs" / "actors")
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = ap.parse_args()
    demonyms = REPO / "configs" / "demonyms.json"
    gold = split_records(args.corpus, "gold")
    seen = {sp["actor"] for split in ("train", "dev") for r in split_records(args.corpus, split)
            for sp in r["spans"] if sp.get("actor")}
    full_ids = {a.id for a in read_registry(args.registry)}
    gold_ids = {sp["actor"] for r in gold for sp in r["spans"] if sp.get("actor")} & full_ids
    only_gold = gold_ids - seen
    print(f"gold actor ids in the registry: {len(gold_ids)}; only in gold (removed): {len(only_gold)}")
    print("| registry | gold link acc (real) | gold link acc (contract) | gold actor recall (real) |")
    print("|---|---:|---:|---:|")
    for name, drop in (("full", set()), ("without gold-only actors", only_gold)):
        nlp = assemble(args.model, args.registry, demonyms, drop=drop)
        s = score(nlp, gold, full_ids)
        print(f"| {name} | {s['link_acc_real']:.4f} | {s['link_acc_contract']:.4f} | {s['actor_recall_real']:.4f} |")


if __name__ == "__main__":
    main()
