"""Fitting the A4P classifier (training time only: imports scikit-learn and scipy)."""
from __future__ import annotations

from importlib.metadata import version

import numpy as np
from scipy import sparse


def _matrix(clf, docs, fit_idf: bool):
    rows, cols, vals = [], [], []
    counts = [clf._hashed(doc) for doc in docs]
    if fit_idf:
        df = np.zeros(clf.n_hash, dtype=np.float64)
        for c in counts:
            df[np.fromiter(c.keys(), dtype=np.int64, count=len(c))] += 1
        n = len(docs)
        # float16 like on disk, so the fitted and the reloaded model agree exactly
        clf.idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float16).astype(np.float32)
    for r, (doc, c) in enumerate(zip(docs, counts)):
        idx, val = clf._vectorize(c, clf._lexicon_counts(doc.text))
        rows.append(np.full(len(idx), r))
        cols.append(idx)
        vals.append(val)
    n_feat = clf.n_hash + len(clf.labels)
    return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(len(docs), n_feat))


def _targets(clf, docs) -> np.ndarray:
    return np.array([[int(doc.cats.get(label, 0) >= 0.5) for label in clf.labels] for doc in docs])


def _fit_models(clf, X, Y):
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((len(clf.labels), X.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(clf.labels), dtype=np.float32)
    for j in range(len(clf.labels)):
        y = Y[:, j]
        if y.min() == y.max():  # a label with one class only: constant score
            intercept[j] = 4.0 if y[0] else -4.0
            continue
        lr = LogisticRegression(C=clf.cfg["C"], class_weight="balanced", solver="liblinear", max_iter=1000)
        lr.fit(X, y)
        coef[j] = lr.coef_[0]
        intercept[j] = lr.intercept_[0]
    return coef, intercept


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The threshold in [0.15, 0.85] with the best F1; ties go to the one nearest 0.5."""
    best, best_f = 0.5, -1.0
    for t in np.arange(0.15, 0.851, 0.025):
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        fp = int((pred & (y == 0)).sum())
        fn = int((~pred & (y == 1)).sum())
        f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f > best_f + 1e-9 or (abs(f - best_f) < 1e-9 and abs(t - 0.5) < abs(best - 0.5)):
            best, best_f = float(t), f
    return round(best, 3)


def fit(clf, train_docs, dev_docs=None) -> None:
    """Fit idf, the per-label logistic regressions and thresholds (on dev, else 0.5)."""
    X = _matrix(clf, train_docs, fit_idf=True)
    Y = _targets(clf, train_docs)
    coef, intercept = _fit_models(clf, X, Y)
    # Stored as float16 on disk: quantize now so the fitted and the reloaded model agree exactly.
    clf.coef = coef.astype(np.float16).astype(np.float32)
    clf.intercept = intercept
    clf.thresholds = {label: 0.5 for label in clf.labels}
    if dev_docs:
        Xd = _matrix(clf, dev_docs, fit_idf=False)
        Yd = _targets(clf, dev_docs)
        P = 1.0 / (1.0 + np.exp(-(Xd @ clf.coef.T + clf.intercept)))
        for j, label in enumerate(clf.labels):
            if Yd[:, j].any():
                clf.thresholds[label] = _best_threshold(P[:, j], Yd[:, j])
    clf.versions = {pkg: version(pkg) for pkg in ("scikit-learn", "numpy", "arpk-nlp")}
