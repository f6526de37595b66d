"""Fitting the A4P classifier (training time only: imports scikit-learn and scipy)."""
from __future__ import annotations

from importlib.metadata import version

import numpy as np
from scipy import sparse

from .calibration import Calibrator, decision_score


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


# Calibration needs both classes on dev, a few of each: below this a label keeps the identity
# calibrator and threshold 0.5 (and no band).
MIN_CLASS = 3
N_FOLDS = 5
N_BOOTSTRAP = 200
BAND_QUANTILES = (0.1, 0.9)
T_RANGE = (0.15, 0.98)


def dev_logits(clf, docs) -> np.ndarray:
    """Pooled raw log-odds of each Doc, (n_docs, n_labels)."""
    return np.array([clf.pooled_logits(d) for d in docs]).reshape(len(docs), len(clf.labels))


def fit_platt(z: np.ndarray, y: np.ndarray) -> Calibrator:
    from sklearn.linear_model import LogisticRegression

    # Nearly unregularized: two parameters, fitted for probabilities (no class weights).
    lr = LogisticRegression(C=100.0, solver="lbfgs", max_iter=1000).fit(z[:, None], y)
    return Calibrator("platt", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))


def fit_isotonic(z: np.ndarray, y: np.ndarray) -> Calibrator:
    """Isotonic regression, interpolated between the centres of its constant blocks ("centred
    isotonic regression"): strictly increasing between the outer centres, so a cut on the raw
    log-odds stays a cut on the probability and the threshold is not lost inside a flat step."""
    from sklearn.isotonic import IsotonicRegression

    order = np.argsort(z, kind="stable")
    zs = z[order]
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit_transform(zs, y[order])
    starts = np.r_[0, np.flatnonzero(np.diff(fitted) != 0) + 1]
    xs = np.add.reduceat(zs, starts) / np.diff(np.r_[starts, len(zs)])
    ys = fitted[starts]
    if len(xs) < 2:  # one block: no information beyond the base rate
        xs, ys = np.array([zs[0], zs[-1] + 1e-6]), np.array([ys[0], ys[0]])
    return Calibrator("isotonic", x=xs.tolist(), y=ys.tolist())


FITTERS = {"platt": fit_platt, "isotonic": fit_isotonic}


def cv_losses(z: np.ndarray, y: np.ndarray, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Held-out (log-loss, Brier) of each calibrator kind over stratified folds of dev."""
    from sklearn.model_selection import StratifiedKFold

    k = int(min(N_FOLDS, y.sum(), len(y) - y.sum()))
    out = {}
    folds = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(z[:, None], y))
    for kind, fitter in FITTERS.items():
        p = np.zeros(len(y))
        for tr, te in folds:
            p[te] = fitter(z[tr], y[tr])(z[te])
        ll = -float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        out[kind] = (ll, float(np.mean((p - y) ** 2)))
    return out


def best_cut(z: np.ndarray, y: np.ndarray) -> float:
    """The F1-best decision cut on raw log-odds z: halfway between the lowest value it accepts
    and the next lower one, so it does not sit on a dev example; among equally good cuts, the
    median one."""
    order = np.argsort(-z, kind="stable")
    zs, ys = z[order], y[order].astype(np.int64)
    tp, fp = np.cumsum(ys), np.cumsum(1 - ys)
    last = np.r_[np.flatnonzero(np.diff(zs) != 0), len(zs) - 1]  # end of each run of equal values
    TP, FP = tp[last], fp[last]
    FN = int(ys.sum()) - TP
    f = np.where(TP > 0, 2 * TP / np.maximum(2 * TP + FP + FN, 1), 0.0)
    best = np.flatnonzero(f >= f.max() - 1e-12)
    k = int(best[len(best) // 2])
    i = last[k]
    return float(0.5 * (zs[i] + zs[i + 1])) if i + 1 < len(zs) else float(zs[i] - 1.0)


def threshold_band(cal: Calibrator, z: np.ndarray, y: np.ndarray, t: float, seed: int = 0) -> list[float]:
    """The borderline band [lo, hi] on the reported score: where the decision cuts re-tuned on
    bootstrap resamples of dev fall (BAND_QUANTILES), as reported scores (the threshold is at
    0.5). A score inside it would be decided the other way by a threshold tuned on an equally
    plausible dev set."""
    rng = np.random.default_rng(seed)
    n = len(y)
    cuts = []
    for _ in range(N_BOOTSTRAP):
        idx = rng.integers(0, n, n)
        if y[idx].min() != y[idx].max():
            cuts.append(best_cut(z[idx], y[idx]))
    if not cuts:
        return [0.5, 0.5]
    lo, hi = decision_score(cal(np.quantile(cuts, BAND_QUANTILES)), t)
    return [round(float(min(lo, 0.5)), 4), round(float(max(hi, 0.5)), 4)]


def fit_calibration(clf, Z: np.ndarray, Y: np.ndarray, seed: int = 0, kinds=None, bands: bool = True) -> dict:
    """Per label on dev logits Z (n_docs, n_labels) and targets Y: choose Platt or isotonic by
    cross-validated log-loss (Brier breaks ties), fit it on all of dev, tune the threshold on
    its probabilities and bootstrap the band. `kinds` restricts the choice and `bands=False`
    skips the bootstrap (cross-validation experiments).
    RETURNS (dict): label → the cross-validated losses, for reports."""
    report = {}
    for j, label in enumerate(clf.labels):
        z, y = Z[:, j].astype(np.float64), Y[:, j].astype(np.int64)
        if min(y.sum(), len(y) - y.sum()) < MIN_CLASS:
            clf.calibrators[label] = Calibrator()
            clf.thresholds[label] = 0.5
            clf.bands[label] = [0.5, 0.5]
            report[label] = {"kind": "identity", "reason": f"{int(y.sum())} positives of {len(y)} on dev"}
            continue
        allowed = [k for k in FITTERS if kinds is None or k in kinds]
        losses = cv_losses(z, y, seed) if len(allowed) > 1 else {}
        kind = min(allowed, key=lambda k: losses[k]) if losses else allowed[0]
        cal = FITTERS[kind](z, y)
        # The cut is tuned on the raw log-odds (the calibrator is monotone, so this is the same
        # ordering) and becomes a threshold on the calibrated probability.
        t = round(float(np.clip(cal(best_cut(z, y)), *T_RANGE)), 4)
        clf.calibrators[label] = cal
        clf.thresholds[label] = t
        clf.bands[label] = threshold_band(cal, z, y, t, seed) if bands else [0.5, 0.5]
        report[label] = {"kind": kind, "cv": losses, "threshold": clf.thresholds[label], "band": clf.bands[label]}
    return report


def fit(clf, train_docs, dev_docs=None) -> dict:
    """Fit idf and the per-label logistic regressions on train; then, on dev, the calibrators,
    thresholds and borderline bands (without dev: identity, 0.5, no band)."""
    X = _matrix(clf, train_docs, fit_idf=True)
    Y = _targets(clf, train_docs)
    coef, intercept = _fit_models(clf, X, Y)
    # Stored as float16 on disk: quantize now so the fitted and the reloaded model agree exactly.
    clf.coef = coef.astype(np.float16).astype(np.float32)
    clf.intercept = intercept
    clf.calibrators = {label: Calibrator() for label in clf.labels}
    clf.thresholds = {label: 0.5 for label in clf.labels}
    clf.bands = {label: [0.5, 0.5] for label in clf.labels}
    report = {}
    if dev_docs:
        report = fit_calibration(clf, dev_logits(clf, dev_docs), _targets(clf, dev_docs))
    clf.versions = {pkg: version(pkg) for pkg in ("scikit-learn", "numpy", "arpk-nlp")}
    return report
