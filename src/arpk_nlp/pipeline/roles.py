"""Roles: the title right before a person (ANNOTATION rule 3: the title is not part of the name).

`وزير الخارجية الكوري [جونغ وي-يونغ]` → role `وزير الخارجية`, affiliation `gpe:kor` (from the
trailing nationality adjective or an entity inside the title).
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

from .normalize import strip_proclitics
from .registry import key

# Words that open a title before a person's name (the title is the role, ANNOTATION rule 3).
TITLE_HEADS = {
    key(w) for w in (
        "الأمين العام", "الأمينة العامة", "وزير", "وزيرة", "رئيس", "رئيسة", "قائد", "قائدة", "المتحدث", "المتحدثة",
        "الناطق", "الناطقة", "الممثل", "الممثلة", "وكيل", "وكيلة", "مساعد", "مساعدة", "نائب", "نائبة", "السفير",
        "السفيرة", "المندوب", "المندوبة", "المبعوث", "المبعوثة", "الجنرال", "اللواء", "العميد", "العقيد", "المقدم",
        "الرائد", "النقيب", "الملازم", "الفريق", "المفوض", "المفوضة", "المدير", "المديرة", "منسق", "منسقة",
        "المنسق", "المنسقة", "رئيسة", "الرئيس", "الرئيسة", "الملك", "الأمير", "الشيخ", "الوزير", "الوزيرة",
        "القائد", "قائد", "مدير", "مديرة", "المستشار", "المستشارة", "رئيس", "وكيل", "الجندي", "الرقيب",
        "العريف", "مفوض", "مفوضة", "الأمين", "أمين", "الدكتور", "الدكتورة", "د.", "حاكم", "الحاكم", "عمدة",
    )
}
STOP_ROLE = {key(w) for w in ("قال", "قالت", "أكد", "أكدت", "أن", "إن", "وقال", "وقالت", "إلى", "عن", "مع", "في")}


def token_actors(ents) -> dict[int, str | None]:
    """Token index → the id of the entity it is in. An extension attribute is a dict lookup
    through spaCy's underscore object: read once per entity, not once per token."""
    out: dict[int, str | None] = {}
    for e in ents:
        aid = e._.actor or e.kb_id_ or None
        for t in range(e.start, e.end):
            out[t] = aid
    return out


def find_role(doc: Doc, ent: Span, ent_ids: dict[int, str | None], text: str, demonyms: dict[str, str]) -> tuple[str | None, str | None]:
    """The title right before a person (`وزير الخارجية الكوري` → role, affiliation)."""
    i = ent.start - 1
    start = None
    affiliation = None
    steps = 0
    while i >= 0 and steps < 10:
        tok = doc[i]
        if tok.is_punct or tok.is_space or "\n" in tok.text:
            break
        ent_here = ent_ids.get(i, False)
        if ent_here is not False and doc[i].ent_type_ == "PERSON":
            break
        k = key(tok.text)
        if k in STOP_ROLE:
            break
        bare = strip_proclitics(k)[-1] if k.startswith(("و", "ف")) else k
        if k in TITLE_HEADS or bare in TITLE_HEADS or (i + 1 < len(doc) and key(tok.text + " " + doc[i + 1].text) in TITLE_HEADS):
            start = i
        i -= 1
        steps += 1
    if start is None:
        return None, None
    span = doc[start : ent.start]
    words = list(span)
    # A trailing nationality adjective names the affiliation, not the role.
    while words and key(words[-1].text) in demonyms:
        affiliation = affiliation or demonyms[key(words[-1].text)]
        words = words[:-1]
    for t in words:
        if ent_ids.get(t.i):
            affiliation = ent_ids[t.i]
    if not words:
        return None, affiliation
    text = text[words[0].idx : words[-1].idx + len(words[-1].text)]
    if text[:1] in "وف" and key(text[1:].split(" ")[0]) in TITLE_HEADS:
        text = text[1:]
    return text, affiliation
