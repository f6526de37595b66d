"""The article view (`annotate -f html`): one page to read and share what the pipeline found.

For each article: its meta (date, outlet, link); the eight A4P areas in Arabic with English names,
one-line definitions, scores, the labels that passed and the borderline ones; the text with every
entity as a chip (canonical Arabic/English name and id on hover) and every evidence sentence
highlighted with its area and score; the actor table. With several articles an index comes first.

`ArticleView` renders one article at a time (`head`, `article(rec, text)`, `tail`), so a batch of
any length streams in bounded memory; the index is written at the end and shown first by CSS.
"""
from __future__ import annotations

from .htmlkit import PAGE_TAIL, area_chip, esc, page_head, safe_url
from .names import area, entity
from .pipeline.labels import A4P_LABELS

CSS = """
.batch { display: flex; flex-direction: column; }
.batch > header { order: -2; }
nav.index { order: -1; margin-bottom: 24px; }
article.doc { border-top: 3px solid var(--line); padding-top: 12px; margin-top: 28px; }
.meta { color: var(--muted); font-size: .9em; }
.cols { display: grid; grid-template-columns: minmax(0, 1.35fr) minmax(0, 1fr); gap: 24px; align-items: start; }
.cols > aside { overflow-x: auto; }
@media (max-width: 900px) { .cols { grid-template-columns: 1fr; } }
.areas .def { color: var(--muted); font-size: .8em; line-height: 1.45; margin: 2px 4px 0; }
.bar { display: inline-block; height: .6em; background: var(--c); border-radius: 2px; vertical-align: middle; }
.bar-wrap { display: block; width: 56px; background: var(--soft); border-radius: 2px; direction: ltr; }
.status-on { font-weight: 600; } .status-bl { color: #b00020; }
.areas td:nth-child(3) { white-space: nowrap; }
.text { white-space: pre-wrap; font-size: 1.08em; line-height: 2.1; background: #fff; border: 1px solid var(--line);
        border-radius: 6px; padding: 14px 18px; }
mark.ev { background: color-mix(in srgb, var(--c) 22%, white); border-bottom: 2px solid var(--c);
          padding: 1px 0; color: inherit; }
.ent { white-space: nowrap; border-radius: 4px; padding: 1px 3px; background: var(--c); }
.ent sub { font-size: .62em; font-family: monospace; direction: ltr; unicode-bidi: isolate; opacity: .7;
           margin-inline-start: 2px; }
.ent.unlinked { background: repeating-linear-gradient(135deg, var(--c), var(--c) 4px, #fff 4px, #fff 6px); }
.evtag { white-space: nowrap; font-size: .72em; border-radius: 3px; padding: 0 4px; margin-inline-start: 3px;
         background: var(--c); color: #000; vertical-align: super; line-height: 1; }
.legend .chip { font-size: .78em; }
"""


def _title(rec: dict) -> str:
    meta = rec.get("meta") or {}
    return str(meta.get("title") or rec.get("id") or "")


def _anchor(rec: dict, n: int) -> str:
    return f"a{n}"


class ArticleView:
    """Streamed HTML: `head`, then `article(rec, text)` per article, then `tail`."""

    def __init__(self, title: str = "arpk-nlp — المقالات المشروحة / annotated articles"):
        self.head = page_head(title, CSS) + '<main class="batch">\n' + _legend()
        self._index: list[str] = []

    def article(self, rec: dict, text: str) -> str:
        n = len(self._index) + 1
        anchor = _anchor(rec, n)
        a4p = rec.get("a4p") or {}
        meta = rec.get("meta") or {}
        labels = a4p.get("labels") or []
        borderline = a4p.get("borderline") or []
        chips = "".join(area_chip(a, (a4p.get("scores") or {}).get(a), borderline=a in borderline) for a in labels)
        self._index.append(
            f'<tr><td class="num">{n}</td><td><a href="#{anchor}">{esc(_title(rec))}</a>'
            f'<div class="muted ltr">{esc(rec.get("id"))}</div></td><td class="date">{esc(meta.get("date"))}</td>'
            f'<td>{esc(meta.get("outlet"))}</td>'
            f'<td>{chips or "—"}</td>'
            f'<td class="num">{len(rec.get("actors") or [])}</td></tr>')
        # two columns on a wide screen: the text on the reading side, what was found beside it
        return (f'<article class="doc" id="{anchor}">\n{_header(rec)}\n<div class="cols"><section>'
                f'<h3>النص <span class="en">text</span></h3>\n<div class="text" dir="rtl">{_text_html(rec, text)}</div>\n'
                f'</section><aside>{_areas_table(a4p)}\n{_actors_table(rec)}</aside></div>\n</article>\n')

    @property
    def tail(self) -> str:
        index = ""
        if len(self._index) > 1:
            index = ('<nav class="index"><h2>فهرس المقالات <span class="en">index of articles</span> '
                     f'<span class="muted">({len(self._index)})</span></h2>\n<table><thead><tr><th class="num">#</th>'
                     '<th>العنوان <span class="en">title</span></th><th>التاريخ <span class="en">date</span></th>'
                     '<th>المصدر <span class="en">outlet</span></th><th>المجالات <span class="en">A4P areas</span></th>'
                     '<th class="num">الفاعلون <span class="en">actors</span></th></tr></thead>\n<tbody>'
                     + "\n".join(self._index) + "</tbody></table></nav>\n")
        return index + "</main>\n" + PAGE_TAIL


def render_page(records: list[dict], texts: list[str]) -> str:
    """The whole article view for records already in memory."""
    view = ArticleView()
    return view.head + "".join(view.article(r, t) for r, t in zip(records, texts, strict=True)) + view.tail


def _legend() -> str:
    ents = "".join(f'<span class="chip" style="background:{n.color}">{esc(n.ar)} <span class="en">{esc(n.en)}</span></span>'
                   for n in map(entity, ("PERSON", "ORG", "GPE", "LOC", "MISSION", "EVENT")))
    return (f'<header><h1>المقالات المشروحة <span class="en">annotated articles</span></h1>'
            f'<p class="legend">{ents} · <span class="chip borderline">حدّي ≈ <span class="en">borderline</span></span>'
            ' · <span class="ent unlinked" style="--c:#ddd">غير مربوط</span> <span class="en">not in the registry</span>'
            '</p></header>\n')


def _header(rec: dict) -> str:
    meta = rec.get("meta") or {}
    url = safe_url(meta.get("url"))
    title = esc(_title(rec))
    link = f' · <a href="{esc(url)}" rel="noopener noreferrer" class="ltr">{esc(url)}</a>' if url else ""
    bits = [f'<code>{esc(rec.get("id"))}</code>']
    for key, label in (("date", "التاريخ"), ("outlet", "المصدر")):
        if meta.get(key):
            bits.append(f'{label}: <span class="{"ltr" if key == "date" else ""}">{esc(meta[key])}</span>')
    extra = [f'{esc(k)}: {esc(v)}' for k, v in meta.items() if k not in ("title", "url", "date", "outlet")]
    return f'<h2>{title}</h2>\n<div class="meta">{" · ".join(bits + extra)}{link}</div>'


def _areas_table(a4p: dict) -> str:
    scores = a4p.get("scores") or {}
    labels = set(a4p.get("labels") or [])
    borderline = set(a4p.get("borderline") or [])
    evidence = a4p.get("evidence") or {}
    rows = []
    for code in A4P_LABELS:
        n = area(code)
        s = scores.get(code)
        width = max(0.0, min(1.0, float(s))) * 100 if isinstance(s, (int, float)) else 0
        status = ('<span class="status-on">✓ نعم <span class="en">yes</span></span>' if code in labels
                  else '<span class="muted">— لا <span class="en">no</span></span>')
        if code in borderline:
            status += ' <span class="status-bl">≈ حدّي <span class="en">borderline</span></span>'
        n_ev = len(evidence.get(code) or [])
        rows.append(
            f'<tr><td>{area_chip(code, on=code in labels, borderline=code in borderline)}'
            f'<div class="def">{esc(n.def_ar)}</div><div class="def en"><b>{esc(n.en)}</b>: {esc(n.def_en)}</div></td>'
            f'<td class="num">{"" if s is None else f"{float(s):.2f}"} '
            f'<span class="bar-wrap"><span class="bar" style="--c:{n.color};width:{width:.0f}%"></span></span></td>'
            f'<td>{status}</td><td class="num">{n_ev or ""}</td></tr>')
    return ('<h3>مجالات العمل من أجل حفظ السلام <span class="en">A4P priority areas</span></h3>\n'
            '<table class="areas"><thead><tr><th>المجال <span class="en">area</span></th>'
            '<th class="num">الدرجة <span class="en">score</span></th><th>الحكم <span class="en">label</span></th>'
            '<th class="num">الشواهد <span class="en">evidence</span></th></tr></thead>\n<tbody>'
            + "\n".join(rows) + "</tbody></table>")


def _evidence_runs(rec: dict, length: int) -> list[tuple[int, int, list[tuple[str, float | None]]]]:
    """The text cut at evidence boundaries: (start, end, [(area, score), ...]) covering [0, length)."""
    spans = []
    for code, items in ((rec.get("a4p") or {}).get("evidence") or {}).items():
        for ev in items or []:
            s, e = max(0, int(ev["start"])), min(length, int(ev["end"]))
            if s < e:
                spans.append((s, e, code, ev.get("score")))
    cuts = sorted({0, length, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    runs = []
    for s, e in zip(cuts, cuts[1:], strict=False):
        on = [(code, sc) for (a, b, code, sc) in spans if a <= s and e <= b]
        order = {c: i for i, c in enumerate(A4P_LABELS)}
        runs.append((s, e, sorted(on, key=lambda x: order.get(x[0], 99))))
    return runs


def _entity_html(ent: dict, surface: str, names: dict) -> str:
    n = entity(ent.get("label", ""))
    actor = ent.get("actor")
    known = names.get(actor) or {}
    tip = [f"{n.ar} / {n.en}"]
    if actor:
        tip.append(f"{known.get('name_ar') or ''} / {known.get('name_en') or ''} [{actor}]")
    else:
        tip.append("غير مربوط بالسجل / not in the registry")
    if ent.get("role"):
        tip.append(f"الصفة / role: {ent['role']}")
    if ent.get("candidates"):
        tip.append("candidates: " + ", ".join(f"{c['id']} {float(c['score']):.2f}" for c in ent["candidates"]))
    cls = "ent" + ("" if actor else " unlinked")
    return (f'<span class="{cls}" style="--c:{n.color}" title="{esc(" — ".join(tip))}">{esc(surface)}'
            f'<sub>{esc(ent.get("label"))}</sub></span>')


def _text_html(rec: dict, text: str) -> str:
    """The text with evidence marks (outer) and entity chips (inner); an entity that crosses an
    evidence boundary is cut in two there, so the markup always nests."""
    names = {a["id"]: a for a in rec.get("actors") or []}
    ents = sorted((e for e in rec.get("entities") or [] if 0 <= e["start"] < e["end"] <= len(text)),
                  key=lambda e: (e["start"], e["end"]))
    out = []
    for s, e, areas in _evidence_runs(rec, len(text)):
        inner, pos = [], s
        for ent in ents:
            a, b = max(ent["start"], s), min(ent["end"], e)
            if a >= b or a < pos:
                continue
            inner.append(esc(text[pos:a]))
            inner.append(_entity_html(ent, text[a:b], names))
            pos = b
        inner.append(esc(text[pos:e]))
        body = "".join(inner)
        if areas:
            first = area(areas[0][0])
            tip = " · ".join(f"{area(c).ar} / {area(c).en}" + (f" {float(sc):.2f}" if sc is not None else "")
                             for c, sc in areas)
            # the tags go after the run that ends the sentence, not after every cut of it
            ends_here = any(int(ev["end"]) == e for c, _ in areas
                            for ev in ((rec.get("a4p") or {}).get("evidence") or {}).get(c, []))
            tags = "".join(f'<span class="evtag" style="--c:{area(c).color}">{esc(area(c).ar)}'
                           f'{"" if sc is None else f" {float(sc):.2f}"}</span>' for c, sc in areas) if ends_here else ""
            # a sentence's trailing line breaks stay outside the mark, so the tags end its last line
            kept = body.rstrip("\n")
            out.append(f'<mark class="ev" style="--c:{first.color}" title="{esc(tip)}">{kept}{tags}</mark>{body[len(kept):]}')
        else:
            out.append(body)
    return "".join(out)


def _actors_table(rec: dict) -> str:
    actors = rec.get("actors") or []
    if not actors:
        return '<p class="muted">لا فاعلين <span class="en">no actors</span></p>'
    roles: dict[str, list[str]] = {}
    for e in rec.get("entities") or []:
        if e.get("actor") and e.get("role") and e["role"] not in roles.setdefault(e["actor"], []):
            roles[e["actor"]].append(e["role"])
    rows = []
    for a in actors:
        n = entity(a.get("type", ""))
        linked = not str(a.get("id", "")).startswith("unlinked:")
        rows.append(f'<tr><td><span class="chip" style="background:{n.color}">{esc(n.ar)}</span></td>'
                    f'<td>{esc(a.get("name_ar"))}</td><td class="ltr">{esc(a.get("name_en") or "")}</td>'
                    f'<td><code>{esc(a.get("id")) if linked else "—"}</code></td>'
                    f'<td>{esc("، ".join(roles.get(a.get("id"), [])))}</td><td class="num">{esc(a.get("mentions"))}</td></tr>')
    return ('<h3>الفاعلون <span class="en">actors</span></h3>\n<table class="actors"><thead><tr>'
            '<th>النوع <span class="en">type</span></th>'
            '<th>الاسم <span class="en">Arabic name</span></th><th>English name</th><th>المعرّف <span class="en">id</span></th>'
            '<th>الصفة <span class="en">role</span></th><th class="num">الذكر <span class="en">mentions</span></th>'
            '</tr></thead>\n<tbody>'
            + "\n".join(rows) + "</tbody></table>")
