"""The actor steps as three one-job components (the combined `arpk_actors` stays for models
trained before the split):

- `arpk_refine`: span hygiene and registry-guided edges/labels (`doc.ents`); reads the registry
  of the pipeline's `arpk_linker`, so the registry is stored once.
- `arpk_linker`: canonical ids with scored candidates; owns the registry.
- `arpk_roles`: a person's title and affiliation; owns the demonym table.

Each serializes a `version`; a model saved by a newer, incompatible version is refused on load.
"""
from __future__ import annotations

from pathlib import Path

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from . import extensions  # noqa: F401
from .actors import ActorLinker
from .doc_text import doc_text
from .registry import key
from .roles import find_role, token_actors

VERSION = 1


def _check_version(data: dict, name: str) -> None:
    if data.get("version", 1) > VERSION:
        raise ValueError(f"{name}: saved by component version {data['version']}, this code reads {VERSION}")


@Language.factory(
    "arpk_refine",
    assigns=["doc.ents"],
    requires=["doc.ents"],
    default_config={"refine_spans": True, "relabel": True, "linker": "arpk_linker"},
)
def make_refine(nlp, name, refine_spans: bool, relabel: bool, linker: str):
    return SpanRefiner(nlp, name, refine_spans=refine_spans, relabel=relabel, linker=linker)


class SpanRefiner:
    """Span hygiene (spans.py) and registry-guided edges and labels, before linking."""

    def __init__(self, nlp, name="arpk_refine", *, refine_spans=True, relabel=True, linker="arpk_linker"):
        self._nlp = nlp  # to find the linker's registry at call time (it is added after us)
        self.name = name
        self.cfg = {"refine_spans": refine_spans, "relabel": relabel, "linker": linker, "version": VERSION}

    def _linker(self) -> ActorLinker:
        if self.cfg["linker"] not in self._nlp.pipe_names:
            raise ValueError(f"{self.name}: needs the registry of a `{self.cfg['linker']}` component in the pipeline")
        return self._nlp.get_pipe(self.cfg["linker"])

    def __call__(self, doc: Doc) -> Doc:
        linker = self._linker()
        text = doc_text(doc)
        if self.cfg["refine_spans"]:
            linker.hygiene(doc, text)
        if self.cfg["refine_spans"] or self.cfg["relabel"]:
            saved = dict(linker.cfg)
            linker.cfg.update(refine_spans=self.cfg["refine_spans"], relabel=self.cfg["relabel"])
            try:
                linker._refine(doc, text)
            finally:
                linker.cfg.update(saved)
        return doc

    def pipe(self, docs, batch_size=128):
        for doc in docs:
            yield self(doc)

    def to_disk(self, path, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self.cfg)

    def from_disk(self, path, exclude=tuple()):
        data = srsly.read_json(Path(path) / "cfg.json")
        _check_version(data, self.name)
        self.cfg.update(data)
        return self

    def to_bytes(self, exclude=tuple()):
        return srsly.msgpack_dumps(self.cfg)

    def from_bytes(self, data, exclude=tuple()):
        d = srsly.msgpack_loads(data)
        _check_version(d, self.name)
        self.cfg.update(d)
        return self


@Language.factory(
    "arpk_linker",
    assigns=["token.ent_kb_id", "span._.actor", "span._.link_reason", "span._.candidates"],
    requires=["doc.ents"],
    default_config={"fuzzy_threshold": 88.0, "min_fuzzy_len": 5},
)
def make_linker(nlp, name, fuzzy_threshold: float, min_fuzzy_len: int):
    return Linker(nlp.vocab, name, fuzzy_threshold=fuzzy_threshold, min_fuzzy_len=min_fuzzy_len,
                  refine_spans=False, relabel=False)


class Linker(ActorLinker):
    """Linking only: ids, reasons and candidates (Doc._.date and the article's country used)."""

    def __call__(self, doc: Doc) -> Doc:
        self.link_doc(doc)
        return doc


@Language.factory(
    "arpk_roles",
    assigns=["span._.role", "span._.affiliation"],
    requires=["doc.ents", "span._.actor"],
    default_config={},
)
def make_roles(nlp, name):
    return RoleTagger(name)


class RoleTagger:
    """The title before each person: `span._.role`, `span._.affiliation`."""

    def __init__(self, name="arpk_roles"):
        self.name = name
        self.demonyms: dict[str, str] = {}

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)  # each doc.ents access walks every token: read once
        if not any(e.label_ == "PERSON" for e in ents):
            return doc
        text = doc_text(doc)
        ent_ids = token_actors(ents)
        for span in ents:
            if span.label_ == "PERSON":
                span._.role, span._.affiliation = find_role(doc, span, ent_ids, text, self.demonyms)
        return doc

    def pipe(self, docs, batch_size=128):
        for doc in docs:
            yield self(doc)

    def initialize(self, get_examples=None, *, nlp=None, demonyms_path: str | None = None):
        if demonyms_path:
            self.demonyms = {key(k): v for k, v in srsly.read_json(demonyms_path).items() if not k.startswith("_")}

    def to_disk(self, path, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", {"version": VERSION, "demonyms": self.demonyms})

    def from_disk(self, path, exclude=tuple()):
        data = srsly.read_json(Path(path) / "cfg.json")
        _check_version(data, self.name)
        self.demonyms = data["demonyms"]
        return self

    def to_bytes(self, exclude=tuple()):
        return srsly.msgpack_dumps({"version": VERSION, "demonyms": self.demonyms})

    def from_bytes(self, data, exclude=tuple()):
        d = srsly.msgpack_loads(data)
        _check_version(d, self.name)
        self.demonyms = d["demonyms"]
        return self
