"""Annotation records for the analyst-output tests, built by the shipped model from real corpus
articles, with the v1 additions the records will carry once the io/A4P merges land (`meta` from
the article header, `evidence[*].text`) added here from the same article."""
from __future__ import annotations

import copy
import functools
from pathlib import Path

from conftest import CORPUS

N_ARTICLES = 24


def corpus_articles(n: int = N_ARTICLES) -> list[tuple[str, str, dict]]:
    """(id, text, meta) for the first n dev articles."""
    from arpk_nlp.data.corpus import parse_article

    out = []
    for f in sorted(Path(CORPUS, "src", "dev").glob("*.txt"))[:n]:
        art, _ = parse_article(f.read_text(encoding="utf-8"), str(f))
        rec = art.record
        m = rec.get("meta") or {}
        meta = {"date": m.get("date"), "outlet": m.get("source"), "title": rec["text"].split("\n", 1)[0][:150],
                "url": f"https://example.org/news/{rec['id']}"}
        out.append((rec["id"], rec["text"], meta))
    return out


def annotated(nlp, n: int = N_ARTICLES) -> tuple[list[dict], list[str]]:
    """RETURNS (records, texts): fresh copies, so a test may change them."""
    records, texts = _annotated(nlp, n)
    return copy.deepcopy(records), list(texts)


@functools.lru_cache(maxsize=2)  # one model run shared by the test modules
def _annotated(nlp, n: int):
    from arpk_nlp.annotate import Item, annotate

    arts = corpus_articles(n)
    records = annotate(nlp, [Item(i, f"dev/{i}.txt", t) for i, t, _ in arts])
    for rec, (_, text, meta) in zip(records, arts, strict=True):
        rec["meta"] = meta
        for items in rec["a4p"]["evidence"].values():
            for ev in items:
                ev["text"] = text[ev["start"]:ev["end"]]
    return records, [t for _, t, _ in arts]
