"""Evaluation against gold records: entities and A4P through spaCy's Scorer, plus linking.

Linking has no spaCy scorer, so it is computed here:
- `link_acc`: of gold mentions with an actor id that the NER found exactly, the share linked to
  that id (end-to-end). A gold id the registry does not hold (an invented villager) is expected
  to come out as `null`, as OUTPUT.md specifies.
- `link_acc_gold_spans`: the linker alone, run on the gold spans (NER errors removed).
- `actor_recall` / `actor_precision`: per article, the set of gold actor ids against the set of
  ids the pipeline output, micro-averaged.
"""
from __future__ import annotations

from spacy.scorer import PRFScore, Scorer
from spacy.training import Example

from .data.docbin import record_to_doc


def evaluate_records(nlp, records: list[dict], batch_size: int = 32) -> dict:
    refs = [record_to_doc(nlp, r) for r in records]
    preds = list(nlp.pipe((dated_doc(nlp.make_doc, r) for r in records), batch_size=batch_size))
    examples = [Example(p, r) for p, r in zip(preds, refs)]
    scores = Scorer(nlp).score(examples)
    out = {k: v for k, v in scores.items() if k.startswith(("ents_", "cats_"))}
    out.pop("cats_score", None)
    out.pop("cats_score_desc", None)
    out.update(_linking(nlp, records, preds))
    out["n_docs"] = len(records)
    return out


def _expected(sp: dict, known: set[str]) -> str | None:
    """The id the pipeline should output: the gold id if the registry knows it, else null
    (OUTPUT.md: mentions not in the registry have `actor: null`)."""
    a = sp.get("actor")
    return a if a in known else None


def dated_doc(make_doc, rec: dict):
    """The record's text as a Doc carrying its `meta.date` (the linker resolves against it)."""
    from .pipeline import extensions  # noqa: F401  (registers Doc._.date)

    doc = make_doc(rec["text"])
    date = (rec.get("meta") or {}).get("date")
    doc._.date = str(date) if date else None
    return doc


def _linker(nlp):
    from .annotate import find_linker

    return find_linker(nlp)


def _known_ids(nlp) -> set[str]:
    linker = _linker(nlp)
    return set(linker.actors) if linker is not None else set()


def _linking(nlp, records, preds) -> dict:
    known = _known_ids(nlp)
    found = correct = 0
    gold_total = 0
    ids = PRFScore()  # actor ids per article, micro-averaged
    for rec, doc in zip(records, preds):
        pred = {(e.start_char, e.end_char): e for e in doc.ents}
        gold_ids = set()
        for sp in rec["spans"]:
            if not sp.get("actor"):
                continue
            gold_total += 1
            expected = _expected(sp, known)
            if expected:
                gold_ids.add(expected)
            e = pred.get((sp["start"], sp["end"]))
            if e is not None:
                found += 1
                correct += int((e.kb_id_ or None) == expected)
        ids.score_set({e.kb_id_ for e in doc.ents if e.kb_id_}, gold_ids)
    oracle = _oracle_linking(nlp, records)
    return {
        "link_acc": correct / found if found else 0.0,
        "link_found": found,
        "link_gold_mentions": gold_total,
        "link_acc_gold_spans": oracle,
        "actor_recall": ids.recall,
        "actor_precision": ids.precision,
    }


def _oracle_linking(nlp, records) -> float:
    if _linker(nlp) is None:
        return 0.0
    return linker_accuracy(nlp, nlp.make_doc, records)[0]


def linker_accuracy(nlp_or_linker, make_doc, records) -> tuple[float, int]:
    """The linker alone on the gold spans: share of gold mentions with an actor id that get the
    expected id (null for ids the registry does not hold). RETURNS (accuracy, mentions).

    nlp_or_linker: a pipeline (its actor components after the NER run: refinement, linking,
    roles) or a single linker component."""
    if hasattr(nlp_or_linker, "pipe_names"):
        nlp = nlp_or_linker
        linker = _linker(nlp)
        names = [n for n in nlp.pipe_names if n in ("arpk_refine", "arpk_linker", "arpk_roles", "arpk_actors")]
        steps = [nlp.get_pipe(n) for n in names]
    else:
        linker = nlp_or_linker
        steps = [linker]
    known = set(linker.actors)
    total = correct = 0
    for rec in records:
        doc = dated_doc(make_doc, rec)
        spans = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in rec["spans"]]
        doc.ents = [s for s in spans if s is not None]
        for step in steps:
            doc = step(doc)
        by_pos = {(e.start_char, e.end_char): e.kb_id_ or None for e in doc.ents}
        for s in rec["spans"]:
            if s.get("actor"):
                total += 1
                correct += int(by_pos.get((s["start"], s["end"])) == _expected(s, known))
    return (correct / total if total else 0.0), total


def format_table(scores: dict) -> str:
    """A plain-text report (wasabi tables): entities per label, A4P per label, micro/macro, linking."""
    from wasabi import table

    def prf(p, r, f) -> list[str]:
        return [f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"]

    head, aligns = ["label", "P", "R", "F"], ("l", "r", "r", "r")
    ents = [[label, *prf(s["p"], s["r"], s["f"])] for label, s in sorted((scores.get("ents_per_type") or {}).items())]
    ents.append(["micro", *prf(scores.get("ents_p", 0), scores.get("ents_r", 0), scores.get("ents_f", 0))])
    cats = [[label, *prf(s["p"], s["r"], s["f"])] for label, s in (scores.get("cats_f_per_type") or {}).items()]
    for avg in ("micro", "macro"):
        cats.append([avg, *prf(*(scores.get(f"cats_{avg}_{k}", 0) for k in "prf"))])
    link = [["accuracy (NER spans)", f"{scores.get('link_acc', 0):.3f}",
             f"({scores.get('link_found', 0)} of {scores.get('link_gold_mentions', 0)} gold mentions found)"],
            ["accuracy (gold spans)", f"{scores.get('link_acc_gold_spans', 0):.3f}", ""],
            ["actor-id recall", f"{scores.get('actor_recall', 0):.3f}", ""],
            ["actor-id precision", f"{scores.get('actor_precision', 0):.3f}", ""]]
    text = "\n".join([
        "Entities (exact span and label)", table(ents, header=head, divider=True, aligns=aligns, max_col=40),
        "A4P themes", table(cats, header=head, divider=True, aligns=aligns, max_col=40),
        "Actor linking", table(link, aligns=("l", "r", "l"), max_col=60),
    ])
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))
