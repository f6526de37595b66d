"""compare: per-article counts reproduce spaCy's Scorer; the bootstrap verdict; keep-better install."""

import numpy as np
import pytest

from arpk_nlp.compare import COLS, acceptable, article_counts, format_table, install, metrics, paired_bootstrap
from arpk_nlp.data.corpus import split_records
from arpk_nlp.evaluate import evaluate_records
from conftest import CORPUS


def test_summed_article_counts_reproduce_the_scorer(nlp):
    recs = split_records(CORPUS, "gold")[:12]
    counts = article_counts(nlp, recs)
    m = metrics(counts.sum(axis=0))
    ref = evaluate_records(nlp, recs)
    for k in ("ents_f", "cats_micro_f", "link_acc", "actor_recall"):
        assert m[k] == pytest.approx(ref[k], abs=1e-9), k


def fake(n, ent_tp, ent_err, seed):
    rng = np.random.default_rng(seed)
    rows = np.zeros((n, len(COLS)))
    rows[:, 0] = rng.poisson(ent_tp, n)
    rows[:, 1] = rows[:, 2] = rng.poisson(ent_err, n)
    rows[:, 3], rows[:, 5] = 3, 1
    rows[:, 6] = rows[:, 7] = rows[:, 8] = rows[:, 9] = 5
    return rows


def test_bootstrap_verdicts():
    base = fake(80, 20, 1, 0)
    same = paired_bootstrap(base, base.copy(), "gold", 500)
    assert all(r.verdict == "within noise" and r.low == r.high == 0 for r in same)
    worse = base.copy()
    worse[:, 0] -= 3
    worse[:, 1] += 3
    rows = paired_bootstrap(base, worse, "gold", 500)
    ok, bad = acceptable(rows)
    assert not ok and [r.metric for r in bad] == ["ents_f"]
    assert "worse beyond noise on gold entity F1" in format_table(rows, "b", "c", 500)
    # one article a little worse out of 80: noise, not a regression
    noisy = base.copy()
    noisy[0, 1] += 1
    assert acceptable(paired_bootstrap(base, noisy, "gold", 500))[0]


def test_install_replaces_only_when_moved(tmp_path):
    out, cand = tmp_path / "m", tmp_path / "m-candidate"
    out.mkdir()
    (out / "old").write_text("1")
    cand.mkdir()
    (cand / "new").write_text("2")
    install(cand, out)
    assert (out / "new").exists() and not (out / "old").exists() and not cand.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
