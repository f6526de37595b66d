"""Long articles in bounded memory: the same annotations, computed window by window.

Measured (scripts/long_article_memory.py, docs/reliability.md): a plain `nlp(text)` peaks at
about 2 GB of RSS per million characters, nearly all of it in the tok2vec. thinc's `chain` keeps
every layer's output until the whole forward pass returns (the backprop callbacks hold them,
even when predicting), so the CNN holds ~11 KB per token at its peak; the NER's precomputed
hidden layer adds ~2 KB per token. Neither needs the whole article at once:
- the tok2vec is a CNN whose output for a token depends only on the tokens within its receptive
  field (depth × window, 4 tokens each side for configs/arpk.cfg), so it is run on windows of
  WINDOW tokens that overlap by a margin wider than that field, and each window's inner rows are
  kept: `doc.tensor` is the same as from one pass;
- the NER (a transition-based parser reading `doc.tensor`) is run on windows cut at sentence
  starts, where no entity can be open, and its entities are put back at their offsets.
The other components run on the whole Doc as usual. Models whose tok2vec is not a windowed CNN
(an LSTM, a transformer) or pipelines without sentence boundaries take the plain path.
"""
from __future__ import annotations

import numpy

WINDOW = 2000  # tokens per window: ~25 MB of tok2vec activations at most


def run(nlp, doc):
    """nlp(doc), in memory bounded by WINDOW rather than by len(doc)."""
    for _name, proc in nlp.pipeline:
        kind = type(proc).__name__
        if kind == "Tok2Vec" and len(doc) > WINDOW and _margin(proc.model) is not None:
            doc.tensor = _windowed_tensor(proc.model, doc, _margin(proc.model))
        elif kind == "EntityRecognizer" and len(doc) > WINDOW and doc.has_annotation("SENT_START") \
                and not len(doc.ents) and doc.tensor.shape[0] == len(doc):
            _windowed_ner(proc, doc)
        else:
            doc = proc(doc)
    return doc


def _margin(model) -> int | None:
    """Tokens of context each output row depends on, each side (from the expand_window
    layers); None for layers whose context is the whole sequence."""
    field = 0
    for node in model.walk():
        name = node.name.lower()
        if any(k in name for k in ("lstm", "transformer", "attention", "listener")):
            return None
        if name == "expand_window":
            field += int(node.attrs.get("window_size", 1))
    return 2 * field + 8  # generous: windows are cheap


def _windowed_tensor(model, doc, margin: int):
    parts = []
    for start in range(0, len(doc), WINDOW):
        end = min(len(doc), start + WINDOW)
        a, b = max(0, start - margin), min(len(doc), end + margin)
        rows = model.predict([doc[a:b].as_doc()])[0]
        parts.append(model.ops.to_numpy(rows[start - a : end - a]))
    return numpy.concatenate(parts)


def _windowed_ner(ner, doc) -> None:
    from spacy.tokens import Span

    sent_starts = [s.start for s in doc.sents][1:] + [len(doc)]
    ents, a, k = [], 0, 0
    while a < len(doc):
        while sent_starts[k] < a + WINDOW and sent_starts[k] < len(doc):
            k += 1
        b = sent_starts[k]  # the first sentence start at least WINDOW tokens on (or the end)
        sub = doc[a:b].as_doc()
        sub.tensor = doc.tensor[a:b]
        sub = ner(sub)
        ents += [Span(doc, e.start + a, e.end + a, label=e.label_) for e in sub.ents]
        a = b
    doc.ents = ents
