"""`annotate`: run the pipeline over a stream of inputs, produce OUTPUT.md records and renderings.

Inputs come from `inputs.iter_inputs` (a generator); results go out as they are made, so memory
does not grow with the number of articles. One article that fails, at reading or inside the
pipeline, becomes one `InputError` in the stream; its batch neighbours are still annotated.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Iterator

from . import long_docs
from .inputs import DEFAULT_MAX_CHARS, InputError, Item, first_line, iter_inputs, safe_name  # noqa: F401  (re-exported)
from .pipeline.labels import A4P_LABELS

SCHEMA = "arpk_nlp.annotation.v1"
# Articles longer than this are annotated alone, in windows (long_docs.py): same output, memory
# bounded by the window instead of growing with the article.
LONG_CHARS = 20_000


def doc_to_record(doc, item: Item, linker=None) -> dict:
    """The OUTPUT.md object for one processed Doc."""
    cats = doc.cats or {}
    scores = {label: round(float(cats.get(label, 0.0)), 4) for label in A4P_LABELS}
    labels = [label for label in A4P_LABELS if scores[label] >= 0.5]
    evidence = doc._.a4p_evidence or {}
    entities = []
    actors: dict[str, dict] = {}
    for ent in doc.ents:
        actor_id = ent.kb_id_ or None
        rec = {"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "text": ent.text, "actor": actor_id}
        if ent._.role:
            rec["role"] = ent._.role
        if ent._.affiliation:
            rec["affiliation"] = ent._.affiliation
        entities.append(rec)
        key = ent._.actor or actor_id or f"unlinked:{ent.text}"
        if key not in actors:
            known = linker.actors.get(actor_id) if (linker is not None and actor_id) else None
            actors[key] = {
                "id": key,
                "type": known.type if known else ent.label_,
                "name_ar": known.name_ar if known else ent.text,
                "name_en": known.name_en if known else None,
                "mentions": 0,
            }
        actors[key]["mentions"] += 1
    return {
        "schema": SCHEMA,
        "id": item.id,
        "source": item.source,
        "meta": item.meta,
        "a4p": {"labels": labels, "scores": scores, "evidence": {k: v for k, v in evidence.items() if k in labels}},
        "entities": entities,
        "actors": sorted(actors.values(), key=lambda a: -a["mentions"]),
    }


def prepare_doc(nlp, item: Item):
    """The one place an Item becomes a Doc for the pipeline (in this process or a worker): the
    place to hand per-article context such as `item.meta.get("date")` to components."""
    return nlp.make_doc(item.text)


def annotate_batch(nlp, items: list[Item]) -> list[dict | InputError]:
    """One record or one InputError per item. The batch goes through `nlp.pipe` at once; if
    anything in it raises, each item is rerun alone so only the culprit is reported. Long
    articles go alone through `long_docs.run` (bounded memory per character)."""
    linker = nlp.get_pipe("arpk_actors") if "arpk_actors" in nlp.pipe_names else None
    short = [it for it in items if len(it.text) <= LONG_CHARS]
    try:
        docs = iter(list(nlp.pipe((prepare_doc(nlp, it) for it in short), batch_size=max(1, len(short)))))
    except Exception:  # noqa: BLE001 -- which item broke is unknown here; each is retried alone below
        return [_annotate_one(nlp, it, linker) for it in items]
    return [_record_or_error(next(docs), it, linker) if len(it.text) <= LONG_CHARS else _annotate_one(nlp, it, linker)
            for it in items]


def _annotate_one(nlp, item: Item, linker) -> dict | InputError:
    try:
        doc = prepare_doc(nlp, item)
        doc = long_docs.run(nlp, doc) if len(item.text) > LONG_CHARS else nlp(doc)
    except Exception as err:  # noqa: BLE001 -- per-item isolation: reported as this input's one line
        return InputError(f"{item.source}: cannot annotate ({type(err).__name__}: {first_line(err)})")
    return _record_or_error(doc, item, linker)


def _record_or_error(doc, item: Item, linker) -> dict | InputError:
    if doc.text != item.text:  # the contract: offsets index the input as read
        return InputError(f"{item.source}: the tokenizer changed the text (a bug: please report it)")
    try:
        return doc_to_record(doc, item, linker)
    except Exception as err:  # noqa: BLE001 -- as above: one line for this input, the others go on
        return InputError(f"{item.source}: cannot build the record ({type(err).__name__}: {first_line(err)})")


def annotate_stream(nlp, entries: Iterable[Item | InputError], n_process: int = 1,
                    batch_size: int = 16) -> Iterator[tuple[Item, dict] | InputError]:
    """Annotate a stream lazily: YIELDS (item, record) or InputError, in input order. Memory
    holds a few batches, never the whole input; InputErrors of the input pass through in place.
    n_process > 1 runs batches in forked workers (`workers.parallel_map`)."""
    batches = _batches(iter(entries), batch_size)
    if n_process > 1:
        from .workers import parallel_map

        results = parallel_map(annotate_batch, nlp, batches, n_process, key=_items_of)
    else:
        results = ((b, annotate_batch(nlp, _items_of(b))) for b in batches)
    for batch, done in results:
        done = iter(done)
        for entry in batch:
            if isinstance(entry, InputError):
                yield entry
            else:
                res = next(done)
                yield res if isinstance(res, InputError) else (entry, res)


def _batches(entries: Iterator, size: int) -> Iterator[list]:
    """Consecutive slices of the stream holding up to `size` items (errors ride along)."""
    batch, n = [], 0
    for e in entries:
        batch.append(e)
        if not isinstance(e, InputError):
            n += 1
            if n >= size:
                yield batch
                batch, n = [], 0
    if batch:
        yield batch


def _items_of(batch: list) -> list[Item]:
    return [e for e in batch if not isinstance(e, InputError)]


def annotate(nlp, items: Iterable[Item], n_process: int = 1, batch_size: int = 16, progress=None) -> list[dict]:
    """Run the pipeline over items; RETURNS the OUTPUT.md records in input order. Raises the
    first item's InputError, if any (the CLI uses `annotate_stream`, which reports and goes on)."""
    out = []
    for res in annotate_stream(nlp, items, n_process=n_process, batch_size=batch_size):
        if isinstance(res, InputError):
            raise res
        out.append(res[1])
        if progress is not None:
            progress(1)
    return out


def render_text(rec: dict, text: str) -> str:
    """Readable terminal summary: A4P labels with scores and one evidence sentence each; actors
    grouped by type with mention counts."""
    lines = [f"== {rec['id']}  ({rec['source']})"]
    a4p = rec["a4p"]
    if a4p["labels"]:
        lines.append("A4P areas:")
        for label in a4p["labels"]:
            ev = a4p["evidence"].get(label) or []
            sent = " ".join(text[ev[0]["start"] : ev[0]["end"]].split()) if ev else ""
            if len(sent) > 140:
                sent = sent[:137] + "..."
            lines.append(f"  {label:<27} {a4p['scores'][label]:.2f}  «{sent}»")
    else:
        lines.append("A4P areas: none")
    by_type: dict[str, list[dict]] = {}
    for a in rec["actors"]:
        by_type.setdefault(a["type"], []).append(a)
    lines.append("Actors:")
    for t in ("PERSON", "ORG", "GPE", "LOC", "MISSION", "EVENT"):
        for a in by_type.get(t, []):
            en = f" / {a['name_en']}" if a.get("name_en") else ""
            lines.append(f"  {t:<8} {a['name_ar']}{en}  [{a['id']}] ×{a['mentions']}")
    return "\n".join(lines)


class HtmlPage:
    """displaCy's right-to-left entity view, rendered one article at a time (a page of any
    length in bounded memory). Ids, labels and texts are HTML-escaped."""

    def __init__(self):
        from spacy.displacy.render import EntityRenderer
        from spacy.displacy.templates import TPL_ENT_RTL, TPL_FIGURE, TPL_PAGE

        self.renderer = EntityRenderer({"template": TPL_ENT_RTL, "colors": _COLORS})
        self.renderer.direction, self.renderer.lang = "rtl", "ar"
        self.figure = TPL_FIGURE
        page = TPL_PAGE.format(content="\0", lang="ar", dir="rtl").strip()  # as displacy.render(page=True)
        self.head, _, self.tail = page.partition("\0")

    def article(self, rec: dict, text: str) -> str:
        # displaCy escapes the text but puts the title in as markup: escape it here.
        title = html.escape(f"{rec['id']} — A4P: {', '.join(rec['a4p']['labels']) or 'none'}")
        ents = sorted(({"start": e["start"], "end": e["end"], "label": e["label"]} for e in rec["entities"]),
                      key=lambda e: (e["start"], e["end"]))
        return self.figure.format(content=self.renderer.render_ents(text, ents, title))


def render_html(nlp, records: list[dict], texts: list[str]) -> str:
    """The whole page for records already in memory (the CLI streams through HtmlPage)."""
    page = HtmlPage()
    return page.head + "".join(page.article(r, t) for r, t in zip(records, texts, strict=True)) + page.tail


_COLORS = {"PERSON": "#aa9cfc", "ORG": "#7aecec", "GPE": "#feca74", "LOC": "#ff9561", "MISSION": "#bfe1d9", "EVENT": "#ffeb80"}
