"""Per-label score calibration for `arpk_a4p` (inference side: numpy only).

A calibrator maps the classifier's raw log-odds `z` to a probability `p = P(label | z)` fitted on
dev (see `themes_fit`). The decision threshold `t` (also from dev) lives in that probability
space; the score the pipeline reports shifts the odds so the threshold sits at 0.5:

    score = sigmoid(logit(p) - logit(t))

so `score >= 0.5` exactly when `p >= t`, the map is monotone in `z`, and a score's distance
from 0.5 is the calibrated evidence for or against the label in log-odds.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

EPS = 1e-4  # probabilities are kept inside [EPS, 1 - EPS]: an isotonic step may hit 0 or 1


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def _clip(p):
    # np.clip's Python-level dispatch costs more than the work on the few values scored per
    # Doc; maximum then minimum give the same values (NaN stays NaN).
    return np.minimum(np.maximum(p, EPS), 1.0 - EPS)


def logit(p):
    p = _clip(np.asarray(p, dtype=np.float64))
    return np.log(p / (1.0 - p))


@lru_cache(maxsize=1024)
def _threshold_logit(threshold: float):
    # A label's threshold is fixed once the model is loaded; its log-odds are asked for with
    # every score reported.
    return logit(threshold)


class Calibrator:
    """One label's map from raw log-odds to a probability.

    kind: "identity" (p = sigmoid(z): the classifier's own probability, used when dev has too
    few examples of the label to fit anything), "platt" (p = sigmoid(a·z + b)) or "isotonic"
    (a non-decreasing step function through the knots (x, y), linear between them).
    """

    KINDS = ("identity", "platt", "isotonic")

    def __init__(self, kind: str = "identity", a: float = 1.0, b: float = 0.0,
                 x: list[float] | None = None, y: list[float] | None = None):
        if kind not in self.KINDS:
            raise ValueError(f"unknown calibrator kind {kind!r}")
        self.kind = kind
        # Rounded as cfg.json stores them, so a fitted and a reloaded model score identically.
        self.a, self.b = round(float(a), 6), round(float(b), 6)
        self.x = np.round(np.asarray(x if x is not None else [], dtype=np.float64), 6)
        self.y = np.round(np.asarray(y if y is not None else [], dtype=np.float64), 6)
        if kind == "isotonic":
            if len(self.x) < 2 or len(self.x) != len(self.y) or np.any(np.diff(self.x) < 0) or np.any(np.diff(self.y) < 0):
                raise ValueError("isotonic calibrator needs >= 2 sorted knots with non-decreasing values")

    def __call__(self, z) -> np.ndarray:
        z = np.asarray(z, dtype=np.float64)
        if self.kind == "platt":
            p = sigmoid(self.a * z + self.b)
        elif self.kind == "isotonic":
            p = np.interp(z, self.x, self.y)  # constant beyond the outer knots
        else:
            p = sigmoid(z)
        return _clip(p)

    def to_dict(self) -> dict:
        if self.kind == "platt":
            return {"kind": "platt", "a": self.a, "b": self.b}
        if self.kind == "isotonic":
            return {"kind": "isotonic", "x": self.x.tolist(), "y": self.y.tolist()}
        return {"kind": "identity"}

    @classmethod
    def from_dict(cls, d: dict) -> Calibrator:
        return cls(d.get("kind", "identity"), d.get("a", 1.0), d.get("b", 0.0), d.get("x"), d.get("y"))

    def __repr__(self) -> str:
        return f"Calibrator({self.to_dict()})"


def decision_score(p, threshold: float) -> np.ndarray:
    """Calibrated probability → reported score, with the threshold at 0.5."""
    t = _threshold_logit(threshold) if isinstance(threshold, float) else logit(threshold)
    return sigmoid(logit(p) - t)
