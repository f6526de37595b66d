"""Long articles (issue 13): annotated window by window with the same output, in memory that
does not grow with the article (scripts/long_article_memory.py measures the real numbers)."""
import tracemalloc

import pytest

from arpk_nlp import long_docs
from arpk_nlp.annotate import Item, annotate
from arpk_nlp.data.corpus import find_sources, load_articles
from conftest import CORPUS


@pytest.fixture(scope="module")
def long_text():
    arts, _ = load_articles(find_sources([CORPUS / "src" / "dev"], CORPUS))
    text = "\n\n".join(a.record["text"] for a in arts)
    return text[:30_000]


def _result(doc):
    return ([(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents], doc.cats, doc._.a4p_evidence)


def _peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_windows_same_output(nlp, long_text, monkeypatch):
    monkeypatch.setattr(long_docs, "WINDOW", 500)  # several windows on a 30k-character article
    plain, win = nlp(long_text), long_docs.run(nlp, nlp.make_doc(long_text))
    assert len(win) > 5 * long_docs.WINDOW
    assert _result(win) == _result(plain)


def test_tok2vec_memory_bounded_by_the_window(nlp, long_text, monkeypatch):
    """What scaled: the tok2vec holds every layer's output for the whole article (~11 KB a
    token). In windows its peak is that of one window."""
    monkeypatch.setattr(long_docs, "WINDOW", 500)
    t2v = nlp.get_pipe("tok2vec").model
    doc = nlp.make_doc(long_text)
    plain = _peak(lambda: t2v.predict([doc]))
    win = _peak(lambda: long_docs._windowed_tensor(t2v, doc, long_docs._margin(t2v)))
    assert win < 0.3 * plain, (win, plain)


def test_annotate_takes_the_window_path(nlp, long_text, monkeypatch):
    calls = []
    real = long_docs.run
    monkeypatch.setattr(long_docs, "run", lambda *a: calls.append(1) or real(*a))
    recs = annotate(nlp, [Item("long", "-", long_text), Item("short", "-", long_text[:500])])
    assert calls == [1] and [r["id"] for r in recs] == ["long", "short"]
    assert all(long_text[e["start"]:e["end"]] == e["text"] for e in recs[0]["entities"])
