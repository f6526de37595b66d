"""Compare NER configs on dev and on a held-out tenth of the public corpora's *train* splits.

The public test sets (ANERcorp, AQMAR) are reported once per shipped model and never used to
choose; this is the selection set for choices aimed at them. Every 10th document (10 sentences
each) of the ANERcorp and AQMAR train DocBins is held out; each config is trained with spaCy on
the rest of the mix for the same number of steps and seed, and its best-on-dev model is scored.

    uv run python -m arpk_nlp train --external ../shared/data/ner      # makes training/train-mix
    uv run --extra subwords python scripts/heldout_ab.py \\
        --config configs/arpk.cfg --config configs/arpk-use.cfg --steps 4000 --seed 0

Scores are exact-span entity F1 from spaCy's `get_ner_prf`, which skips predictions on tokens the
public corpora leave unannotated (their MISC).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HELD_OUT = ("anercorp-train", "aqmar-train")


def split_mix(mix: Path, out: Path) -> list[Path]:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    keep_dir = out / "mix"
    keep_dir.mkdir(parents=True, exist_ok=True)
    held = []
    for f in sorted(mix.glob("*.spacy")):
        if f.stem not in HELD_OUT:
            shutil.copy(f, keep_dir / f.name)
            continue
        keep, ho = DocBin(store_user_data=True), DocBin(store_user_data=True)
        for i, doc in enumerate(DocBin().from_disk(f).get_docs(Vocab())):
            (ho if i % 10 == 9 else keep).add(doc)
        keep.to_disk(keep_dir / f.name)
        ho.to_disk(out / f"held-out-{f.stem}.spacy")
        held.append(out / f"held-out-{f.stem}.spacy")
    return held


def scores(model: Path, data: Path) -> tuple[float, dict]:
    import spacy
    from spacy.scorer import get_ner_prf
    from spacy.tokens import DocBin
    from spacy.training import Example

    nlp = spacy.load(model)
    gold = list(DocBin().from_disk(data).get_docs(nlp.vocab))
    examples = [Example(pred, g) for pred, g in zip(nlp.pipe(g.text for g in gold), gold)]
    s = get_ner_prf(examples)
    return s["ents_f"], {k: v["f"] for k, v in s["ents_per_type"].items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", action="append", required=True, help="a training config (repeatable)")
    ap.add_argument("--work-dir", type=Path, default=REPO / "training", help="a train run's work dir")
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("/tmp/heldout-ab"))
    args = ap.parse_args()

    held = split_mix(args.work_dir / "train-mix", args.out)
    dev = args.work_dir / "dev.spacy"
    rows = []
    for cfg in map(Path, args.config):
        run = args.out / f"{cfg.stem}-seed{args.seed}"
        if not (run / "model-best").exists():
            subprocess.run([sys.executable, "-m", "spacy", "train", str(cfg), "--output", str(run),
                            "--paths.train", str(args.out / "mix"), "--paths.dev", str(dev),
                            "--training.max_steps", str(args.steps), "--system.seed", str(args.seed)],
                           check=True, cwd=REPO)
        row = [cfg.name]
        for data in (dev, *held):
            f, per_type = scores(run / "model-best", data)
            row.append(f"{f:.3f} (" + ", ".join(f"{k} {v:.2f}" for k, v in sorted(per_type.items()) if v) + ")")
        rows.append(row)
    print(f"| config (seed {args.seed}, {args.steps} steps) | dev | " + " | ".join(h.stem for h in held) + " |")
    print("|---" * (len(held) + 2) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
