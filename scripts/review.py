"""Independent second review of the corpus (issue: quality control, measured).

    uv run python scripts/review.py sample --fraction 0.2 --seed 13   # writes corpus/review/todo/<id>.txt
    uv run python scripts/review.py agree                             # compares corpus/review/done/ with corpus/src/
    uv run python scripts/review.py agree --review corpus/review/gold-press --against corpus/src/gold-press [--list]

`sample` writes each sampled article with its marks and A4P labels removed, so the reviewer
annotates from the bare text without seeing the writer's decisions. `agree` reports how far the two
annotations differ: spans (exact start, end, label), actor ids on spans both found, and A4P
decisions (article x label).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from spacy.scorer import PRFScore  # noqa: E402

from arpk_nlp.data.corpus import find_sources, load_articles  # noqa: E402
from arpk_nlp.pipeline.labels import A4P_LABELS  # noqa: E402

REVIEW = REPO / "corpus" / "review"


def sample(fraction: float, seed: int) -> None:
    arts, _ = load_articles(find_sources(None, REPO / "corpus"))
    arts.sort(key=lambda a: a.record["id"])
    rng = random.Random(seed)
    chosen = rng.sample(arts, round(len(arts) * fraction))
    todo = REVIEW / "todo"
    todo.mkdir(parents=True, exist_ok=True)
    for a in sorted(chosen, key=lambda a: a.record["id"]):
        r = a.record
        head = f"id: {r['id']}\nsplit: {r['meta']['split']}\na4p: ?\n---\n"
        (todo / f"{r['id']}.txt").write_text(head + r["text"] + "\n", encoding="utf-8")
    print(f"{len(chosen)} of {len(arts)} articles written to {todo}")


def _load(folder: Path) -> dict[str, dict]:
    arts, problems = load_articles(find_sources([folder], REPO / "corpus"))
    for p in problems:
        print("file problem:", p, file=sys.stderr)
    return {a.record["id"]: a.record for a in arts}


def agreement(review_dir: Path, writer_dir: Path, show: bool = False) -> dict:
    rev = _load(review_dir)
    orig = _load(writer_dir)
    tp = fp = fn = 0
    ids_same = ids_both = 0
    dec_diff = dec_total = art_diff = 0
    per_label = {l: 0 for l in A4P_LABELS}
    per_label_pos = {l: [0, 0] for l in A4P_LABELS}  # positives: writer, reviewer
    text_mismatch, missing = [], []
    for rid, r in sorted(rev.items()):
        o = orig.get(rid)
        if o is None:
            missing.append(rid)
            continue
        if o["text"] != r["text"]:
            text_mismatch.append(rid)
            continue
        t = r["text"]
        os_ = {(s["start"], s["end"], s["label"]): s.get("actor") for s in o["spans"]}
        rs_ = {(s["start"], s["end"], s["label"]): s.get("actor") for s in r["spans"]}
        both = set(os_) & set(rs_)
        tp += len(both)
        fp += len(set(rs_) - set(os_))
        fn += len(set(os_) - set(rs_))
        for k in both:
            if os_[k] and rs_[k]:
                ids_both += 1
                ids_same += int(os_[k] == rs_[k])
        diff = [l for l in A4P_LABELS if o["cats"][l] != r["cats"][l]]
        for l in A4P_LABELS:
            per_label_pos[l][0] += o["cats"][l]
            per_label_pos[l][1] += r["cats"][l]
        dec_diff += len(diff)
        dec_total += len(A4P_LABELS)
        art_diff += int(bool(diff))
        for l in diff:
            per_label[l] += 1
        if show:
            ctx = lambda k: t[max(0, k[0] - 30):k[1] + 30].replace("\n", " ")  # noqa: E731
            for k in sorted(set(os_) - set(rs_)):
                print(f"{rid}\twriter-only\t{k[2]}\t{t[k[0]:k[1]]}\t{os_[k]}\t…{ctx(k)}…")
            for k in sorted(set(rs_) - set(os_)):
                print(f"{rid}\treviewer-only\t{k[2]}\t{t[k[0]:k[1]]}\t{rs_[k]}\t…{ctx(k)}…")
            for k in sorted(both):
                if os_[k] and rs_[k] and os_[k] != rs_[k]:
                    print(f"{rid}\tid\t{k[2]}\t{t[k[0]:k[1]]}\twriter={os_[k]} reviewer={rs_[k]}")
            for l in diff:
                print(f"{rid}\ta4p\t{l}\twriter={o['cats'][l]} reviewer={r['cats'][l]}")
    f1 = PRFScore(tp=tp, fp=fp, fn=fn).fscore
    res = {
        "articles": len(rev) - len(text_mismatch) - len(missing),
        "spans_writer": tp + fn,
        "spans_reviewer": tp + fp,
        "spans_agreed": tp,
        "span_f1": round(f1, 4),
        "span_disagreement": round(1 - f1, 4),
        "actor_ids_compared": ids_both,
        "actor_id_agreement": round(ids_same / ids_both, 4) if ids_both else None,
        "a4p_decisions": dec_total,
        "a4p_decisions_differing": dec_diff,
        "a4p_decision_disagreement": round(dec_diff / dec_total, 4) if dec_total else None,
        "a4p_articles_with_any_difference": art_diff,
        "a4p_differences_per_label": per_label,
        "a4p_disagreement_rate_per_label": {
            l: round(n / (dec_total // len(A4P_LABELS)), 4) if dec_total else None for l, n in per_label.items()
        },
        "a4p_positives_writer_reviewer": per_label_pos,
        "text_mismatch": text_mismatch,
        "missing_in_writer_dir": missing,
    }
    print(json.dumps(res, ensure_ascii=False, indent=1))
    return res


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--fraction", type=float, default=0.2)
    s.add_argument("--seed", type=int, default=13)
    g = sub.add_parser("agree", help="agreement of a blind second annotation with the writers' files")
    g.add_argument("--review", type=Path, default=REVIEW / "done", help="the reviewers' folder")
    g.add_argument("--against", type=Path, default=REPO / "corpus" / "src", help="the writers' folder")
    g.add_argument("--list", action="store_true", help="print every disagreement first (for adjudication)")
    args = ap.parse_args()
    if args.cmd == "sample":
        sample(args.fraction, args.seed)
    else:
        agreement(args.review, args.against, args.list)


if __name__ == "__main__":
    main()
