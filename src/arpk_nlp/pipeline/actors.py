"""`arpk_actors`: links each entity to a canonical actor id from the registry.

Order of evidence, strongest first: the normalized surface (or a generated spelling variant) is
a registry name → the mention without its attached proclitics is → it repeats part of a person
named earlier in the article (surname after full name) → a fuzzy match above a threshold (unseen
transliterations) → an `unlinked:` id built from the normalized surface, so counts stay right.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import srsly
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import extensions  # noqa: F401  (registers Doc._.date, Span._.candidates …)
from .dates import article_interval
from .doc_text import doc_text
from .institutions import BARE, dominant_state, institution_id, state_counts
from .missions import HERE, MissionResolver, choose, generic_place
from .normalize import strip_proclitics
from .registry import Actor, AliasIndex, key, merge_actors, read_registry, unlinked_id
from .roles import find_role, token_actors
from .spans import AFFILIATION, BARE_PROCLITICS, OPENERS, QUOTES, SpanHygiene

_DIRECTIONS = {key(w) for w in ("شمال", "جنوب", "شرق", "غرب", "وسط", "شمالي", "جنوبي", "شرقي", "غربي")}


@Language.factory(
    "arpk_actors",
    assigns=["doc.ents", "token.ent_kb_id", "span._.actor", "span._.link_reason", "span._.candidates",
             "span._.role", "span._.affiliation"],
    requires=["doc.ents"],
    default_config={"fuzzy_threshold": 88.0, "min_fuzzy_len": 5, "refine_spans": True, "relabel": True},
)
def make_actors(nlp, name, fuzzy_threshold: float, min_fuzzy_len: int, refine_spans: bool, relabel: bool):
    return ActorLinker(nlp.vocab, name, fuzzy_threshold=fuzzy_threshold, min_fuzzy_len=min_fuzzy_len,
                       refine_spans=refine_spans, relabel=relabel)


class ActorLinker:
    """Links entities to registry actors.

    refine_spans (bool): Move an entity's edges by a token or two when that makes it exactly a
        registry name (`جونغ وي` + `-يونغ`; `يقود بولارد` → `بولارد`).
    relabel (bool): Give an entity the registry type of the actor it names exactly, when the NER
        label differs (`بولارد` tagged GPE → PERSON).
    """

    def __init__(self, vocab, name="arpk_actors", *, fuzzy_threshold=88.0, min_fuzzy_len=5,
                 refine_spans=True, relabel=True):
        self.vocab = vocab
        self.name = name
        self.cfg = {"fuzzy_threshold": fuzzy_threshold, "min_fuzzy_len": min_fuzzy_len,
                    "refine_spans": refine_spans, "relabel": relabel}
        self.demonyms: dict[str, str] = {}
        self.set_actors([])

    def add_actors(self, actors: Iterable[Actor]) -> None:
        """Add or replace actors at load time (`annotate --registry extra.jsonl`): a record with a
        known id replaces it."""
        self.set_actors(merge_actors(list(self.actors.values()), list(actors), override=True))

    def set_actors(self, actors: Iterable[Actor]) -> None:
        self.index = AliasIndex(actors)
        self.missions = MissionResolver(self.index)
        # (state id, institution kind) → the body's id, generated (`org:mli-mfa`) or curated.
        # Consonant skeletons of persons' multi-word names, kept only where unique.
        skel: dict[str, set[str]] = {}
        for k, ids in self.index.exact.items():
            if " " in k and len(_skeleton(k)) >= 7:
                for i in ids:
                    if self.index.actors[i].type == "PERSON":
                        skel.setdefault(_skeleton(k), set()).add(k)
        self._skeletons = {sk: next(iter(ks)) for sk, ks in skel.items()
                           if len({i for k in ks for i in self.index.exact[k]}) == 1}
        # States: ISO-coded GPEs without a parent (a city `gpe:bor` is not one).
        self.states = {a.id for a in self.index.actors.values()
                       if a.type == "GPE" and not a.parent and len(a.id) == 7 and a.id[4:].isalpha()}
        self.institutions = {(a.parent, a.institution): a.id for a in self.index.actors.values()
                             if a.institution and a.parent}
        self.hygiene = SpanHygiene(self)
        self._exact_cache: dict[str, tuple[str | None, bool]] = {}
        self._curated_cache: dict[str, bool] = {}  # span text → a curated name? (asked per entity)
        # Results of the lookups that depend on the mention and the registry alone (not on the
        # article), by (surface, label): news repeats its names, and the fuzzy scan is the
        # costliest step of linking. Reset with the registry.
        self._name_cache: dict[tuple[str, str], tuple[str | None, str, list[str]]] = {}
        self._fuzzy_cache: dict[tuple, tuple[str, float] | None] = {}
        keys = list(self.index.exact) + list(self.index.generated)
        self._first_words = {k.split(" ")[0] for k in keys}
        self._first_cache: dict[str, bool] = {}
        # Word prefixes of every key: a candidate span that is not one cannot grow into a name.
        self._prefixes = {" ".join(w[:i]) for w in (k.split(" ") for k in keys) for i in range(1, len(w) + 1)}
        self._by_type: dict[str, list[str]] = {}
        self._fuzzy_keys: dict[str, list[tuple[str, str]]] = {}
        for k, ids in {**self.index.generated, **self.index.exact}.items():
            for i in ids:
                self._fuzzy_keys.setdefault(self.index.actors[i].type, []).append((k, i))
        # The strings alone, built once: rapidfuzz scans a list, and rebuilding it per mention
        # cost more than the matching.
        self._fuzzy_strings = {t: [c[0] for c in cs] for t, cs in self._fuzzy_keys.items()}
        self._fuzzy_lengths = {t: np.array([len(c[0]) for c in cs]) for t, cs in self._fuzzy_keys.items()}

    @property
    def actors(self) -> dict[str, Actor]:
        return self.index.actors

    # ------------------------------------------------------------------ linking
    def link(self, surface: str, label: str, earlier: list[tuple[str, str]] | None = None,
             when: tuple[str, str] | None = None, here: str | None = None) -> tuple[str | None, str]:
        """Resolve one mention.

        surface (str): The mention as written.
        label (str): Its entity label (type preference).
        earlier (list): (key, id) of PERSON mentions already seen in the article.
        when (tuple): The article's date interval (dates.interval), for missions.
        here (str): The article's dominant state id, for `… في البلاد` and a bare `الخارجية`.
        RETURNS (tuple): (actor id or None, reason).
        """
        found, reason, _ = self.resolve(surface, label, earlier, when, here)
        return found, reason

    def resolve(self, surface: str, label: str, earlier=None, when=None, here=None, ctx=None):
        """As `link`, with the scored candidates: (id or None, reason, [(id, score)] best first).
        ctx: an article context (`context`) whose date and country are read only when needed."""
        if ctx is None:
            ctx = _Fixed(when, here)
        found, how, ids = self._by_name(surface, label)
        mission = label == "MISSION" or (found is not None and self.actors[found].type == "MISSION")
        if mission and how != "acronym":
            # A generic name (`بعثة الأمم المتحدة في …`) names the mission there at that date.
            outer = self._outer(surface)
            place = generic_place(outer)
            if place:
                when = ctx.when
                cands = self.missions.candidates(place, ids if found else [], when, ctx.here if place in HERE else None)
                if cands:
                    best = choose(cands)
                    if best is None and found is not None and when is not None and not any(
                            self.missions.fits(m, when) for m, _ in cands):
                        # No mission there at that date: a look back (`بعد رحيل بعثة الأمم المتحدة
                        # في ليبيريا`); the registry name decides.
                        return found, "mission-by-name", cands[:4]
                    return best, ("mission-by-place" if best else "mission-ambiguous"), cands[:4]
        missions = [i for i in ids if self.actors[i].type == "MISSION"]
        if found is not None and len(missions) > 1 and ctx.when is not None:
            # One acronym for two missions (MINUS/MINUSS, both `مينوس` in Arabic): the date decides.
            fit = [m for m in missions if self.missions.fits(m, ctx.when)]
            if len(fit) == 1:
                return fit[0], "mission-by-date", [(fit[0], 1.0)] + [(m, 0.5) for m in missions if m != fit[0]][:3]
            return None, "mission-ambiguous", [(m, 0.5) for m in missions][:4]
        if found is not None:
            score = {"exact": 1.0, "acronym": 1.0, "proclitic": 0.95}.get(how, 0.9)
            cands = [(found, score)] + [(i, 0.5) for i in ids if i != found]
            return found, how, cands[:4]
        if label == "ORG":
            suffix = BARE.get(self._outer(surface)) or next(
                (BARE[r] for r in strip_proclitics(self._outer(surface))[1:] if r in BARE), None)
            if suffix:
                return self._bare_institution(suffix, ctx.here)
        for reading, how in self._spelling_readings(surface):
            ids = self.index.get(reading)
            if ids:
                found = self._pick(ids, label)
                return found, how, [(found, 0.85)]
        if label == "PERSON" and earlier:
            found = self._coref(surface, earlier)
            if found:
                return found, "coreference", [(found, 0.8)]
        found = self._fuzzy(surface, label)
        if found:
            return found[0], f"fuzzy:{found[1]:.0f}", [(found[0], round(found[1] / 100 * 0.9, 3))]
        return None, "unlinked", []

    def _by_name(self, surface: str, label: str) -> tuple[str | None, str, list[str]]:
        """The registry names the surface is (directly, without a proclitic, a rule variant, or
        by its bracketed/quoted acronym): (chosen id, how, all ids of that name)."""
        hit = self._name_cache.get((surface, label))
        if hit is None:
            hit = self._by_name_uncached(surface, label)
            if len(self._name_cache) < 200_000:
                self._name_cache[(surface, label)] = hit
        return hit

    def _by_name_uncached(self, surface: str, label: str) -> tuple[str | None, str, list[str]]:
        for k, how in self._readings(surface):
            ids = self.index.exact.get(k)
            if ids and label and k not in self.index.curated_keys:
                # An imported name links only an entity of its own kind: GeoNames spells a
                # town like the TV channel `الجزيرة`.
                ids = [i for i in ids if _compatible(self.actors[i].type, label)]
            if ids:
                return self._pick(ids, label), how, ids
            ids = self.index.generated.get(k)
            if ids and label and k not in self.index.curated_keys:
                ids = [i for i in ids if _compatible(self.actors[i].type, label)]
            if ids:  # a spelling produced by rule (ج/غ, with/without ال)
                return self._pick(ids, label), "variant" if how in ("exact", "acronym") and how == "exact" else (
                    "acronym" if how == "acronym" else f"{how}+variant"), ids
        return None, "unlinked", []

    def _bare_institution(self, suffix: str, here: str | None):
        if here:
            iid = self.institutions.get((here, suffix))
            if iid is None and institution_id(here, suffix) in self.actors:
                iid = institution_id(here, suffix)
            if iid:
                return iid, "dominant-state", [(iid, 0.8)]
        return None, "unlinked", []

    @staticmethod
    def _split_acronym(surface: str) -> tuple[str, str | None]:
        """`long name (ACRONYM)` or `long name «ACRONYM»` → (long name, acronym)."""
        s = surface.rstrip()
        pairs = {")": "(", "»": "«", "\"": "\"", "”": "“"}
        if s and s[-1] in pairs:
            opener = pairs[s[-1]]
            at = s.rfind(opener, 0, len(s) - 1)
            if at > 0 and s[:at].strip():
                return s[:at].strip(), s[at + 1 : -1].strip()
        return surface, None

    def _outer(self, surface: str) -> str:
        return key(self._split_acronym(surface)[0])

    def _readings(self, surface: str):
        outer, inner = self._split_acronym(surface)
        k = key(surface)
        if not k:
            return
        # A bracketed or quoted acronym right after a long name decides: the long name may be a
        # predecessor's (`بعثة الأمم المتحدة في جمهورية الكونغو الديمقراطية (مونوسكو)`).
        forms = [(key(inner), "acronym"), (key(outer), "exact")] if inner else [(k, "exact")]
        for form, how in forms:
            form = form.replace("(", "").replace(")", "").strip()
            if not form:
                continue
            yield form, how
            first, _, rest = form.partition(" ")
            for reading in strip_proclitics(first)[1:]:
                yield (reading + " " + rest).strip(), "acronym" if how == "acronym" else "proclitic"

    def _spelling_readings(self, surface: str):
        """Outlet spellings tried when no registry name matched: the first word in the dual or
        plural construct (`بتنظيمي القاعدة`), ج/ك/غ written for one another, a missing space
        (`الأممالمتحدة`, `شمالمالي`)."""
        k = self._outer(surface)
        if not k:
            return
        words = k.split(" ")
        for first in strip_proclitics(words[0]):
            if len(words) > 1 and len(first) > 3 and first[-1] in "يا":
                yield " ".join([first[:-1], *words[1:]]), "dual"
        for a, b in (("ك", "غ"), ("ك", "ج"), ("ج", "ك"), ("غ", "ك"), ("ق", "غ"), ("غ", "ق")):
            if a in k:
                yield k.replace(a, b), "spelling"
        if len(words) == 1 and len(k) >= 6:
            for w in strip_proclitics(k):
                for i in range(3, len(w) - 2):
                    left, right = w[:i], w[i:]
                    if self.index.get(left + " " + right):
                        yield left + " " + right, "glued"
                    elif left in _DIRECTIONS and self.index.get(right):
                        yield right, "glued"
        elif 1 < len(words) <= 4:
            # One word of a longer name glued (`سلفاكير ميارديت`).
            for j, w in enumerate(words):
                for i in range(2, len(w) - 1):
                    cand = " ".join([*words[:j], w[:i], w[i:], *words[j + 1:]])
                    if self.index.get(cand):
                        yield cand, "glued"
            # A transliterated name with other short/long vowels (`هيلدي جونسن`): the same
            # consonant skeleton as exactly one registry person.
            found = self._skeletons.get(_skeleton(k))
            if found:
                yield found, "skeleton"

    def _pick(self, ids: list[str], label: str) -> str:
        same = [i for i in ids if self.actors[i].type == label]
        return (same or ids)[0]

    def _coref(self, surface: str, earlier: list[tuple[str, str]]) -> str | None:
        readings = [r for r, _ in self._readings(surface)]
        for prev_key, prev_id in reversed(earlier):
            words = prev_key.split()
            if len(words) < 2:
                continue
            for r in readings:
                n = len(r.split())
                if n < len(words) and (words[-n:] == r.split() or words[:n] == r.split()):
                    return prev_id
        return None

    def _fuzzy(self, surface: str, label: str):
        at = (surface, label, self.cfg["fuzzy_threshold"], self.cfg["min_fuzzy_len"])
        if at in self._fuzzy_cache:
            return self._fuzzy_cache[at]
        best = self._fuzzy_uncached(surface, label)
        if len(self._fuzzy_cache) < 200_000:
            self._fuzzy_cache[at] = best
        return best

    def _fuzzy_uncached(self, surface: str, label: str):
        k = key(surface)
        if len(k) < self.cfg["min_fuzzy_len"]:
            return None
        from rapidfuzz import fuzz, process  # only on the rare unmatched mention

        choices = self._fuzzy_keys.get(label, [])
        if not choices:
            return None
        best = None
        cutoff = self.cfg["fuzzy_threshold"]
        lengths = self._fuzzy_lengths[label]
        for reading, _ in self._readings(surface):
            # fuzz.ratio is 100·(1 − indel/(len1+len2)) and indel ≥ |len1 − len2|: only keys of
            # near length can reach the cutoff, so only those are scanned (same winner, list order kept).
            n = len(reading)
            c = cutoff / 100.0
            near = np.flatnonzero((lengths >= n * c / (2 - c) - 1e-9) & (lengths <= n * (2 - c) / c + 1e-9))
            if not len(near):
                continue
            res = process.extractOne(reading, [self._fuzzy_strings[label][i] for i in near], scorer=fuzz.ratio,
                                     score_cutoff=cutoff)
            if res and (best is None or res[1] > best[1]):
                best = (choices[near[res[2]]][1], res[1])
        return best

    # ------------------------------------------------------------------ roles
    def _role(self, doc: Doc, ent: Span, ent_ids: dict[int, str | None], text: str) -> tuple[str | None, str | None]:
        return find_role(doc, ent, ent_ids, text, self.demonyms)

    def _exact_id(self, text: str) -> str | None:
        return self._lookup(text)[0]

    def _lookup(self, text: str) -> tuple[str | None, bool]:
        """(id of the first reading that is a registry key, whether any reading begins one)."""
        hit = self._exact_cache.get(text)
        if hit is None:
            found, begins = None, False
            for k, _ in self._readings(text):
                if found is None:
                    ids = self.index.get(k)
                    if ids:
                        found = ids[0]
                begins = begins or k in self._prefixes
            hit = (found, begins)
            if len(self._exact_cache) < 200_000:
                self._exact_cache[text] = hit
        return hit

    def _curated_name(self, text: str) -> bool:
        hit = self._curated_cache.get(text)
        if hit is None:
            curated = self.index.curated_keys
            hit = any(k in curated for k, _ in self._readings(text))
            if len(self._curated_cache) < 200_000:
                self._curated_cache[text] = hit
        return hit

    def _shrink_ok(self, text: str, actor_id: str) -> bool:
        # Dropping words from an NER span is only safe onto a person's registry spelling
        # (`يقود بولارد` → `بولارد`); generated variants of short names such as `الوطنية` are
        # common words.
        return self.actors[actor_id].type == "PERSON" and any(
            self.index.exact.get(k) for k, _ in self._readings(text))

    def _refine(self, doc: Doc, text: str) -> None:
        """Registry-guided edges and labels (see the class docstring)."""
        ents = list(doc.ents)
        if not ents:
            return
        # Per-token facts read in one array call: Token objects are costly in a hot loop. Column
        # by column: numpy's tolist() of a 2-D uint64 array is many times slower.
        idx, lengths, blocked, is_punct = doc.to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT]).T.tolist()
        ends = [i + n for i, n in zip(idx, lengths)]
        # blocked: whitespace tokens (incl. newlines) end a name.
        n = len(doc)

        def punct(i: int) -> bool:
            # Punctuation and symbols (`+`, `/`) never end or start a name. Asked only for the few
            # tokens at an entity's candidate edges, so not computed for every token.
            return bool(is_punct[i]) or not _has_alnum(text[idx[i] : ends[i]])

        def span_text(s: int, e: int) -> str:
            return text[idx[s] : ends[e - 1]]

        first_cache = self._first_cache

        def starts_name(i: int) -> bool:
            # Cheap filter: a registry name must start with this token (proclitics aside).
            # Cached by the word's text across documents: news vocabulary repeats.
            word = text[idx[i] : ends[i]]
            hit = first_cache.get(word)
            if hit is None:
                k = key(word)
                hit = any(r in self._first_words for r in strip_proclitics(k.split(" ")[0])) if k else False
                if len(first_cache) < 200_000:
                    first_cache[word] = hit
            return hit

        owner = {t: k for k, e in enumerate(ents) for t in range(e.start, e.end)}
        claimed: set[int] = set()  # tokens of spans already moved
        absorbed: set[int] = set()  # entities swallowed by a neighbour's registry name
        decided = []
        for k, ent in enumerate(ents):
            start, end, label = ent.start, ent.end, ent.label_
            if k in absorbed:
                decided.append(None)
                continue
            if self.cfg["refine_spans"]:
                whole = self._exact_id(span_text(start, end)) is not None
                best = None
                for s in range(max(0, ent.start - 3), min(ent.start + 2, ent.end)):
                    # Checks that depend on the start alone come first: most starts fail them.
                    if blocked[s] or not starts_name(s) or punct(s):
                        continue
                    if s < ent.start and (text[idx[s] : ends[s]] in BARE_PROCLITICS
                                          or any(text[idx[i] : ends[i]] in QUOTES for i in range(s, ent.start))):
                        continue  # `و"مينوسكا`: the registry key ignores both, the span must not grow over them
                    # A PERSON span may also lose a tail of definite words after a registry name
                    # (`سوه ووك المضيفان المشاركان`): a descriptor, never part of the name.
                    lo = ent.end - 1
                    if label == "PERSON":
                        while lo - 1 > s and key(text[idx[lo - 1] : ends[lo - 1]]).startswith("ال"):
                            lo -= 1
                    first_end = max(s + 1, lo)
                    if any(blocked[i] for i in range(s + 1, first_end - 1)):
                        continue  # whitespace inside every candidate span from s
                    for e in range(first_end, min(n, ent.end + 3) + 1):
                        if blocked[e - 1]:
                            break  # whitespace ends a name; longer spans contain it too
                        if (s, e) == (ent.start, ent.end):
                            continue
                        if whole and not (s <= ent.start and e >= ent.end):
                            continue  # never shrink a span that is already a registry name
                        if punct(e - 1):
                            continue
                        if label == "ORG" and any(key(text[idx[i] : ends[i]]) in AFFILIATION
                                                  for i in (*range(s, ent.start), *range(ent.end, e))):
                            continue  # spans.py keeps `التابعة لـ` + owner out of an ORG
                        # A neighbouring entity may be swallowed only whole (`جونغ وي` + `يونغ`
                        # tagged apart → the registry's `جونغ وي-يونغ`), never cut.
                        others = {owner[i] for i in range(s, e) if i in owner and owner[i] != k}
                        if any(i in claimed for i in range(s, e) if i < ent.start or i >= ent.end):
                            continue
                        if any(ents[o].start < s or ents[o].end > e or o in absorbed for o in others):
                            continue
                        cand = span_text(s, e)
                        found, begins = self._lookup(cand)
                        if found is not None and not self._curated_name(cand):
                            found = None  # imported names (towns …) never move an NER span
                        if not begins:
                            break  # no registry name starts so: none starts with a longer span either
                        if not found:
                            continue
                        if (s > ent.start or e < ent.end) and not self._shrink_ok(cand, found):
                            continue
                        if best is None or e - s > best[1] - best[0]:
                            best = (s, e, others)
                if best is not None and (not whole or best[1] - best[0] > ent.end - ent.start):
                    start, end, others = best
                    absorbed |= others
                    claimed |= set(range(start, end))
            if label == "ORG":
                # ANNOTATION rule 10: a trailing nationality adjective stays outside an ORG span
                # (`[وزارة الخارجية] الهندية`); linking still reads it (see __call__).
                while end - start > 1 and key(text[idx[end - 1] : ends[end - 1]]) in self.demonyms:
                    end -= 1
                # ... but a national army named by its adjective is no entity at all
                # (`القوات المسلحة المالية`, `والجيش اللبناني`).
                if end < n and key(text[idx[end] : ends[end]]) in self.demonyms and _army_head(span_text(start, end)):
                    decided.append(None)
                    continue
            if end - start == 1 and label in ("GPE", "ORG", "LOC") and key(span_text(start, end)) in self.demonyms:
                decided.append(None)  # rule 4: an adjective (`السوداني`, `المالي`) is not a name
                continue
            if self.cfg["relabel"]:
                aid = self._exact_id(span_text(start, end))
                # Only curated names relabel: GeoNames' `الجزيرة` (a Sudanese state) must not
                # turn the channel's ORG span into a GPE.
                if aid is not None and self._curated_name(span_text(start, end)):
                    label = self.actors[aid].type
            decided.append((start, end, label))
        if not absorbed and all(d == (e.start, e.end, e.label_) for d, e in zip(decided, ents)):
            return  # nothing moved: keep the Doc's entities as they are
        doc.ents = [Span(doc, d[0], d[1], label=d[2]) for k, d in enumerate(decided) if d is not None and k not in absorbed]


    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        self.refine(doc, text)
        self.link_doc(doc, text)
        self.assign_roles(doc, text)
        return doc

    def refine(self, doc: Doc, text: str | None = None) -> None:
        """Span hygiene, then registry-guided edges and labels (the span-refinement job)."""
        text = doc_text(doc) if text is None else text
        if self.cfg["refine_spans"]:
            self.hygiene(doc, text)
        if self.cfg["refine_spans"] or self.cfg["relabel"]:
            self._refine(doc, text)

    def context(self, doc: Doc, text: str, ents=None) -> _Context:
        """The article's date interval and dominant state, each computed on first use."""
        return _Context(self, doc, text, list(doc.ents) if ents is None else ents)

    def link_doc(self, doc: Doc, text: str | None = None) -> None:
        """Link every entity: `ent_kb_id`, `span._.actor`, `span._.link_reason`, `span._.candidates`."""
        text = doc_text(doc) if text is None else text
        ents = list(doc.ents)  # each doc.ents access walks every token: read once
        ctx = self.context(doc, text, ents)
        earlier: list[tuple[str, str]] = []
        new_ents = []
        starts = {e.start: e for e in ents}
        for ent in ents:
            actor_id, reason, cands = None, "", []
            # The span's text sliced from the Doc's (Span.text joins its tokens on each access).
            surface = text[ent.start_char : ent.end_char]
            nxt = doc[ent.end] if ent.end < len(doc) else None
            if ent.label_ == "MISSION" and nxt is not None and nxt.text in OPENERS:
                # `NAME «ACRONYM»` are two spans (spans.py), but the acronym still decides the
                # name's mission, as a bracketed one inside the span does.
                acr = starts.get(ent.end + 1)
                if acr is not None and acr.label_ == "MISSION" and acr.end < len(doc) and doc[acr.end].text == OPENERS[nxt.text]:
                    actor_id, reason, cands = self.resolve(f"{surface} ({acr.text})", ent.label_, earlier, ctx=ctx)
                    if reason != "acronym":
                        actor_id, reason, cands = None, "", []
            if ent.label_ == "ORG" and nxt is not None and key(nxt.text) in self.demonyms:
                # Per-country bodies are registered with their adjective (`وزارة الخارجية الهندية`).
                actor_id, reason, cands = self.resolve(surface + " " + nxt.text, ent.label_)
                if not reason.startswith(("exact", "proclitic", "variant", "acronym")):
                    actor_id, reason, cands = None, "", []
            if actor_id is None:
                actor_id, reason, cands = self.resolve(surface, ent.label_, earlier, ctx=ctx)
            k = key(surface)
            if actor_id is None:
                unlinked = unlinked_id(surface)
                if ent.label_ == "PERSON":
                    # A surname after an unlinked full name is the same unknown person.
                    prev = self._coref_unlinked(k, earlier)
                    unlinked = prev or unlinked
                if ent.label_ == "PERSON":
                    earlier.append((k, unlinked))
                new_ents.append((ent, None, unlinked, reason, cands))
            else:
                if ent.label_ == "PERSON":
                    earlier.append((k, actor_id))
                new_ents.append((ent, actor_id, actor_id, reason, cands))
        spans = [Span(doc, e.start, e.end, label=e.label_, kb_id=aid or "") for e, aid, *_ in new_ents]
        doc.ents = spans
        # Extension values are keyed by offsets, label and kb_id: set on these same spans.
        for span, (_e, _aid, akey, reason, cands) in zip(spans, new_ents):
            span._.actor = akey
            span._.link_reason = reason
            span._.candidates = [{"id": i, "score": float(sc)} for i, sc in cands] or None

    def assign_roles(self, doc: Doc, text: str | None = None) -> None:
        """The title before each person: `span._.role`, `span._.affiliation` (the roles job)."""
        text = doc_text(doc) if text is None else text
        ents = list(doc.ents)
        ent_ids = token_actors(ents)
        for span in ents:
            if span.label_ == "PERSON":
                role, aff = self._role(doc, span, ent_ids, text)
                span._.role = role
                span._.affiliation = aff

    def _coref_unlinked(self, k: str, earlier):
        words = k.split()
        for prev_key, prev_id in reversed(earlier):
            pw = prev_key.split()
            if prev_id.startswith("unlinked:") and len(words) < len(pw) and (pw[-len(words):] == words):
                return prev_id
        return None

    def pipe(self, docs, batch_size=128):
        for doc in docs:
            yield self(doc)

    def initialize(self, get_examples: Callable | None = None, *, nlp=None, registry_path: str | None = None,
                   demonyms_path: str | None = None):
        """Load the registry (a JSONL file or folder) and the demonym table from configs/."""
        if registry_path:
            self.set_actors(read_registry(registry_path))
        if demonyms_path:
            self.demonyms = {key(k): v for k, v in srsly.read_json(demonyms_path).items() if not k.startswith("_")}

    # ------------------------------------------------------------------ serialization
    def to_disk(self, path, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / "actors.jsonl", [a.to_dict() for a in self.actors.values()])
        srsly.write_json(path / "cfg.json", {"cfg": self.cfg, "demonyms": self.demonyms})

    def from_disk(self, path, exclude=tuple()):
        path = Path(path)
        data = srsly.read_json(path / "cfg.json")
        self.cfg.update(data["cfg"])
        self.demonyms = data["demonyms"]
        self.set_actors(Actor.from_dict(d) for d in srsly.read_jsonl(path / "actors.jsonl"))
        return self

    def to_bytes(self, exclude=tuple()):
        return srsly.msgpack_dumps({"cfg": self.cfg, "demonyms": self.demonyms,
                                    "actors": [a.to_dict() for a in self.actors.values()]})

    def from_bytes(self, data, exclude=tuple()):
        d = srsly.msgpack_loads(data)
        self.cfg.update(d["cfg"])
        self.demonyms = d["demonyms"]
        self.set_actors(Actor.from_dict(x) for x in d["actors"])
        return self


@lru_cache(maxsize=100_000)
def _has_alnum(word: str) -> bool:
    return any(c.isalnum() for c in word)


def _compatible(actor_type: str, label: str) -> bool:
    return actor_type == label or {actor_type, label} <= {"GPE", "LOC"}


def _skeleton(k: str) -> str:
    """A name's consonants: internal long vowels (ا و ي) dropped; a final ا/ه/ي becomes one mark
    (`هيلدا`/`هيلدي` alike) but a final و stays (`كابيلا` is not `كابولو`)."""
    out = []
    for w in k.split(" "):
        if len(w) < 3:
            out.append(w)
            continue
        last = "*" if w[-1] in "اهي" else w[-1]
        out.append(w[0] + "".join(c for c in w[1:-1] if c not in "اوي") + last)
    return " ".join(out)


class _Fixed:
    """A context given outright (`link`, `actors lookup`)."""

    def __init__(self, when, here):
        self.when, self.here = when, here


class _Context:
    """An article's date interval and dominant state, computed on first use: most articles
    never need them (only generic mission names and bare ministries do)."""

    def __init__(self, linker: ActorLinker, doc: Doc, text: str, ents):
        self._linker, self._doc, self._text, self._ents = linker, doc, text, ents
        self._when = self._here = None
        self._done = set()

    @property
    def when(self):
        if "when" not in self._done:
            self._when = article_interval(self._doc._.date, self._text)[0]
            self._done.add("when")
        return self._when

    @property
    def here(self):
        if "here" not in self._done:
            ids = (self._linker._exact_id(e.text) for e in self._ents if e.label_ == "GPE")
            self._here = dominant_state(state_counts(i for i in ids if i in self._linker.states))
            self._done.add("here")
        return self._here


# Heads of a national army's name (rule 10), proclitic `و` aside.
_ARMY_HEADS = {key(w) for w in ("الجيش", "القوات المسلحة", "جيش", "القوات", "قوات الدفاع", "قوات الأمن")}


def _army_head(surface: str) -> bool:
    k = key(surface)
    return k in _ARMY_HEADS or (k.startswith("و") and k[1:] in _ARMY_HEADS)
