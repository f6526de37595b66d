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
from spacy.scorer import PRFScore

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def is_press(rec) -> bool:
    return rec["id"].startswith("p") or rec["id"].startswith("gp")


def metrics(Y: np.ndarray, P: np.ndarray, labels) -> dict:
    Y, P = Y.astype(bool), P.astype(bool)
    tp, fp, fn = (Y & P).sum(0), (~Y & P).sum(0), (Y & ~P).sum(0)
    prf = [PRFScore(tp=int(tp[j]), fp=int(fp[j]), fn=int(fn[j])) for j in range(len(labels))]
    per = {l: {"p": s.precision, "r": s.recall, "f": s.fscore, "n": int(Y[:, j].sum())} for j, (l, s) in enumerate(zip(labels, prf))}
    micro = sum(prf, PRFScore())
    return {"micro_f": micro.fscore, "micro_p": micro.precision, "micro_r": micro.recall,
            "macro_f": float(np.mean([s.fscore for s in prf])), "per": per}


def scores(cal, Z: np.ndarray) -> np.ndarray:
    """(n_docs, n_labels) reported scores from pooled logits with a calibration state."""
    from arpk_nlp.pipeline.calibration import decision_score

    return np.stack([decision_score(cal.calibrators[l](Z[:, j]), cal.thresholds[l]) for j, l in enumerate(cal.labels)], 1)


def legacy_thresholds(Z, Y) -> np.ndarray:
    """The shipped method before calibration: per label, the F1-best threshold on the linear
    model's own probability from a grid over [0.15, 0.85], ties nearest 0.5."""
    P = 1 / (1 + np.exp(-Z))
    out = np.full(Z.shape[1], 0.5)
    for j in range(Z.shape[1]):
        y = Y[:, j].astype(bool)
        if not y.any():
            continue
        best, best_f = 0.5, -1.0
        for t in np.arange(0.15, 0.851, 0.025):
            pred = P[:, j] >= t
            tp, fp, fn = (pred & y).sum(), (pred & ~y).sum(), (~pred & y).sum()
            f = PRFScore(tp=int(tp), fp=int(fp), fn=int(fn)).fscore
            if f > best_f + 1e-9 or (abs(f - best_f) < 1e-9 and abs(t - 0.5) < abs(best - 0.5)):
                best, best_f = t, f
        out[j] = best
    return out


def cv_predict(labels, Z, Y, kinds=None, seeds=(0, 1, 2), folds=5):
    """Decisions on each dev doc from calibrators + thresholds fitted on the other folds; one
    prediction matrix per seed (fold split)."""
    from sklearn.model_selection import KFold

    from arpk_nlp.pipeline import themes_fit

    out = []
    for seed in seeds:
        P = np.zeros(Y.shape, dtype=bool)
        for tr, te in KFold(folds, shuffle=True, random_state=seed).split(Z):
            if kinds == "legacy":
                P[te] = legacy_thresholds(Z[tr], Y[tr]) <= 1 / (1 + np.exp(-Z[te]))
                continue
            cal = SimpleNamespace(labels=labels, calibrators={}, thresholds={}, bands={})
            themes_fit.fit_calibration(cal, Z[tr], Y[tr], seed=seed, kinds=kinds, bands=False)
            P[te] = scores(cal, Z[te]) >= 0.5
        out.append(P)
    return out


def band_check(labels, Z, Y, seeds=(0, 1, 2), folds=5):
    """How useful is `borderline`? Over held-out dev folds: the share of (article, label) pairs
    flagged, and the error rate of the decisions inside and outside the band, for a few choices
    of the bootstrap quantiles."""
    from sklearn.model_selection import KFold

    from arpk_nlp.pipeline import themes_fit

    print("\nBorderline band, held-out dev folds: | quantiles | flagged | error rate in band | error rate outside |")
    for q in ((0.1, 0.9), (0.2, 0.8), (0.25, 0.75)):
        themes_fit.BAND_QUANTILES = q
        flagged = wrong_in = wrong_out = n_out = 0
        for seed in seeds:
            for tr, te in KFold(folds, shuffle=True, random_state=seed).split(Z):
                cal = SimpleNamespace(labels=labels, calibrators={}, thresholds={}, bands={})
                themes_fit.fit_calibration(cal, Z[tr], Y[tr], seed=seed, kinds=("platt",))
                S = scores(cal, Z[te])
                lo = np.array([cal.bands[l][0] for l in labels])
                hi = np.array([cal.bands[l][1] for l in labels])
                inb = (S >= lo) & (S <= hi) & (lo < hi)
                wrong = (S >= 0.5) != Y[te].astype(bool)
                flagged += inb.sum(); wrong_in += (wrong & inb).sum()
                n_out += (~inb).sum(); wrong_out += (wrong & ~inb).sum()
        total = flagged + n_out
        print(f"| {q} | {flagged / total:.3f} | {wrong_in / max(flagged, 1):.3f} | {wrong_out / max(n_out, 1):.3f} |", flush=True)
    themes_fit.BAND_QUANTILES = (0.1, 0.9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(REPO / "models" / "arpk-ar"))
    ap.add_argument("--corpus", default=str(REPO / "corpus"))
    ap.add_argument("--config", default=str(REPO / "configs" / "arpk.cfg"))
    ap.add_argument("--press-holdout", type=int, default=0)
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--grid", default="C=4,16;pooling=doc,max,mean",
                    help="settings for --compare: 'key=v1,v2;key=...' over C, lexicon_weight, hash_bits, word_ngrams, pooling")
    ap.add_argument("--pooling", default=None, help="override the config's pooling")
    ap.add_argument("--C", type=float, default=None)
    ap.add_argument("--report-test", default="")
    ap.add_argument("--test-corpus", default=None)
    ap.add_argument("--write", default=None)
    ap.add_argument("--misses", action="store_true", help="list the dev articles the fitted model gets wrong")
    ap.add_argument("--band-check", action="store_true", help="held-out quality of the borderline band")
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
        import itertools

        grid = {k: v.split(",") for k, v in (kv.split("=") for kv in args.grid.split(";"))}
        grid.setdefault("pooling", ["doc"])
        fit_keys = [k for k in grid if k != "pooling"]
        print("\nCross-validated over dev folds (5 folds x 3 seeds; agenda rule off)")
        print("| setting | thresholds | dev micro-F | dev macro-F | dev micro-P | dev micro-R | in-domain micro-F | press micro-F | press micro-R |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for values in itertools.product(*(grid[k] for k in fit_keys)):
            over = {k: (float(v) if k in ("C", "lexicon_weight") else int(v)) for k, v in zip(fit_keys, values)}
            base = A4PClassifier(nlp.vocab, **{**params, **over})
            base.set_lexicon(lexicon)
            themes_fit.fit(base, train_docs, None)
            for pooling in grid["pooling"]:
                clf = copy.copy(base)
                clf.cfg = {**base.cfg, "pooling": pooling}
                Z = themes_fit.dev_logits(clf, dev_docs)
                # Decisions do not depend on the calibrator kind (monotone maps, cut tuned on the
                # raw log-odds), so Platt alone stands for the calibrated thresholds here.
                for kinds, name in (("legacy", "old: raw, grid [0.15, 0.85]"), (("platt",), "calibrated (new)")):
                    Ps = cv_predict(labels, Z, Ydev, kinds)
                    row = {s: [metrics(Ydev[m], P[m], labels) for P in Ps] for s, m in subsets.items()}
                    avg = lambda s, k: float(np.mean([r[k] for r in row[s]]))
                    desc = ", ".join(f"{k} {v}" for k, v in {**over, "pooling": pooling}.items())
                    print(f"| {desc} | {name} | {avg('dev', 'micro_f'):.3f} | {avg('dev', 'macro_f'):.3f} | {avg('dev', 'micro_p'):.3f} | "
                          f"{avg('dev', 'micro_r'):.3f} | {avg('in-domain', 'micro_f'):.3f} | {avg('press', 'micro_f'):.3f} | "
                          f"{avg('press', 'micro_r'):.3f} |", flush=True)

    clf, secs = fitted(params["pooling"])
    Z = themes_fit.dev_logits(clf, dev_docs)
    report = themes_fit.fit_calibration(clf, Z, Ydev)
    print(f"\nChosen: {params} (LR fit {secs:.1f} s)")
    for l, r in report.items():
        print(f"  {l:<27} {r['kind']:<9} t={clf.thresholds[l]:<7} band={clf.bands[l]}  " +
              (" ".join(f"{k}: ll {v[0]:.3f} brier {v[1]:.3f}" for k, v in r.get("cv", {}).items()) or r.get("reason", "")))
    after = np.array([[clf(d.copy()).cats[l] >= 0.5 for l in labels] for d in dev_docs])
    cvP = cv_predict(labels, Z, Ydev, ("platt",))
    if args.band_check:
        band_check(labels, Z, Ydev)
    if args.misses:
        S = scores(clf, Z)
        for i, r in enumerate(dev):
            wrong = [f"{'FN' if Ydev[i, j] else 'FP'} {l} {S[i, j]:.2f}" for j, l in enumerate(labels)
                     if (S[i, j] >= 0.5) != bool(Ydev[i, j])]
            if wrong:
                print(f"  {r['id']}: " + "; ".join(wrong) + " | " + r["text"][:90].replace("\n", " "))
    for s, m in subsets.items():
        b, a = metrics(Ydev[m], before[m], labels), metrics(Ydev[m], after[m], labels)
        cv = [metrics(Ydev[m], P[m], labels) for P in cvP]
        print(f"\n{s} ({int(m.sum())} docs): before (shipped) / after (in-sample, as shipped) / after (dev-CV)")
        print("| label | n | P before | R before | F before | P after | R after | F after | F after (CV) |")
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
