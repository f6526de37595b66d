"""External public NER corpora (ANERcorp, AQMAR, Wojood): CoNLL reading, label mapping to this
project's scheme, DocBin conversion and the standard coarse CoNLL benchmark.

The corpora are third-party data kept outside the repository; `configs/external_corpora.json`
declares where each comes from, its licence, its splits and their sha256. Label mapping:

- PERS / PER → PERSON, ORG → ORG.
- ANERcorp / AQMAR `LOC` covers both GPE and LOC: a span whose text (normalized, proclitics
  stripped) is a GPE name of the actor registry becomes GPE, any other LOC stays LOC.
- MISC / MIS has no counterpart: its tokens are *missing* (unknown), never O, so training neither
  rewards nor punishes whatever the model predicts there.
- Wojood (nested): the outermost tag of a line (its first tag); PERS/ORG/GPE/LOC/EVENT map
  directly, every other type is O.

spaCy is imported inside the functions that build Docs, so reading and the mapping report are
cheap to import.
"""
from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..pipeline.normalize import strip_proclitics
from ..pipeline.registry import key, read_registry, variants


def _configs() -> Path:
    """The checkout's configs/ (declarations and registry defaults; found at call time)."""
    from ..paths import require_checkout

    return require_checkout("the external-corpus declarations") / "configs"
DATA_HINT = ("pass the folder that holds the corpora's folders (anercorp-camellab/, aqmar/, wojood-sample/), "
             "e.g. --data ../shared/data/ner; see configs/external_corpora.json for where to get them")

# Target values a declaration's "labels" may use besides the entity labels.
MISSING = "MISSING"
GPE_OR_LOC = "GPE_OR_LOC"
OUTSIDE = "O"
_TARGETS = {"PERSON", "ORG", "GPE", "LOC", "MISSION", "EVENT", MISSING, GPE_OR_LOC, OUTSIDE}

Sentence = list  # list[tuple[str, list[str]]]


# ----------------------------------------------------------------------------- reading
def read_conll(path: str | Path) -> list[list[tuple[str, list[str]]]]:
    """Sentences of (token, tags) from a CoNLL-style file: `token TAG [TAG...]` per line, a blank
    line between sentences. Runs of blank lines and a missing final newline are fine.

    path (str | Path): The file.
    RETURNS (list[list[tuple[str, list[str]]]]): The sentences; tags in the file's order.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such CoNLL file")
    sentences: list[list[tuple[str, list[str]]]] = []
    cur: list[tuple[str, list[str]]] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if cur:
                    sentences.append(cur)
                    cur = []
                continue
            parts = line.split()
            if len(parts) < 2:
                raise ValueError(f"{path}:{n}: expected `token TAG [TAG...]`, got {line!r}")
            cur.append((parts[0], parts[1:]))
    if cur:
        sentences.append(cur)
    return sentences


def _spans_and_repairs(tags: Sequence[str]) -> tuple[list[tuple[int, int, str]], int]:
    # spaCy's iob_to_biluo already treats an I-X that does not continue an X span as the start of
    # one (the repair); it accepts any prefix, though, so the column is checked here first.
    from spacy.training.iob_utils import iob_to_biluo, tags_to_entities

    for i, tag in enumerate(tags):
        if tag != "O":
            prefix, sep, t = tag.partition("-")
            if not sep or prefix not in ("B", "I") or not t:
                raise ValueError(f"not a BIO tag: {tag!r} (position {i})")
    spans = [(start, end + 1, label) for label, start, end in tags_to_entities(iob_to_biluo(tags))]
    repairs = sum(1 for start, _, _ in spans if tags[start].startswith("I-"))
    return spans, repairs


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans of one BIO tag column: B-X starts a span, I-X continues a span of type X, an I-X
    with no B-X/I-X before it starts a new span (see `count_repairs`), O ends a span.

    tags (Sequence[str]): One tag per token.
    RETURNS (list[tuple[int, int, str]]): (start, end, type), end exclusive, in order.
    """
    return _spans_and_repairs(tags)[0]


def count_repairs(tags: Sequence[str]) -> int:
    """How many spans of the column started with an I- tag (repaired as if it were B-)."""
    return _spans_and_repairs(tags)[1]


# ----------------------------------------------------------------------------- declarations
def load_declarations(path: str | Path | None = None) -> dict[str, dict]:
    """The corpus declarations of configs/external_corpora.json, by corpus name."""
    path = Path(path) if path else _configs() / "external_corpora.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for c in data["corpora"]:
        for src, tgt in c["labels"].items():
            if tgt not in _TARGETS:
                raise ValueError(f"{path}: corpus {c['name']}: label {src} → {tgt!r} is not one of {sorted(_TARGETS)}")
        out[c["name"]] = c
    return out


def _declaration(corpus: str | dict, declarations: str | Path | None = None) -> dict:
    if isinstance(corpus, dict):
        return corpus
    decls = load_declarations(declarations)
    if corpus not in decls:
        raise ValueError(f"unknown corpus {corpus!r}: declared are {', '.join(decls)}")
    return decls[corpus]


def sha256(path: str | Path) -> str:
    from ..hashing import sha256_file

    return sha256_file(Path(path))


def gpe_keys_from_actors(actors: Iterable) -> frozenset[str]:
    """Lookup keys (registry.variants of every surface) of the registry's GPE actors."""
    return _keys_of(actors, "GPE")


def _keys_of(actors: Iterable, type_: str) -> frozenset[str]:
    keys: set[str] = set()
    for a in actors:
        if a.type == type_:
            for s in a.surfaces():
                keys |= variants(s)
    return frozenset(keys)


@lru_cache(maxsize=8)
def _gpe_keys_cached(path: str) -> frozenset[str]:
    return gpe_keys_from_actors(read_registry(path))


@lru_cache(maxsize=8)
def _loc_keys_cached(path: str) -> frozenset[str]:
    return _keys_of(read_registry(path), "LOC")


def gpe_keys(registry: str | Path | Iterable | frozenset | None = None) -> frozenset[str]:
    """GPE keys of a registry given as a path (file or folder), actors, or ready keys."""
    if registry is None:
        registry = _configs() / "actors"
    if isinstance(registry, frozenset):
        return registry
    if isinstance(registry, (str, Path)):
        if not Path(registry).exists():
            raise FileNotFoundError(f"{registry}: no such actor registry")
        return _gpe_keys_cached(str(Path(registry).resolve()))
    return gpe_keys_from_actors(registry)


def loc_keys(registry: str | Path | Iterable | None = None) -> frozenset[str]:
    """LOC keys of the registry (continents, seas, regions...)."""
    if registry is None:
        registry = _configs() / "actors"
    if isinstance(registry, (str, Path)):
        return _loc_keys_cached(str(Path(registry).resolve())) if Path(registry).exists() else frozenset()
    return _keys_of(registry, "LOC")


# Words that open the name of a place without a government (ANNOTATION: LOC).
_GEO_HEADS = frozenset(key(w) for w in (
    "بحر", "البحر", "جبل", "جبال", "نهر", "النهر", "خليج", "صحراء", "الصحراء", "جزيرة", "جزر", "شبه", "وادي", "سهل",
    "هضبة", "بحيرة", "محيط", "المحيط", "قارة", "مضيق", "قناة", "حوض", "سلسلة", "منطقة", "إقليم", "شرق", "غرب", "شمال",
    "جنوب", "وسط", "الشرق", "الغرب", "الشمال", "الجنوب"))
# Regions that are LOC although no head word says so.
_REGIONS = frozenset(key(w) for w in (
    "أفريقيا", "إفريقيا", "أوروبا", "آسيا", "أمريكا", "الأمريكتين", "أوقيانوسيا", "الشرق الأوسط", "الشرق الأدنى",
    "الخليج", "الخليج العربي", "المغرب العربي", "الشام", "بلاد الشام", "البلقان", "القوقاز", "الأندلس", "الساحل",
    "أمريكا اللاتينية", "أمريكا الجنوبية", "أمريكا الشمالية", "أمريكا الوسطى", "الكاريبي", "سيناء", "الجولان",
    "كشمير", "دارفور", "خراسان", "القرن الأفريقي", "المتوسط", "الريف", "الأناضول", "سيبيريا", "اسكندنافيا"))


def gpe_or_loc(text: str, keys: frozenset[str], loc: frozenset[str] = frozenset()) -> str:
    """A source LOC span as GPE or LOC (ANNOTATION: LOC is a place without a government).

    LOC when the span, normalized with proclitics stripped, is a LOC of the registry or a known
    region, or starts with a geographic head word (بحر، جبل، نهر، صحراء ...); GPE otherwise — most
    places the news names are cities and countries, known to the registry or not. (The first
    version said LOC for anything not in the registry's GPEs: 22 of 30 sampled LOC decisions were
    wrong, mostly cities the registry lacks.)"""
    k = key(text)
    if not k:
        return "LOC"
    first, _, rest = k.partition(" ")
    readings = [(r + " " + rest).strip() for r in strip_proclitics(first)]
    if any(r in keys for r in readings):
        return "GPE"
    if any(r in loc or r in _REGIONS for r in readings):
        return "LOC"
    if any(r.split(" ")[0] in _GEO_HEADS for r in readings):
        return "LOC"
    return "GPE"


# ----------------------------------------------------------------------------- mapping
@dataclass
class MappedSentence:
    words: list[str]
    ents: list[tuple[int, int, str]]  # project labels
    missing: list[tuple[int, int]]
    repairs: int
    loc_decisions: list[tuple[int, int, str]]  # (start, end, GPE|LOC) for GPE_OR_LOC spans


def map_sentence(sent: Sentence, decl: dict, keys: frozenset[str], where: str = "",
                 loc: frozenset[str] = frozenset()) -> MappedSentence:
    """One sentence's spans in the project's labels, per the corpus declaration.

    With `"nested": true` (Wojood), tags are read outermost first, and an outer span whose type
    maps to O (an occupation, a nationality) gives way to the mappable spans inside it:
    `رئيس [بلدية نابلس]` keeps its ORG."""
    col = int(decl.get("tag_column", 0))
    words = [w for w, _ in sent]
    depth = max((len(t) for _, t in sent), default=1) if decl.get("nested") else col + 1
    labels, unlisted = decl["labels"], decl.get("unlisted", "error")
    ents, missing, decisions = [], [], []
    repairs = 0
    covered: list[tuple[int, int]] = []  # spans already decided at an outer level
    for level in range(col, depth):
        tags = [t[level] if len(t) > level else "O" for _, t in sent]
        try:
            spans, rep = _spans_and_repairs(tags)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
        repairs += rep if level == col else 0
        for s, e, t in spans:
            if any(cs <= s and e <= ce for cs, ce in covered):
                continue  # inside a span an outer level already mapped
            tgt = labels.get(t)
            if tgt is None:
                if unlisted == "error":
                    raise ValueError(f"{where}: tag type {t!r} is not declared for corpus {decl['name']}")
                tgt = unlisted
            if tgt == OUTSIDE:
                continue  # inner levels may still hold a mappable span
            covered.append((s, e))
            if tgt == MISSING:
                missing.append((s, e))
                continue
            if tgt == GPE_OR_LOC:
                tgt = gpe_or_loc(" ".join(words[s:e]), keys, loc)
                decisions.append((s, e, tgt))
            ents.append((s, e, tgt))
    ents.sort()
    return MappedSentence(words, ents, missing, repairs, decisions)


# ----------------------------------------------------------------------------- Docs
def _set_lexeme_attrs(nlp, doc) -> None:
    setter = getattr(nlp.tokenizer, "_set_lexeme_attrs", None)
    if setter is None:
        raise ValueError("the pipeline's tokenizer is not arpk_nlp's CamelTokenizer "
                         "(needed for the NORM/PREFIX/SUFFIX features)")
    setter(doc)


def _make_doc(nlp, words: list[str], sent_starts: list[int]):
    from spacy.tokens import Doc

    starts = set(sent_starts)
    doc = Doc(nlp.vocab, words=words, spaces=[True] * len(words),
              sent_starts=[i in starts for i in range(len(words))])
    _set_lexeme_attrs(nlp, doc)
    return doc


def _groups(sentences: list, group: int) -> Iterable[list]:
    group = max(1, int(group))
    for i in range(0, len(sentences), group):
        yield sentences[i : i + group]


def conll_to_docs(nlp, path: str | Path, corpus: str | dict, group: int = 10, *,
                  registry=None, declarations: str | Path | None = None, stats: dict | None = None,
                  doc_id: str | None = None) -> list:
    """Reference Docs from a CoNLL file, on the file's own tokens (not re-tokenized).

    nlp (Language): A pipeline with arpk_nlp's tokenizer (its lexeme features are applied).
    path (str | Path): The CoNLL file.
    corpus (str | dict): A declared corpus name (configs/external_corpora.json) or a declaration.
    group (int): Sentences per Doc.
    registry: Actor registry for GPE vs LOC (path, actors or GPE keys); default configs/actors.
    declarations: Another declarations file.
    stats (dict | None): Filled with counts (see `convert`).
    doc_id (str | None): Prefix of `doc.user_data["id"]`.
    RETURNS (list[Doc]): Docs with ents, missing spans (ent_iob 0) and sentence starts set.
    """
    from spacy.tokens import Span

    decl = _declaration(corpus, declarations)
    keys = gpe_keys(registry)
    locs = loc_keys(registry if not isinstance(registry, frozenset) else None)
    sentences = read_conll(path)
    st = stats if stats is not None else {}
    st.update(_empty_stats())
    docs = []
    base = doc_id or f"{decl['name']}-{Path(path).stem}"
    n_sent = 0
    for gi, grp in enumerate(_groups(sentences, group)):
        words, starts, ents, missing = [], [], [], []
        for sent in grp:
            n_sent += 1
            m = map_sentence(sent, decl, keys, where=f"{path}: sentence {n_sent}", loc=locs)
            off = len(words)
            starts.append(off)
            words.extend(m.words)
            ents.extend((s + off, e + off, label) for s, e, label in m.ents)
            missing.extend((s + off, e + off) for s, e in m.missing)
            st["repairs"] += m.repairs
            for _, _, d in m.loc_decisions:
                st["loc_to_" + d.lower()] += 1
        doc = _make_doc(nlp, words, starts)
        doc.set_ents([Span(doc, s, e, label=label) for s, e, label in ents],
                     missing=[Span(doc, s, e) for s, e in missing], default="outside")
        doc.user_data["id"] = f"{base}-{gi:05d}"
        docs.append(doc)
        st["docs"] += 1
        st["sentences"] += len(grp)
        st["tokens"] += len(words)
        st["missing_spans"] += len(missing)
        st["missing_tokens"] += sum(e - s for s, e in missing)
        for _, _, label in ents:
            st["entities"][label] = st["entities"].get(label, 0) + 1
    return docs


def _empty_stats() -> dict:
    return {"docs": 0, "sentences": 0, "tokens": 0, "entities": {}, "missing_spans": 0, "missing_tokens": 0,
            "repairs": 0, "loc_to_gpe": 0, "loc_to_loc": 0}


def _split_path(data_dir: Path, decl: dict, split: str) -> Path:
    return data_dir / decl["folder"] / decl["splits"][split]["file"]


def verify_file(path: Path, expected: str) -> None:
    actual = sha256(path)
    if actual != expected:
        raise ValueError(f"{path}: sha256 {actual} does not match the declared {expected} "
                         "(a different version of the corpus; check the source, or pass --no-verify / verify=False)")


def convert(data_dir: str | Path, out_dir: str | Path, nlp, splits: Sequence[str] = ("train", "dev"),
            verify: bool = True, *, group: int = 10, registry=None,
            declarations: str | Path | None = None) -> dict:
    """Write `<out_dir>/<corpus>-<split>.spacy` for every declared corpus and requested split whose
    file exists under `data_dir` (test splits are only converted when asked for by name).

    RETURNS (dict): {"files": {"<corpus>-<split>": counts}, "total": counts, "skipped": [...]}, counts
        being docs, sentences, tokens, entities per label, missing spans/tokens, I-without-B
        repairs, LOC→GPE and LOC→LOC decisions.
    """
    from spacy.tokens import DocBin

    if data_dir is None or not Path(data_dir).is_dir():
        raise FileNotFoundError(f"{data_dir}: no such data folder; {DATA_HINT}")
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    decls = load_declarations(declarations)
    keys = gpe_keys(registry)
    files, skipped, todo = {}, [], []
    for name, decl in decls.items():
        for split in splits:
            if split not in decl["splits"]:
                continue
            path = _split_path(data_dir, decl, split)
            if not path.is_file():
                skipped.append(f"{name}-{split}: {path} not found")
                continue
            todo.append((name, decl, split, path))
    if not todo:
        expected = [str(_split_path(data_dir, d, s)) for d in decls.values() for s in splits if s in d["splits"]]
        raise FileNotFoundError(f"{data_dir}: none of the declared corpus files is there "
                                f"(looked for {', '.join(expected[:4])}{', …' if len(expected) > 4 else ''}); {DATA_HINT}")
    if verify:  # check all before writing anything
        for _name, decl, split, path in todo:
            verify_file(path, decl["splits"][split]["sha256"])
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, decl, split, path in todo:
        st: dict = {}
        docs = conll_to_docs(nlp, path, decl, group=group, registry=keys, stats=st, doc_id=f"{name}-{split}")
        db = DocBin(store_user_data=True, docs=docs)
        db.to_disk(out_dir / f"{name}-{split}.spacy")
        st["train"] = bool(decl["splits"][split].get("train", True))
        files[f"{name}-{split}"] = st
    total = _empty_stats()
    for st in files.values():
        for k, v in st.items():
            if k == "entities":
                for label, c in v.items():
                    total["entities"][label] = total["entities"].get(label, 0) + c
            elif k in total:
                total[k] += v
    return {"files": files, "total": total, "skipped": skipped}


# ----------------------------------------------------------------------------- benchmark
GOLD_COARSE = {"PERS": "PERS", "PER": "PERS", "LOC": "LOC", "ORG": "ORG", "MISC": None, "MIS": None}
PRED_COARSE = {"PERSON": "PERS", "GPE": "LOC", "LOC": "LOC", "ORG": "ORG", "MISSION": "ORG", "EVENT": None}
COARSE_TYPES = ("PERS", "LOC", "ORG")


def _prf(score) -> dict:
    """spaCy's PRFScore as p/r/f plus its counts (the benchmark reports both)."""
    return {**score.to_dict(), "tp": score.tp, "fp": score.fp, "fn": score.fn}


def coarse_conll_scores(nlp, path: str | Path, group: int = 1, tag_column: int = 0) -> dict:
    """The standard CoNLL benchmark (e.g. ANERcorp test): entity-level exact match, PERS/LOC/ORG.

    The pipeline runs on Docs made of the file's tokens (every pipe in order), one sentence per
    Doc by default: the benchmark is read sentence by sentence, without the document context
    that lets the gazetteer find a name again. `group` > 1 puts that many consecutive sentences
    in one Doc (a pseudo-document; the figure is then higher and not comparable). Gold: PERS/PER →
    PERS, LOC → LOC, ORG → ORG; MISC/MIS (and any other type) is not scored: those gold spans are
    dropped, and so are predictions overlapping them. Predictions: PERSON → PERS, GPE and LOC →
    LOC, ORG and MISSION → ORG; EVENT is dropped.

    RETURNS (dict): micro p/r/f, per_type {PERS, LOC, ORG: p/r/f/tp/fp/fn}, counts, words_per_second.
    """
    from spacy.scorer import PRFScore

    sentences = read_conll(path)
    counts = Counter()
    per_type = {t: PRFScore() for t in COARSE_TYPES}
    docs_in = []
    for grp in _groups(sentences, group):
        words, starts, gold, ignored = [], [], set(), []
        for sent in grp:
            off = len(words)
            starts.append(off)
            words.extend(w for w, _ in sent)
            tags = [t[tag_column] if len(t) > tag_column else "O" for _, t in sent]
            spans, rep = _spans_and_repairs(tags)
            counts["repairs"] += rep
            for s, e, t in spans:
                c = GOLD_COARSE.get(t)
                if c is None:
                    ignored.append((s + off, e + off))
                    counts[f"gold_ignored_{t}"] += 1
                else:
                    gold.add((s + off, e + off, c))
        docs_in.append((words, starts, gold, ignored))
        counts["sentences"] += len(grp)
        counts["docs"] += 1
        counts["tokens"] += len(words)
    made = [(_make_doc(nlp, w, s), g, ig) for w, s, g, ig in docs_in]
    t0 = time.perf_counter()
    outs = []
    for doc, gold, ignored in made:
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        outs.append((doc, gold, ignored))
    seconds = time.perf_counter() - t0
    for doc, gold, ignored in outs:
        blocked = set()
        for s, e in ignored:
            blocked.update(range(s, e))
        pred = set()
        for ent in doc.ents:
            c = PRED_COARSE.get(ent.label_)
            if c is None:
                counts[f"pred_dropped_{ent.label_}"] += 1
                continue
            if blocked.intersection(range(ent.start, ent.end)):
                counts["pred_overlapping_ignored"] += 1
                continue
            pred.add((ent.start, ent.end, c))
        for t in COARSE_TYPES:
            per_type[t].score_set({x for x in pred if x[2] == t}, {x for x in gold if x[2] == t})
        counts["gold"] += len(gold)
        counts["pred"] += len(pred)
    micro = _prf(sum(per_type.values(), PRFScore()))
    return {
        "file": str(path),
        "group": max(1, int(group)),
        "p": micro["p"], "r": micro["r"], "f": micro["f"],
        "tp": micro["tp"], "fp": micro["fp"], "fn": micro["fn"],
        "per_type": {t: _prf(per_type[t]) for t in COARSE_TYPES},
        "counts": dict(counts),
        "seconds": seconds,
        "words_per_second": counts["tokens"] / seconds if seconds > 0 else 0.0,
    }


def format_coarse(scores: dict) -> str:
    """A plain-text table (wasabi) of `coarse_conll_scores`."""
    from wasabi import table

    c = scores.get("counts", {})
    rows = [[t, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", s["tp"], s["fp"], s["fn"]]
            for t, s in [*scores["per_type"].items(), ("micro", scores)]]
    return "\n".join([
        f"{scores.get('file', '')}: {c.get('sentences', 0)} sentences, {c.get('tokens', 0)} tokens, "
        + ("sentence by sentence" if scores.get("group", 1) == 1 else f"{scores['group']} sentences per Doc")
        + " (entity-level exact match; PERS/LOC/ORG; MISC not scored)",
        table(rows, header=["type", "P", "R", "F", "tp", "fp", "fn"], divider=True, aligns=("l", *"rrrrrr")),
        f"speed: {scores['words_per_second']:,.0f} words/s ({scores['seconds']:.1f} s)",
    ])


# ----------------------------------------------------------------------------- mapping report
def mapping_decisions(data_dir: str | Path, *, registry=None, declarations: str | Path | None = None,
                      training_only: bool = True) -> list[dict]:
    """Every GPE-vs-LOC decision in the declared corpora found under data_dir (training splits
    only by default), with its span text and a little context."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir}: no such data folder; {DATA_HINT}")
    keys = gpe_keys(registry)
    locs = loc_keys(registry if not isinstance(registry, frozenset) else None)
    out = []
    for name, decl in load_declarations(declarations).items():
        if GPE_OR_LOC not in decl["labels"].values():
            continue
        for split, sp in decl["splits"].items():
            if training_only and not sp.get("train", True):
                continue
            path = _split_path(data_dir, decl, split)
            if not path.is_file():
                continue
            for si, sent in enumerate(read_conll(path)):
                m = map_sentence(sent, decl, keys, where=f"{path}: sentence {si + 1}", loc=locs)
                for s, e, d in m.loc_decisions:
                    out.append({"corpus": name, "split": split, "sentence": si + 1, "text": " ".join(m.words[s:e]),
                                "label": d, "context": " ".join(m.words[max(0, s - 5) : s]) + " [" +
                                " ".join(m.words[s:e]) + "] " + " ".join(m.words[e : e + 5])})
    return out


def mapping_report(data_dir: str | Path, n: int = 30, seed: int = 0, *, registry=None,
                   declarations: str | Path | None = None) -> str:
    """Samples of LOC→GPE and LOC→LOC decisions (span text, context), counts and the most frequent
    surfaces of each, so a human can check the mapping."""
    decisions = mapping_decisions(data_dir, registry=registry, declarations=declarations)
    if not decisions:
        raise FileNotFoundError(f"{data_dir}: no ANERcorp/AQMAR training file found; {DATA_HINT}")
    rng = random.Random(seed)
    lines = []
    for label in ("GPE", "LOC"):
        ds = [d for d in decisions if d["label"] == label]
        surf = Counter(key(d["text"]) for d in ds)
        lines.append(f"== LOC → {label}: {len(ds)} mentions, {len(surf)} distinct surfaces")
        lines.append("most frequent: " + ", ".join(f"{s} ({c})" for s, c in surf.most_common(25)))
        lines.append(f"random sample of {min(n, len(ds))} mentions (seed {seed}):")
        for d in rng.sample(ds, min(n, len(ds))):
            lines.append(f"  {d['corpus']}-{d['split']}:{d['sentence']}\t{d['text']}\t… {d['context']} …")
        lines.append("")
    return "\n".join(lines)
