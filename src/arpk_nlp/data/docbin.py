"""Corpus records (ANNOTATION.md §1) → spaCy Docs and DocBins."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spacy.tokens import Doc, DocBin

from ..pipeline.labels import A4P_LABELS


def record_to_doc(nlp, rec: dict) -> Doc:
    """A reference Doc: the text tokenized by the pipeline's tokenizer, gold ents, cats, actor ids."""
    doc = nlp.make_doc(rec["text"])
    ents = []
    for sp in rec.get("spans", []):
        span = doc.char_span(sp["start"], sp["end"], label=sp["label"], kb_id=sp.get("actor") or "")
        if span is None:
            raise ValueError(f"{rec.get('id')}: span {sp['start']}-{sp['end']} is not token-aligned")
        ents.append(span)
    doc.ents = ents
    doc.cats = {label: float(rec.get("cats", {}).get(label, 0)) for label in A4P_LABELS}
    doc.user_data["id"] = rec.get("id")
    return doc


def write_docbin(nlp, records: Iterable[dict], path: Path) -> int:
    db = DocBin(store_user_data=True)
    n = 0
    for rec in records:
        db.add(record_to_doc(nlp, rec))
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)
    return n
