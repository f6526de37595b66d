"""Speed, cold start, memory and size of the shipped pipeline (not a test: numbers for the README).

    uv run python scripts/benchmark.py [--model models/arpk-ar] [--words 60000]

Texts: the corpus articles (all splits), repeated until --words words. "words" are the
whitespace-separated words of the input texts, so every row divides the same number (tokenizers
differ in how many tokens they make). Each throughput figure is the best of --repeat runs, except
the first-pass figures: a freshly loaded pipeline's first run over the texts, before any of its
word caches (linker, classifier features) are filled.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def words_in(texts) -> int:
    return sum(len(t.split()) for t in texts)


def load_texts(n_words: int) -> list[str]:
    sys.path.insert(0, str(REPO / "src"))
    from arpk_nlp.data.corpus import find_sources, load_articles

    arts, _ = load_articles(find_sources(None, REPO / "corpus"))
    base = [a.record["text"] for a in arts]
    out, count = [], 0
    while count < n_words:
        for t in base:
            out.append(t)
            count += len(t.split())
            if count >= n_words:
                break
    return out


def best_rate(fn, texts, repeat: int) -> float:
    rates = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(texts)
        dt = time.perf_counter() - t0
        rates.append(words_in(texts) / dt)
    return max(rates)


def stock_ner(labels):
    """spaCy's stock efficiency CNN NER (default tokenizer), same labels, untrained weights:
    speed does not depend on the weights' values."""
    import spacy

    nlp = spacy.blank("ar")
    nlp.add_pipe("tok2vec")
    ner = nlp.add_pipe("ner", config={"model": {"tok2vec": {"@architectures": "spacy.Tok2VecListener.v1",
                                                            "width": 96, "upstream": "*"}}})
    for label in labels:
        ner.add_label(label)
    nlp.initialize()
    return nlp


def cold(cmd: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time (s) and peak RSS (MB) of a fresh process (its own rusage, via wait4)."""
    times, rss = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - t0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{cmd} failed")
        rss = max(rss, usage.ru_maxrss)
    return statistics.median(times), rss // 1024


def dir_size(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(REPO / "models" / "arpk-ar"))
    ap.add_argument("--words", type=int, default=60000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    # Cold starts first, while this process is small: a forked child's peak RSS counts the
    # parent's pages until exec.
    seed = REPO.parent / "shared" / "seed" / "seoul-2021-ministerial.ar.txt"
    sample = seed if seed.exists() else sorted((REPO / "corpus" / "src" / "gold").glob("*.txt"))[0]
    bare = cold([sys.executable, "-c", "import spacy; from camel_tools.tokenizers.word import simple_word_tokenize"], 5)
    ann = cold([sys.executable, "-m", "arpk_nlp", "annotate", str(sample), "-m", args.model], 5)

    import spacy

    texts = load_texts(args.words)
    # A fresh pipeline's first pass over unseen texts: the linker's and classifier's word caches
    # are empty, as for a user's first batch. The best-of-N rows below run with warm caches.
    nlp = spacy.load(args.model)
    t0 = time.perf_counter()
    list(nlp.pipe(texts, batch_size=64))
    first_pass = words_in(texts) / (time.perf_counter() - t0)
    labels = nlp.get_pipe("ner").labels
    stock = stock_ner(labels)
    t0 = time.perf_counter()
    list(stock.pipe(texts, batch_size=64))
    stock_first = words_in(texts) / (time.perf_counter() - t0)
    nlp(texts[0]); stock(texts[0])  # warm-up

    rows = []
    rows.append(("CAMeL tokenizer alone", best_rate(lambda ts: [nlp.make_doc(t) for t in ts], texts, args.repeat)))
    rows.append(("stock spaCy CNN NER (spaCy tokenizer)", best_rate(lambda ts: list(stock.pipe(ts, batch_size=64)), texts, args.repeat)))
    rows.append(("full pipeline, 1 process", best_rate(lambda ts: list(nlp.pipe(ts, batch_size=64)), texts, args.repeat)))
    rows.append(("full pipeline, 1 process, first pass (cold caches)", first_pass))
    rows.append(("full pipeline, 2 processes", best_rate(lambda ts: list(nlp.pipe(ts, batch_size=64, n_process=2)), texts, 1)))

    print(f"texts: {len(texts)} articles, {words_in(texts):,} words; CPU cores: {os.cpu_count()}")
    print()
    print("| what | words/s |")
    print("|---|---:|")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} |")
    ratio = rows[2][1] / rows[1][1]
    print(f"\nfull pipeline / stock NER: {ratio:.2f}x (best of {args.repeat}); "
          f"first passes: {first_pass:,.0f} / {stock_first:,.0f} = {first_pass / stock_first:.2f}x")

    print()
    print("| cold start (median of 5) | seconds | peak RSS MB |")
    print("|---|---:|---:|")
    print(f"| python -c 'import spacy; from camel_tools.tokenizers.word import simple_word_tokenize' | {bare[0]:.2f} | {bare[1]} |")
    print(f"| python -m arpk_nlp annotate <one article> | {ann[0]:.2f} | {ann[1]} |")
    print(f"\nannotate / bare imports: {ann[0] / bare[0]:.2f}x")

    model = Path(args.model)
    print()
    print("| model part | size KB |")
    print("|---|---:|")
    for part in sorted(p for p in model.iterdir()):
        size = dir_size(part) if part.is_dir() else part.stat().st_size
        print(f"| {part.name} | {size / 1024:,.0f} |")
    print(f"| **total** | {dir_size(model) / 1024:,.0f} |")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"\npeak RSS of this benchmark process (pipeline + stock NER + texts, 2-process run's parent): {peak} MB")


if __name__ == "__main__":
    main()
