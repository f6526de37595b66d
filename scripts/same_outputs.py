"""Do two versions of the code annotate the corpus the same? (a guard for refactorings)

Annotates every corpus article (corpus/src/**, all splits, the text with its marks removed) with
the shipped model and writes one JSONL line per article, sorted by path: {"path", "record"}.
With --compare FILE it compares instead of writing and prints how many articles are identical;
the exit code is non-zero if any differs.

    uv run python scripts/same_outputs.py --out /tmp/before.jsonl        # on the old code
    uv run python scripts/same_outputs.py --compare /tmp/before.jsonl    # on the new code
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import spacy

from arpk_nlp.annotate import Item, annotate
from arpk_nlp.data.corpus import find_sources, load_articles
from arpk_nlp.paths import find_model, require_checkout


def corpus_outputs(model: str | Path | None = None) -> list[dict]:
    root = require_checkout("same_outputs.py")
    files = sorted(find_sources(None, root / "corpus"))
    articles, _ = load_articles(files)
    articles.sort(key=lambda a: Path(a.path).relative_to(root).as_posix())
    nlp = spacy.load(find_model(model))
    items = [Item(id=a.record["id"], source=Path(a.path).relative_to(root).as_posix(), text=a.record["text"],
                  meta=a.record["meta"]) for a in articles]
    records = annotate(nlp, items)
    return [{"path": it.source, "record": rec} for it, rec in zip(items, records)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-m", "--model", default=None, help="model path (default: the shipped model)")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the outputs here")
    group.add_argument("--compare", type=Path, help="compare the outputs with this file")
    args = ap.parse_args()
    rows = corpus_outputs(args.model)
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows), encoding="utf-8")
        print(f"{len(rows)} articles annotated -> {args.out}")
        return 0
    old = {}
    for line in args.compare.read_text(encoding="utf-8").split("\n"):
        if line:
            r = json.loads(line)
            old[r["path"]] = r["record"]
    new = {r["path"]: r["record"] for r in rows}
    same = sum(1 for p, rec in new.items() if old.get(p) == rec)
    differ = sorted(p for p in new if p in old and old[p] != new[p])
    only_new, only_old = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
    print(f"{same} of {len(new)} articles identical ({len(old)} in {args.compare}); "
          f"{len(differ)} differ, {len(only_new)} only now, {len(only_old)} only before")
    for p in (differ + only_new + only_old)[:20]:
        print(f"  {p}")
    return 0 if same == len(new) == len(old) else 1


if __name__ == "__main__":
    sys.exit(main())
