"""Refit the A4P component alone (no NER retraining) and compare its settings on dev.

    uv run python scripts/a4p_refit.py [--press-holdout 3] [--compare] [--write DIR]
                                       [--report-test gold,gold-press --test-corpus /work/main/corpus]

The shipped model (`--model`) only provides the tokenizer and sentencizer; `arpk_a4p` is fitted
on the corpus's train split and calibrated on its dev split, exactly as `train` does in
`initialize` (themes_fit.fit). Everything is chosen on dev:

- `--press-holdout K`: while the press batch has few dev articles, every K-th press train
  article (p*-* ids, sorted) is moved to dev ("press dev") and out of train.
- `--compare`: a table of representations × calibration kinds, scored by cross-validation over
  dev folds (calibrators and thresholds fitted on the other folds, so isotonic's in-sample fit
  does not flatter it), on in-domain dev and press dev separately and together.
- the chosen configuration (the component settings in configs/arpk.cfg, or `--pooling`) is then
  fitted on all of dev and reported per label on dev, with the shipped component alongside.
- `--report-test`: score the chosen configuration once on test splits (gold, gold-press). Never
  choose anything on them.
- `--write DIR`: the shipped model with this refitted `arpk_a4p`, saved to DIR.
"""
from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def is_press(rec) -> bool:
    return rec["id"].startswith("p") or rec["id"].startswith("gp")


def metrics(Y: np.ndarray, P: np.ndarray, labels) -> dict:
    Y, P = Y.astype(bool), P.astype(bool)
    tp, fp, fn = (Y & P).sum(0), (~Y & P).sum(0), (Y & ~P).sum(0)
    f = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    per = {l: {"p": tp[j] / max(tp[j] + fp[j], 1), "r": tp[j] / max(tp[j] + fn[j], 1), "f": f[j], "n": int(Y[:, j].sum())}
           for j, l in enumerate(labels)}
    TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
    return {"micro_f": 2 * TP / max(2 * TP + FP + FN, 1), "micro_p": TP / max(TP + FP, 1), "micro_r": TP / max(TP + FN, 1),
            "macro_f": float(np.mean(f)), "per": per}


def scores(cal, Z: np.ndarray) -> np.ndarray:
    """(n_docs, n_labels) reported scores from pooled logits with a calibration state."""
    from arpk_nlp.pipeline.calibration import decision_score

    return np.stack([decision_score(cal.calibrators[l](Z[:, j]), cal.thresholds[l]) for j, l in enumerate(cal.labels)], 1)


def cv_predict(labels, Z, Y, kinds=None, seeds=(0, 1, 2), folds=5):
    """Decisions on each dev doc from calibrators + thresholds fitted on the other folds; one
    prediction matrix per seed (fold split)."""
    from sklearn.model_selection import KFold

    from arpk_nlp.pipeline import themes_fit

    out = []
    for seed in seeds:
        P = np.zeros(Y.shape, dtype=bool)
        for tr, te in KFold(folds, shuffle=True, random_state=seed).split(Z):
            cal = SimpleNamespace(labels=labels, calibrators={}, thresholds={}, bands={})
            themes_fit.fit_calibration(cal, Z[tr], Y[tr], seed=seed, kinds=kinds, bands=False)
            P[te] = scores(cal, Z[te]) >= 0.5
        out.append(P)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(REPO / "models" / "arpk-ar"))
    ap.add_argument("--corpus", default=str(REPO / "corpus"))
    ap.add_argument("--config", default=str(REPO / "configs" / "arpk.cfg"))
    ap.add_argument("--press-holdout", type=int, default=0)
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--pooling", default=None, help="override the config's pooling")
    ap.add_argument("--C", type=float, default=None)
    ap.add_argument("--report-test", default="")
    ap.add_argument("--test-corpus", default=None)
    ap.add_argument("--write", default=None)
    args = ap.parse_args()

    import spacy
    import srsly
    from spacy.util import load_config

    from arpk_nlp.data.corpus import split_records
    from arpk_nlp.pipeline import themes_fit
    from arpk_nlp.pipeline.labels import A4P_LABELS
    from arpk_nlp.pipeline.themes import A4PClassifier

    labels = list(A4P_LABELS)
    nlp = spacy.load(args.model)
    shipped = nlp.get_pipe("arpk_a4p")
    sentencizer = nlp.get_pipe("sentencizer")
    corpus = Path(args.corpus)
    train = sorted(split_records(corpus, "train"), key=lambda r: r["id"])
    dev = sorted(split_records(corpus, "dev"), key=lambda r: r["id"])
    if args.press_holdout:
        press = [r for r in train if is_press(r)]
        held = {r["id"] for r in press[args.press_holdout - 1 :: args.press_holdout]}
        dev += [r for r in train if r["id"] in held]
        train = [r for r in train if r["id"] not in held]
    print(f"train {len(train)} ({sum(map(is_press, train))} press), dev {len(dev)} ({sum(map(is_press, dev))} press)")

    def docs(recs, sents: bool):
        out = []
        for r in recs:
            d = nlp.make_doc(r["text"])
            if sents:
                d = sentencizer(d)
            d.cats = {l: float(r["cats"].get(l, 0)) for l in labels}
            out.append(d)
        return out

    train_docs, dev_docs = docs(train, False), docs(dev, True)
    Ydev = np.array([[d.cats[l] >= 0.5 for l in labels] for d in dev_docs], dtype=np.int64)
    press_mask = np.array([is_press(r) for r in dev])
    subsets = {"dev": np.ones(len(dev), bool), "in-domain": ~press_mask, "press": press_mask}

    cfg = load_config(args.config)["components"]["arpk_a4p"]
    params = {k: cfg[k] for k in ("hash_bits", "char_ngrams", "word_ngrams", "lexicon_weight", "C", "max_evidence",
                                  "agenda_rule", "pooling") if k in cfg}
    if args.pooling:
        params["pooling"] = args.pooling
    if args.C:
        params["C"] = args.C
    params["char_ngrams"] = tuple(params["char_ngrams"])
    lexicon = srsly.read_json(REPO / "configs" / "a4p_lexicon.json")

    # Before: the shipped component as it is (agenda rule included).
    before = np.array([[shipped(d.copy()).cats[l] >= 0.5 for l in labels] for d in dev_docs])

    def fitted(pooling, C=None):
        clf = A4PClassifier(nlp.vocab, **{**params, "pooling": pooling, **({"C": C} if C else {})})
        clf.set_lexicon(lexicon)
        t0 = time.time()
        themes_fit.fit(clf, train_docs, None)
        return clf, time.time() - t0

    if args.compare:
        print("\nCross-validated over dev folds (5 folds x 3 seeds; agenda rule off): micro-F1 / macro-F1 / micro-R")
        print("| representation | calibration | dev micro-F | dev macro-F | dev micro-R | in-domain micro-F | press micro-F | press micro-R |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        lr_cache = {}
        for C in ([params["C"]] + ([1.0, 16.0] if args.C is None else [])):
            base, _ = fitted("doc", C)
            for pooling in ("doc", "max", "mean"):
                clf = copy.copy(base)
                clf.cfg = {**base.cfg, "pooling": pooling}
                Z = themes_fit.dev_logits(clf, dev_docs)
                for kinds, name in ((None, "auto (CV log-loss)"), (("platt",), "Platt"), (("isotonic",), "isotonic")):
                    Ps = cv_predict(labels, Z, Ydev, kinds)
                    row = {s: [metrics(Ydev[m], P[m], labels) for P in Ps] for s, m in subsets.items()}
                    avg = lambda s, k: float(np.mean([r[k] for r in row[s]]))
                    print(f"| {pooling} pooling, C {C:g} | {name} | {avg('dev', 'micro_f'):.3f} | {avg('dev', 'macro_f'):.3f} | "
                          f"{avg('dev', 'micro_r'):.3f} | {avg('in-domain', 'micro_f'):.3f} | {avg('press', 'micro_f'):.3f} | "
                          f"{avg('press', 'micro_r'):.3f} |", flush=True)
        # The old way (no calibration; F1-best raw threshold on dev, in-sample) for reference.

    clf, secs = fitted(params["pooling"])
    Z = themes_fit.dev_logits(clf, dev_docs)
    report = themes_fit.fit_calibration(clf, Z, Ydev)
    print(f"\nChosen: {params} (LR fit {secs:.1f} s)")
    for l, r in report.items():
        print(f"  {l:<27} {r['kind']:<9} t={clf.thresholds[l]:<7} band={clf.bands[l]}  " +
              (" ".join(f"{k}: ll {v[0]:.3f} brier {v[1]:.3f}" for k, v in r.get("cv", {}).items()) or r.get("reason", "")))
    after = np.array([[clf(d.copy()).cats[l] >= 0.5 for l in labels] for d in dev_docs])
    cvP = cv_predict(labels, Z, Ydev)
    for s, m in subsets.items():
        b, a = metrics(Ydev[m], before[m], labels), metrics(Ydev[m], after[m], labels)
        cv = [metrics(Ydev[m], P[m], labels) for P in cvP]
        print(f"\n{s} ({int(m.sum())} docs): before (shipped) / after (in-sample, as shipped) / after (dev-CV)")
        print(f"| label | n | P before | R before | F before | P after | R after | F after | F after (CV) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for l in labels:
            pb, pa = b["per"][l], a["per"][l]
            fc = np.mean([c["per"][l]["f"] for c in cv])
            print(f"| {l} | {pb['n']} | {pb['p']:.2f} | {pb['r']:.2f} | {pb['f']:.2f} | {pa['p']:.2f} | {pa['r']:.2f} | {pa['f']:.2f} | {fc:.2f} |")
        mc = np.mean([c["micro_f"] for c in cv]); Mc = np.mean([c["macro_f"] for c in cv])
        print(f"| micro | | {b['micro_p']:.3f} | {b['micro_r']:.3f} | {b['micro_f']:.3f} | {a['micro_p']:.3f} | {a['micro_r']:.3f} | {a['micro_f']:.3f} | {mc:.3f} |")
        print(f"| macro-F | | | | {b['macro_f']:.3f} | | | {a['macro_f']:.3f} | {Mc:.3f} |")

    for split in filter(None, args.report_test.split(",")):
        recs = split_records(Path(args.test_corpus or corpus), split)
        if not recs:
            print(f"\n{split}: no articles")
            continue
        tdocs = docs(recs, True)
        Y = np.array([[d.cats[l] >= 0.5 for l in labels] for d in tdocs])
        b = metrics(Y, np.array([[shipped(d.copy()).cats[l] >= 0.5 for l in labels] for d in tdocs]), labels)
        a = metrics(Y, np.array([[clf(d.copy()).cats[l] >= 0.5 for l in labels] for d in tdocs]), labels)
        print(f"\n{split} ({len(recs)} docs), reported once: before / after")
        print(f"micro P/R/F {b['micro_p']:.3f}/{b['micro_r']:.3f}/{b['micro_f']:.3f} -> {a['micro_p']:.3f}/{a['micro_r']:.3f}/{a['micro_f']:.3f}; "
              f"macro-F {b['macro_f']:.3f} -> {a['macro_f']:.3f}")
        for l in labels:
            pb, pa = b["per"][l], a["per"][l]
            print(f"  {l:<27} n={pb['n']:<3} P {pb['p']:.2f}->{pa['p']:.2f}  R {pb['r']:.2f}->{pa['r']:.2f}  F {pb['f']:.2f}->{pa['f']:.2f}")

    if args.write:
        nlp.get_pipe("arpk_a4p").from_bytes(clf.to_bytes())
        nlp.to_disk(args.write)
        print(f"\nwrote {args.write}")


if __name__ == "__main__":
    main()
