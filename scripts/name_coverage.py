"""How much of ANERcorp test's entities a word list could reveal: the evidence behind not using
ANERGazet as a feature (README, "Public Arabic NER corpora").

    uv run python scripts/name_coverage.py --data ../shared/data/ner

For each test entity (PERS, LOC, ORG) it counts whether it was seen as the same entity in
ANERcorp train (which the NER learns from), whether one of its words (proclitics aside) is in
ANERGazet's list of that type, or in this project's given-name list (PERS only); "only
ANERGazet's" are the entities nothing else covers, i.e. what ANERGazet as a feature could add.
Nothing is written.
"""
from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path


def _words_in(entity: str, words: set) -> bool:
    from arpk_nlp.pipeline.normalize import strip_proclitics

    return any(r in words for w in entity.split() for r in strip_proclitics(w))


def main():
    from arpk_nlp.data.external import _spans_and_repairs, load_declarations, read_conll
    from arpk_nlp.paths import require_checkout
    from arpk_nlp.pipeline.normalize import normalize
    REPO = require_checkout("this script")

    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder of the public corpora (../shared/data/ner)")
    args = ap.parse_args()
    data = Path(args.data)
    decl = load_declarations()["anercorp"]
    split = lambda s: data / decl["folder"] / decl["splits"][s]["file"]  # noqa: E731
    for s in ("train", "test"):
        if not split(s).is_file():
            raise SystemExit(f"{split(s)}: not found (pass --data, the folder of the public corpora)")

    def entities(path):
        out = []
        for sent in read_conll(path):
            words = [w for w, _ in sent]
            spans, _ = _spans_and_repairs([t[0] if t else "O" for _, t in sent])
            out += [(label, normalize(" ".join(words[a:b]))) for a, b, label in spans]
        return out

    def word_list(name):
        path = data / "anergazet" / name
        if not path.is_file():
            raise SystemExit(f"{path}: not found (ANERGazet is part of the public corpora folder)")
        return {normalize(w) for line in path.read_text(encoding="utf8").splitlines()
                if line.strip() and not line.startswith("====") for w in line.split()}

    gazet = {"PERS": word_list("pers.txt"), "LOC": word_list("loc.txt"), "ORG": word_list("org.txt")}
    given = {normalize(w) for line in (REPO / "configs/names/given_names.txt").read_text(encoding="utf8").splitlines()
             if line.strip() and not line.startswith("#") for w in line.split()}
    seen = defaultdict(set)
    for label, ent in entities(split("train")):
        seen[label].add(ent)
    test = entities(split("test"))
    print("| type | test entities | seen in train | a word in ANERGazet | a word in given names "
          "| only ANERGazet's | none of the three |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label in ("PERS", "LOC", "ORG"):
        ents = [e for t, e in test if t == label]
        s = [e in seen[label] for e in ents]
        g = [_words_in(e, gazet[label]) for e in ents]
        n = [label == "PERS" and _words_in(e, given) for e in ents]
        only = sum(b and not a and not c for a, b, c in zip(s, g, n))
        none = sum(not (a or b or c) for a, b, c in zip(s, g, n))
        print(f"| {label} | {len(ents)} | {sum(s)} | {sum(g)} | {sum(n) if label == 'PERS' else '—'} "
              f"| {only} | {none} |")

if __name__ == "__main__":
    main()
