"""A Doc's text, built at most once per Doc and shared by the components that read it.

`Doc.text` is not stored: spaCy joins every token's text on each access, creating a Token object
per token. The classifier, the span refiner, the linker and the roles tagger all need the text of
the same Doc, so it is kept here for as long as the Doc lives. The tokenizer records the text it
was given (equal to `doc.text` by construction), so in the pipeline it is never rebuilt at all.

A weak-keyed table rather than a `doc.user_data` slot: nothing extra is serialized with the Doc
(`to_bytes`, DocBin, `n_process`), and an entry disappears with its Doc. A Doc's text cannot
change once it exists (retokenizing merges or splits tokens, never characters).
"""
from __future__ import annotations

import weakref

from spacy.tokens import Doc

_TEXTS: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed on the first request for this Doc only."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


def remember_text(doc: Doc, text: str) -> None:
    """Record the text a Doc was made from (the caller guarantees `doc.text == text`)."""
    _TEXTS[doc] = text
