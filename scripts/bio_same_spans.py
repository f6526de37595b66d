"""Does the BIO decoder give the same spans as before? (guard for replacing it with spaCy's iob_utils)

Decodes every tag column of every CoNLL file under a folder (e.g. /work/shared/data/ner: ANERcorp,
AQMAR, Wojood with all its nesting levels) with `arpk_nlp.data.external._spans_and_repairs`, and
writes the spans and repair counts to JSON, or compares them with a file written earlier.

    uv run python scripts/bio_same_spans.py /work/shared/data/ner --out /tmp/bio_before.json
    uv run python scripts/bio_same_spans.py /work/shared/data/ner --compare /tmp/bio_before.json
"""
import argparse
import json
import sys
from pathlib import Path

from arpk_nlp.data.external import _spans_and_repairs, read_conll


def decode_all(root: Path) -> dict:
    out = {}
    for f in sorted(root.rglob("*.txt")):
        try:
            sentences = read_conll(f)
        except ValueError:
            continue  # not a CoNLL file (a gazetteer, a README)
        if not any(tags for sent in sentences for _, tags in sent):
            continue
        depth = max(len(t) for sent in sentences for _, t in sent)
        cols = []
        for level in range(depth):
            rows = []
            for sent in sentences:
                tags = [t[level] if len(t) > level else "O" for _, t in sent]
                spans, rep = _spans_and_repairs(tags)
                rows.append([[list(s) for s in spans], rep])
            cols.append(rows)
        out[str(f.relative_to(root))] = cols
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", type=Path)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", type=Path)
    g.add_argument("--compare", type=Path)
    a = ap.parse_args()
    new = decode_all(a.root)
    if a.out:
        a.out.write_text(json.dumps(new), encoding="utf-8")
    old = json.loads(a.compare.read_text(encoding="utf-8")) if a.compare else new
    bad = 0
    for f, cols in new.items():
        n_sent = sum(len(c) for c in cols)
        n_spans = sum(len(s) for c in cols for s, _ in c)
        n_rep = sum(r for c in cols for _, r in c)
        same = sum(1 for c_new, c_old in zip(cols, old.get(f, [])) for x, y in zip(c_new, c_old) if x == y)
        bad += n_sent - same
        print(f"{f}: {len(cols)} tag column(s), {n_sent} sentence-columns, {n_spans} spans, {n_rep} repairs; "
              f"{same}/{n_sent} identical")
    if set(new) != set(old):
        print(f"files differ: {sorted(set(new) ^ set(old))}")
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
