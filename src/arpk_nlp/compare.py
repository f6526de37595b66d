"""Is a retrained model at least as good as the shipped one? A paired bootstrap over articles.

Both models annotate every article of every frozen gold set (GOLD_SPLITS). Per article we keep
the counts behind each headline metric, computed exactly as spaCy's Scorer computes them for the
whole set (a test checks that summing them reproduces `Scorer.score`):

- `ents_f`: entity micro-F1, exact span and label (tp, fp, fn);
- `cats_micro_f`: A4P micro-F1 at the 0.5 threshold, multi-label (tp, fp, fn);
- `link_acc`: of gold mentions with an actor id that the NER found exactly, the share given the
  expected id (correct, found), as in evaluate.py;
- `actor_recall`: gold actor ids per article found among the output's ids (hits, gold).

Resampling articles with replacement (the same resample for both models: paired) gives the
distribution of candidate − baseline for each metric. The rule: a metric is **worse beyond noise**
when the upper end of the 95% percentile interval of the difference is below 0; the candidate
may replace the baseline when no headline metric is worse beyond noise on any gold set.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .pipeline.labels import A4P_LABELS, GOLD_SPLITS

HEADLINE = ("ents_f", "cats_micro_f", "link_acc", "actor_recall")
NAMES = {"ents_f": "entity F1", "cats_micro_f": "A4P micro-F1", "link_acc": "link accuracy", "actor_recall": "actor recall"}
# Column layout of the per-article count matrix.
COLS = ("ent_tp", "ent_fp", "ent_fn", "cat_tp", "cat_fp", "cat_fn", "link_ok", "link_found", "actor_hit", "actor_gold")


def article_counts(nlp, records: list[dict], batch_size: int = 32) -> np.ndarray:
    """(n_articles, len(COLS)) counts for one model on gold records."""
    from .evaluate import _expected, _known_ids

    known = _known_ids(nlp)
    rows = []
    for rec, doc in zip(records, nlp.pipe((r["text"] for r in records), batch_size=batch_size)):
        gold = {(s["start"], s["end"], s["label"]) for s in rec["spans"]}
        pred = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        cat_tp = cat_fp = cat_fn = 0
        for label in A4P_LABELS:
            on, want = doc.cats.get(label, 0.0) >= 0.5, rec["cats"].get(label, 0) > 0
            cat_tp += on and want
            cat_fp += on and not want
            cat_fn += want and not on
        by_pos = {(e.start_char, e.end_char): e.kb_id_ or None for e in doc.ents}
        found = ok = 0
        gold_ids = set()
        for sp in rec["spans"]:
            if not sp.get("actor"):
                continue
            expected = _expected(sp, known)
            if expected:
                gold_ids.add(expected)
            if (sp["start"], sp["end"]) in by_pos:
                found += 1
                ok += by_pos[(sp["start"], sp["end"])] == expected
        pred_ids = {e.kb_id_ for e in doc.ents if e.kb_id_}
        rows.append(
            (
                len(gold & pred),
                len(pred - gold),
                len(gold - pred),
                cat_tp,
                cat_fp,
                cat_fn,
                ok,
                found,
                len(gold_ids & pred_ids),
                len(gold_ids),
            )
        )
    return np.array(rows, dtype=float).reshape(len(records), len(COLS))


def metrics(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Headline metrics from count sums (last axis = COLS); 0 where a denominator is 0."""
    c = {name: sums[..., k] for k, name in enumerate(COLS)}

    def ratio(num, den):
        return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)

    return {
        "ents_f": ratio(2 * c["ent_tp"], 2 * c["ent_tp"] + c["ent_fp"] + c["ent_fn"]),
        "cats_micro_f": ratio(2 * c["cat_tp"], 2 * c["cat_tp"] + c["cat_fp"] + c["cat_fn"]),
        "link_acc": ratio(c["link_ok"], c["link_found"]),
        "actor_recall": ratio(c["actor_hit"], c["actor_gold"]),
    }


@dataclass
class Row:
    gold: str
    metric: str
    baseline: float
    candidate: float
    low: float
    high: float
    n: int

    @property
    def diff(self) -> float:
        return self.candidate - self.baseline

    @property
    def verdict(self) -> str:
        if self.high < 0:
            return "worse"
        if self.low > 0:
            return "better"
        return "within noise"


def paired_bootstrap(base: np.ndarray, cand: np.ndarray, gold: str, n_boot: int = 2000, seed: int = 0) -> list[Row]:
    """Rows for one gold set from the two models' per-article counts (same articles, same order)."""
    n = len(base)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    b_point, c_point = metrics(base.sum(axis=0)), metrics(cand.sum(axis=0))
    b_boot, c_boot = metrics(base[idx].sum(axis=1)), metrics(cand[idx].sum(axis=1))
    rows = []
    for m in HEADLINE:
        d = c_boot[m] - b_boot[m]
        lo, hi = np.percentile(d, [2.5, 97.5])
        rows.append(Row(gold, m, float(b_point[m]), float(c_point[m]), float(lo), float(hi), n))
    return rows


def gold_sets(corpus: Path) -> dict[str, list[dict]]:
    """The frozen gold sets present in the corpus, by name."""
    from .data.corpus import split_records

    out = {}
    for split in GOLD_SPLITS:
        if (corpus / "src" / split).is_dir():
            recs = split_records(corpus, split)
            if recs:
                out[split] = recs
    return out


def compare(baseline_nlp, candidate_nlp, sets: dict[str, list[dict]], n_boot: int = 2000, seed: int = 0) -> list[Row]:
    rows = []
    for name, recs in sets.items():
        rows += paired_bootstrap(article_counts(baseline_nlp, recs), article_counts(candidate_nlp, recs), name, n_boot, seed)
    return rows


def acceptable(rows: list[Row]) -> tuple[bool, list[Row]]:
    """(no headline metric worse beyond noise, the rows that are)."""
    worse = [r for r in rows if r.verdict == "worse"]
    return not worse, worse


def format_table(rows: list[Row], baseline: str, candidate: str, n_boot: int) -> str:
    ok, worse = acceptable(rows)
    lines = [
        f"Baseline: {baseline}",
        f"Candidate: {candidate}",
        f"Paired bootstrap over articles, {n_boot} resamples; 95% interval of candidate − baseline.",
        "",
        "| gold set | articles | metric | baseline | candidate | Δ | 95% CI of Δ | verdict |",
        "|---|---:|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.gold} | {r.n} | {NAMES[r.metric]} | {r.baseline:.3f} | {r.candidate:.3f} | {r.diff:+.3f} "
            f"| [{r.low:+.3f}, {r.high:+.3f}] | {r.verdict} |"
        )
    lines.append("")
    if ok:
        lines.append(
            "Verdict: no headline metric is worse beyond noise (every 95% CI upper bound ≥ 0): the candidate may replace the baseline."
        )
    else:
        lines.append(
            "Verdict: worse beyond noise on "
            + ", ".join(f"{r.gold} {NAMES[r.metric]} ({r.diff:+.3f}, CI [{r.low:+.3f}, {r.high:+.3f}])" for r in worse)
            + ": keep the baseline."
        )
    return "\n".join(lines)


def install(candidate: Path, output: Path) -> None:
    """Move the candidate into `output`, replacing the old model only once the move can happen."""
    old = output.parent / f".{output.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        output.rename(old)
    try:
        candidate.rename(output)
    except OSError:
        if old.exists():
            old.rename(output)
        raise
    if old.exists():
        shutil.rmtree(old)
