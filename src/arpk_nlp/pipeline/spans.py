"""Span hygiene before linking: one entity per name, no stray brackets, quotes or persons.

- Coordinated names tagged as one span (`السنغال وتشاد والنيجر`) are split at `و`/commas into
  one entity each, when every part is a registry name and the whole is not (`البوسنة والهرسك`
  stays whole).
- A span never ends on an opening bracket or quote, nor begins with a closing one; a quote mark
  inside a name (`حركة "الشباب"`) is kept when the span also holds its partner.
- A mission's bracketed acronym right after its long name joins the MISSION span (annotation
  rule 9: `… في مالي (مينوسما)` is one span); a quoted one (`… في مالي "مينوسما"`, `«مينوسما»`)
  is a MISSION span of its own, quotes outside both, as everywhere in the corpus (docs/annotation.md
  rule 9): a span the NER grew over the quotes is split in two.
- A span does not begin with a bare proclitic token (`و` before a quote: `و"مينوسكا"`).
- A MISSION span that swallowed the following person (`مينوسما محمد صالح النظيف`) is cut after
  the mission's name; the rest becomes a PERSON entity.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .missions import generic_place
from .registry import key

OPENERS = {"(": ")", "«": "»", '"': '"', "“": "”", "[": "]"}
CLOSERS = {v: k for k, v in OPENERS.items()}
QUOTES = set(OPENERS) | set(CLOSERS) | {"'", "‘", "’"}
_SEPARATORS = {",", "،", "؛"}
# Openers after which an acronym joins a mission's span (rule 9); quotes do not join.
_JOINING = {"(", "["}
# One-letter proclitics the tokenizer leaves as tokens of their own before punctuation.
BARE_PROCLITICS = {"و", "ف", "ب", "ل", "ك"}


class SpanHygiene:
    def __init__(self, linker):
        self.linker = linker  # lookups (`_exact_id`) against the linker's registry

    def _id(self, text: str) -> str | None:
        return self.linker._exact_id(text)

    def _is_mission(self, text: str) -> bool:
        found = self._id(text)
        if found is not None:
            return self.linker.actors[found].type == "MISSION"
        return generic_place(key(text)) is not None

    def __call__(self, doc: Doc, text: str) -> None:
        ents = list(doc.ents)
        if not ents:
            return
        out: list[Span] = []
        changed = False
        for ent in ents:
            parts = self._fix(doc, ent)
            if parts is None:
                out.append(ent)
            else:
                changed = True
                out.extend(parts)
        if changed:
            # A span grown over its acronym replaces the entity that the acronym was alone.
            doc.ents = filter_spans(out)

    def _fix(self, doc: Doc, ent: Span) -> list[Span] | None:
        start, end, label = ent.start, ent.end, ent.label_
        # Stray brackets and quotes at the edges.
        while end - start > 1 and (self._unpaired(doc, start, end, end - 1) or doc[end - 1].text in _SEPARATORS):
            end -= 1
        while end - start > 1 and (self._unpaired(doc, start, end, start) or doc[start].text in _SEPARATORS
                                   or doc[start].text in BARE_PROCLITICS):
            start += 1
        if end - start == 1 and doc[start].is_punct:
            return []
        if label == "ORG":
            # `[إدارة عمليات السلام] التابعة [للأمم المتحدة]`: the owner is a name of its own, as
            # the corpus writes it (20 of 22 such ORGs in train), even where the registry also
            # knows the long form. Official names of events and missions keep the phrase.
            for i in range(start + 1, end - 1):
                if key(doc[i].text) in AFFILIATION:
                    owner = self._id(doc[i + 1 : end].text)
                    if owner is not None:
                        return [Span(doc, start, i, label=label), Span(doc, i + 1, end, label=self.linker.actors[owner].type)]
                    break
        if label in ("EVENT", "ORG") and self._id(doc[start:end].text) is None:
            # A name does not run into a relative clause or end on a preposition or a full stop:
            # `[مؤتمر الأطراف] الذي استضافته ...`, `[مؤتمر أكرا] في`.
            for i in range(start + 1, end):
                if key(doc[i].text) in _RELATIVES:
                    end = i
                    break
            while end - start > 1 and (key(doc[end - 1].text) in _TRAILING_WORDS or doc[end - 1].text in _END_PUNCT):
                end -= 1
        span_text = doc[start:end].text
        if label == "MISSION" or self._is_mission(span_text):
            grown = self._with_acronym(doc, start, end)
            if grown is not None:
                return [Span(doc, start, grown, label="MISSION")]
            split = self._split_quoted_acronym(doc, start, end)
            if split is not None:
                return split
            if label == "MISSION" and self._id(span_text) is None:
                cut = self._cut_person(doc, start, end)
                if cut is not None:
                    return cut
        if label in ("GPE", "LOC", "ORG") and end - start > 1 and self._id(span_text) is None:
            parts = self._split_coordination(doc, start, end, label)
            if parts is not None:
                return parts
        if (start, end) != (ent.start, ent.end):
            return [Span(doc, start, end, label=label)]
        return None

    @staticmethod
    def _unpaired(doc: Doc, start: int, end: int, i: int) -> bool:
        """Token i is a bracket or quote whose partner is not inside the span."""
        t = doc[i].text
        if t not in QUOTES:
            return False
        inside = [doc[j].text for j in range(start, end) if j != i]
        if t in OPENERS and OPENERS[t] in inside:
            return False
        if t in CLOSERS and CLOSERS[t] in inside:
            return False
        return True

    def _with_acronym(self, doc: Doc, start: int, end: int) -> int | None:
        """End of the span grown over a following `(ACRONYM)`/`[ACRONYM]` naming a mission."""
        if end >= len(doc) or doc[end].text not in _JOINING:
            return None
        close = OPENERS[doc[end].text]
        for j in range(end + 2, min(end + 5, len(doc))):
            if doc[j].text == close:
                inner = doc[end + 1 : j].text
                found = self._id(inner)
                if found is not None and self.linker.actors[found].type == "MISSION":
                    return j + 1
                return None
            if doc[j].is_space or doc[j].text in OPENERS:
                return None
        return None

    def _split_quoted_acronym(self, doc: Doc, start: int, end: int) -> list[Span] | None:
        """[name, acronym] for a span `NAME "ACRONYM"` / `NAME «ACRONYM»` whose two parts each
        name a mission; None otherwise."""
        close = doc[end - 1].text
        if close not in CLOSERS or close in (")", "]"):
            return None
        opener = CLOSERS[close]
        for j in range(end - 2, max(start, end - 6), -1):
            if doc[j].text == opener:
                head, inner = doc[start:j], doc[j + 1 : end - 1]
                if not len(inner) or not len(head) or not self._is_mission(head.text) or not self._is_mission(inner.text):
                    return None
                return [Span(doc, start, j, label="MISSION"), Span(doc, j + 1, end - 1, label="MISSION")]
        return None

    def _cut_person(self, doc: Doc, start: int, end: int) -> list[Span] | None:
        for cut in range(end - 1, start, -1):
            head = doc[start:cut].text
            if not self._is_mission(head):
                continue
            rest = doc[cut:end]
            found = self._id(rest.text)
            if found is not None:
                return [Span(doc, start, cut, label="MISSION"), Span(doc, cut, end, label=self.linker.actors[found].type)]
            words = [t for t in rest if not t.is_space]
            if 2 <= len(words) <= 4 and all(t.is_alpha for t in words) and not any(
                    key(t.text) in _NOT_NAMES for t in words):
                return [Span(doc, start, cut, label="MISSION"), Span(doc, cut, end, label="PERSON")]
            return [Span(doc, start, cut, label="MISSION")]
        return None

    def _split_coordination(self, doc: Doc, start: int, end: int, label: str) -> list[Span] | None:
        # Candidate cut points: before a word with the conjunction `و` attached, around commas.
        cuts = [i for i in range(start + 1, end) if doc[i].text.startswith("و") or doc[i].text in _SEPARATORS]
        if not cuts:
            return None
        bounds = [start, *cuts, end]
        # Fewest parts such that every part is a registry name (DP over the cut points).
        n = len(bounds)
        best: dict[int, list[tuple[int, int]] | None] = {0: []}
        for b in range(1, n):
            best[b] = None
            for a in range(b):
                if best[a] is None:
                    continue
                s, e = bounds[a], bounds[b]
                while s < e and doc[s].text in _SEPARATORS:
                    s += 1
                if s >= e or self._id(doc[s:e].text) is None:
                    continue
                cand = best[a] + [(s, e)]
                if best[b] is None or len(cand) < len(best[b]):
                    best[b] = cand
        parts = best[n - 1]
        if parts is None and end - bounds[-2] > 1:
            # The last name may have swallowed a common word after it (`والنيجر العاصمة`).
            tail = self._split_coordination(doc, start, end - 1, label) if end - 1 - start > 1 else None
            return tail
        if not parts or len(parts) < 2:
            return None
        out = []
        for s, e in parts:
            found = self._id(doc[s:e].text)
            out.append(Span(doc, s, e, label=self.linker.actors[found].type if found else label))
        return out


_RELATIVES = {key(w) for w in ("الذي", "التي", "الذين", "اللذين", "اللتين", "اللذان", "اللتان", "اللواتي")}
_TRAILING_WORDS = {key(w) for w in ("في", "من", "إلى", "على", "عن", "مع", "بين", "و", "أو", "ب", "ل")}
_END_PUNCT = {".", ":", "!", "?", "؟", "…"}
AFFILIATION = {key(w) for w in ("التابعة", "التابع", "التابعين", "التابعتين")}

# Words that cannot begin or be part of a person's name after a mission's name.
_NOT_NAMES = {key(w) for w in ("في", "من", "إلى", "على", "عن", "مع", "التي", "الذي", "قال", "قالت", "أن", "إن",
                                "بعد", "قبل", "منذ", "حيث", "كما", "و", "أو", "ثم", "بين", "عند")}
