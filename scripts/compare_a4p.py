"""Compare A4P classifiers on dev and gold, all scored by spaCy's Scorer (cats, threshold 0.5):

- arpk_a4p (the shipped component: hashed TF-IDF + lexicon prior, linear),
- spaCy's stock textcat_multilabel trained from configs/textcat.cfg on the same train DocBin,
- the keyword lexicon alone (a label is on when its terms occur at least k times; k tuned on dev).

    uv run python scripts/compare_a4p.py [--work-dir training] [--model models/arpk-ar]

Needs the DocBins of a `python -m arpk_nlp train` run in --work-dir (train/dev/gold.spacy).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cats_scores(examples) -> dict:
    from spacy.scorer import Scorer

    from arpk_nlp.pipeline.labels import A4P_LABELS

    s = Scorer.score_cats(examples, "cats", labels=list(A4P_LABELS), multi_label=True, threshold=0.5)
    return {"micro_f": s["cats_micro_f"], "macro_f": s["cats_macro_f"], "micro_p": s["cats_micro_p"],
            "micro_r": s["cats_micro_r"]}


def evaluate_pipeline(nlp, docbin: Path) -> dict:
    from spacy.tokens import DocBin
    from spacy.training import Example

    refs = list(DocBin().from_disk(docbin).get_docs(nlp.vocab))
    preds = nlp.pipe([d.text for d in refs])
    return cats_scores([Example(p, r) for p, r in zip(preds, refs)])


def lexicon_baseline(nlp, work: Path) -> dict:
    """Keyword counts alone, k (min hits) tuned on dev per label."""
    import numpy as np
    from spacy.scorer import PRFScore
    from spacy.tokens import DocBin
    from spacy.training import Example

    from arpk_nlp.pipeline.labels import A4P_LABELS

    clf = nlp.get_pipe("arpk_a4p")
    out = {}
    data = {}
    for split in ("dev", "gold"):
        refs = list(DocBin().from_disk(work / f"{split}.spacy").get_docs(nlp.vocab))
        data[split] = (refs, np.array([clf._lexicon_counts(d.text) for d in refs]))
    refs, counts = data["dev"]
    best_k = {}
    for j, label in enumerate(A4P_LABELS):
        y = np.array([d.cats[label] >= 0.5 for d in refs])
        def f1(k):
            p = counts[:, j] >= k
            tp = (p & y).sum(); fp = (p & ~y).sum(); fn = (~p & y).sum()
            return PRFScore(tp=int(tp), fp=int(fp), fn=int(fn)).fscore
        best_k[label] = max(range(1, 8), key=f1)
    for split, (refs, counts) in data.items():
        egs = []
        for d, c in zip(refs, counts):
            pred = nlp.make_doc(d.text)
            pred.cats = {l: float(c[j] >= best_k[l]) for j, l in enumerate(A4P_LABELS)}
            egs.append(Example(pred, d))
        out[split] = cats_scores(egs)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work-dir", default=str(REPO / "training"))
    ap.add_argument("--model", default=str(REPO / "models" / "arpk-ar"))
    ap.add_argument("--max-steps", type=int, default=2000)
    args = ap.parse_args()
    work = Path(args.work_dir)

    import spacy
    from spacy.cli.train import train as spacy_train

    nlp = spacy.load(args.model)
    rows = {"arpk_a4p (shipped)": {s: evaluate_pipeline(nlp, work / f"{s}.spacy") for s in ("dev", "gold")}}
    rows["keyword lexicon alone"] = lexicon_baseline(nlp, work)
    out = work / "textcat-run"
    spacy_train(REPO / "configs" / "textcat.cfg", output_path=out,
                overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                           "training.max_steps": args.max_steps})
    tc = spacy.load(out / "model-best")
    rows["spaCy textcat_multilabel"] = {s: evaluate_pipeline(tc, work / f"{s}.spacy") for s in ("dev", "gold")}

    print("| classifier | dev micro-F | dev macro-F | gold micro-F | gold macro-F | gold micro-P | gold micro-R |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['dev']['micro_f']:.3f} | {r['dev']['macro_f']:.3f} | {r['gold']['micro_f']:.3f} | "
              f"{r['gold']['macro_f']:.3f} | {r['gold']['micro_p']:.3f} | {r['gold']['micro_r']:.3f} |")
    (work / "compare_a4p.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
