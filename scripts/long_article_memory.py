"""Peak memory of annotating ONE long article, per million characters (docs/reliability.md).

Builds articles of the given sizes by joining dev articles, and annotates each in a fresh
process: `plain` is `nlp(text)`, `annotate` is what `arpk-nlp annotate` does (long_docs.run for
articles over annotate.LONG_CHARS). Reports the peak RSS growth over the loaded model, and
whether both give the same entities, ids, A4P scores and evidence.

    uv run python scripts/long_article_memory.py [--sizes 100000,200000,400000] [-m MODEL]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def article(n: int) -> str:
    from arpk_nlp.data.corpus import find_sources, load_articles

    corpus = REPO / "corpus"
    arts, _ = load_articles(find_sources([corpus / "src" / "dev"], corpus))
    parts, size, i = [], 0, 0
    while size < n:
        t = arts[i % len(arts)].record["text"] + "\n\n"
        parts.append(t)
        size += len(t)
        i += 1
    return "".join(parts)[:n]


def child(n: int, mode: str, model: str) -> None:
    import spacy

    from arpk_nlp import long_docs
    from arpk_nlp.annotate import LONG_CHARS

    text = article(n)
    nlp = spacy.load(model)
    nlp.max_length = max(nlp.max_length, n + 1)
    nlp("تجربة قصيرة.")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode == "plain" or n <= LONG_CHARS:
        doc = nlp(text)
    else:
        doc = long_docs.run(nlp, nlp.make_doc(text))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"ents": [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents], "cats": doc.cats,
           "evidence": doc._.a4p_evidence}
    print(json.dumps({"peak_growth_mb": (peak - before) / 1024, "tokens": len(doc), "result": out}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,200000,400000")
    ap.add_argument("-m", "--model", default=str(REPO / "models" / "arpk-ar"))
    ap.add_argument("--child", nargs=2)
    a = ap.parse_args()
    if a.child:
        child(int(a.child[0]), a.child[1], a.model)
        return
    print("| characters | tokens | plain nlp(text) MB | annotate MB | same output |")
    print("|---:|---:|---:|---:|:---:|")
    for n in map(int, a.sizes.split(",")):
        res = {}
        for mode in ("plain", "annotate"):
            p = subprocess.run([sys.executable, __file__, "--child", str(n), mode, "-m", a.model],
                               capture_output=True, text=True, check=True)
            res[mode] = json.loads(p.stdout.strip().splitlines()[-1])
        same = res["plain"]["result"] == res["annotate"]["result"]
        print(f"| {n:,} | {res['plain']['tokens']:,} | {res['plain']['peak_growth_mb']:.0f} "
              f"| {res['annotate']['peak_growth_mb']:.0f} | {'yes' if same else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
