"""The A4P classifier's settings, compared on dev (selection) and gold (report).

    uv run python scripts/a4p_grid.py [--work-dir training]

Fits `arpk_a4p` on the train DocBin of the last `python -m arpk_nlp train` run for each setting
(seconds each) and scores micro/macro F1 at the dev-tuned thresholds (the agenda rule is off here:
this compares the learned part). scripts/a4p_refit.py does the same from the corpus itself, with
cross-validation over dev folds and the press batch reported apart.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from spacy.scorer import PRFScore

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

GRID = [
    ("lexicon weight 0.1, C 4 (shipped)", {}),
    ("no lexicon", {"lexicon_weight": 0.0}),
    ("lexicon weight 0.05", {"lexicon_weight": 0.05}),
    ("lexicon weight 0.2", {"lexicon_weight": 0.2}),
    ("lexicon weight 1.0", {"lexicon_weight": 1.0}),
    ("C 1", {"C": 1.0}),
    ("C 16", {"C": 16.0}),
    ("char n-grams 2-4", {"char_ngrams": (2, 4)}),
    ("word unigrams only", {"word_ngrams": 1}),
    ("thresholds 0.5 (not tuned)", {"_untuned": True}),
]


def f1(clf, docs, labels):
    micro, per = PRFScore(), []
    S = np.array([clf.scores_from_logits(clf.pooled_logits(d)) for d in docs])  # (n_docs, n_labels)
    for j, label in enumerate(labels):
        pred = S[:, j] >= 0.5
        gold = np.array([d.cats[label] >= 0.5 for d in docs])
        a, b, c = int((pred & gold).sum()), int((pred & ~gold).sum()), int((~pred & gold).sum())
        s = PRFScore(tp=a, fp=b, fn=c)
        per.append(s.fscore)
        micro += s
    return micro.fscore, float(np.mean(per))


def main():
    import spacy
    import srsly
    from spacy.tokens import DocBin

    from arpk_nlp.pipeline import themes_fit
    from arpk_nlp.pipeline.labels import A4P_LABELS
    from arpk_nlp.pipeline.themes import A4PClassifier

    ap = argparse.ArgumentParser()
    ap.add_argument("--work-dir", default=str(REPO / "training"))
    args = ap.parse_args()
    nlp = spacy.load(REPO / "models" / "arpk-ar", disable=["tok2vec", "ner", "arpk_gazetteer", "arpk_a4p", "arpk_actors"])
    data = {}
    for split in ("train", "dev", "gold"):
        docs = []
        for ref in DocBin().from_disk(Path(args.work_dir) / f"{split}.spacy").get_docs(nlp.vocab):
            d = nlp.make_doc(ref.text)
            d.cats = ref.cats
            docs.append(d)
        data[split] = docs
    lexicon = srsly.read_json(REPO / "configs" / "a4p_lexicon.json")
    print("| setting | dev micro-F | dev macro-F | gold micro-F | gold macro-F |")
    print("|---|---:|---:|---:|---:|")
    for name, params in GRID:
        cfg = dict(hash_bits=18, char_ngrams=(3, 5), word_ngrams=2, lexicon_weight=0.1, C=4.0, agenda_rule=False)
        cfg.update({k: v for k, v in params.items() if not k.startswith("_")})
        clf = A4PClassifier(nlp.vocab, **cfg)
        clf.set_lexicon(lexicon)
        themes_fit.fit(clf, data["train"], None if params.get("_untuned") else data["dev"])
        dmi, dma = f1(clf, data["dev"], A4P_LABELS)
        gmi, gma = f1(clf, data["gold"], A4P_LABELS)
        print(f"| {name} | {dmi:.3f} | {dma:.3f} | {gmi:.3f} | {gma:.3f} |")


if __name__ == "__main__":
    main()
