"""Choose what to annotate: rank unlabelled articles by how much a correction would teach the model.

An article scores for what the model is unsure of, in three parts (docs/retraining.md):

- `a4p`: for each of the eight areas, 1 − |score − 0.5| / 0.25, floored at 0. Scores are
  calibrated so each area's threshold is 0.5: an area at 0.5 adds 1, one at 0.25 or 0.75 adds 0.
- `unlinked`: 0.5 per distinct entity surface the linker left without an actor id (a name missing
  from the registry, or a linker miss): correcting it adds an id and often a registry entry.
- `ner`: the NER's own doubt, from a beam search over the article (spaCy's `beam_parse`): each
  candidate span with probability p (found or not) adds 2·min(p, 1 − p), so a span at p = 0.5
  adds 1 and spans the beam is sure of (p ≈ 0 or 1) add nothing. Spans the gazetteer added are
  not the NER's and are not scored.

`total = a4p + unlinked + ner`. Diversity by mission: articles are picked greedily, each pick
dividing the score of articles about the same mission (the most mentioned MISSION id, or "none")
by 1 + the number already picked for that mission, so 50 picks do not all come from one mission.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

A4P_BAND = 0.25
UNLINKED_WEIGHT = 0.5
MIN_BEAM_P = 0.05  # beam candidates below this are noise, not doubt
BEAM_WIDTH = 16


@dataclass
class Candidate:
    """One pool article with what the model said about it."""

    record: dict  # arpk_nlp.annotation.v1 (entities may carry `confidence`)
    text: str
    meta: dict = field(default_factory=dict)
    missed: list[float] = field(default_factory=list)  # beam probabilities of spans not output
    parts: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    gain: float = 0.0  # total after the diversity discount, when it was picked

    @property
    def group(self) -> str:
        missions = Counter(e.get("actor") or e["text"] for e in self.record["entities"] if e["label"] == "MISSION")
        return missions.most_common(1)[0][0] if missions else "none"


def score(c: Candidate) -> Candidate:
    """Fill `parts` and `total` (see the module docstring)."""
    scores = c.record["a4p"]["scores"]
    a4p = sum(max(0.0, 1 - abs(s - 0.5) / A4P_BAND) for s in scores.values())
    unlinked = UNLINKED_WEIGHT * len({e["text"] for e in c.record["entities"] if not e.get("actor")})
    probs = [e["confidence"] for e in c.record["entities"] if e.get("confidence") is not None] + list(c.missed)
    ner = sum(2 * min(p, 1 - p) for p in probs)
    c.parts = {"a4p": round(a4p, 4), "unlinked": round(unlinked, 4), "ner": round(ner, 4)}
    c.total = round(a4p + unlinked + ner, 4)
    return c


def rank(candidates: list[Candidate], n: int) -> list[Candidate]:
    """The n most informative candidates, greedily, with diversity by mission."""
    pool = [score(c) for c in candidates]
    picked: list[Candidate] = []
    per_group: dict[str, int] = defaultdict(int)
    while pool and len(picked) < n:
        best = max(pool, key=lambda c: (c.total / (1 + per_group[c.group]), c.record["id"]))
        best.gain = round(best.total / (1 + per_group[best.group]), 4)
        pool.remove(best)
        picked.append(best)
        per_group[best.group] += 1
    return picked


def entity_confidence(nlp, docs) -> list[tuple[dict[tuple[int, int, str], float], list[float]]]:
    """Per doc: beam probability of each output entity, keyed by (start_char, end_char, label),
    and the probabilities of the candidate spans the NER considered but did not output."""
    if "ner" not in nlp.pipe_names:
        return [({}, []) for _ in docs]
    ner = nlp.get_pipe("ner")
    # The docs went through the pipeline, so doc.tensor holds tok2vec's output for the listener.
    beams = ner.beam_parse(docs, beam_width=BEAM_WIDTH, beam_density=0.0001)
    out = []
    for doc, beam in zip(docs, beams):
        prob: dict[tuple[int, int, str], float] = defaultdict(float)
        for p, ents in ner.moves.get_beam_parses(beam):
            for start, end, label in ents:
                prob[(start, end, label)] += p
        chars = {(doc[s:e].start_char, doc[s:e].end_char, label): min(1.0, p) for (s, e, label), p in prob.items()}
        found = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        missed = [p for k, p in chars.items() if k not in found and p >= MIN_BEAM_P]
        out.append(({k: chars[k] for k in found if k in chars}, missed))
    return out


def predict(nlp, items, batch_size: int = 16) -> list[Candidate]:
    """Run the pipeline over items (inputs.Item) and build the candidates, entity confidences
    included. Docs are made by annotate's `prepare_doc` (per-article context such as the date);
    articles longer than annotate's LONG_CHARS go through its windowed path and get no beam
    confidences (nobody annotates a 20,000-character article in one task anyway)."""
    from . import long_docs
    from .annotate import LONG_CHARS, doc_to_record, prepare_doc

    linker = nlp.get_pipe("arpk_actors") if "arpk_actors" in nlp.pipe_names else None
    items = list(items)
    short = [it for it in items if len(it.text) <= LONG_CHARS]
    docs = list(nlp.pipe((prepare_doc(nlp, it) for it in short), batch_size=batch_size))
    conf = dict(zip((id(it) for it in short), entity_confidence(nlp, docs)))
    by_item = dict(zip((id(it) for it in short), docs))
    out = []
    for it in items:
        doc = by_item[id(it)] if id(it) in by_item else long_docs.run(nlp, prepare_doc(nlp, it))
        probs, missed = conf.get(id(it), ({}, []))
        rec = doc_to_record(doc, it, linker)
        for e in rec["entities"]:
            p = probs.get((e["start"], e["end"], e["label"]))
            if p is not None:
                e["confidence"] = round(p, 4)
        out.append(Candidate(rec, it.text, dict(it.meta or {}), missed))
    return out
