"""`arpk-nlp report`: annotation records → one self-contained HTML report for analysts.

Input: annotation JSONL/JSON (OUTPUT.md) or the tables of `annotate -f csv|parquet`. Output: one
HTML file with no external resource (charts are inline SVG, no script): A4P areas per period
(counts and share), per mission and per outlet, areas × missions heat map, top actors with their
trend, and the table of articles with areas, evidence and links. Filters (dates, missions, areas)
are applied before anything is counted, and listed at the top of the report.

A record's date is `meta.date` (ISO 8601, its first 10 characters); its missions are its linked
MISSION actors; its outlet is `meta.outlet`. Records without them are counted where they can be
and listed as "undated" / "no outlet".
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .htmlkit import FONT_STACK, PAGE_TAIL, area_chip, esc, page_head, safe_url
from .names import AREAS, area, entity
from .pipeline.labels import A4P_LABELS

PERIODS = ("auto", "month", "quarter", "year")
UNDATED, NO_OUTLET = "undated", "—"


class ReportError(Exception):
    """A user-facing problem with the report's inputs or options: one line."""


# ---- reading -----------------------------------------------------------------------------------

def load_records(paths: list[str]) -> tuple[list[dict], list[str]]:
    """Records from annotation JSONL/JSON files, table folders or articles.csv/.parquet files,
    folders of JSONL. RETURNS (records, one-line errors); a bad line does not stop the rest."""
    from .tables import TableError, read_tables

    records, errors = [], []
    for p in paths:
        path = Path(p)
        try:
            if path.is_dir():
                if any((path / f"articles.{x}").exists() for x in ("csv", "parquet")):
                    records += read_tables(path)
                    continue
                files = sorted(f for f in path.iterdir() if f.suffix in (".jsonl", ".json") and f.is_file())
                if not files:
                    errors.append(f"{p}: folder has no .jsonl/.json annotations and no articles.csv")
                for f in files:
                    _read_json_file(f, records, errors)
            elif path.name in ("articles.csv", "articles.parquet"):
                records += read_tables(path.parent)
            elif not path.exists():
                errors.append(f"{p}: no such file")
            elif path.suffix in (".csv", ".parquet"):
                errors.append(f"{p}: give the articles table (articles.csv) or its folder")
            else:
                _read_json_file(path, records, errors)
        except TableError as err:
            errors.append(str(err))
    return records, errors


def _read_json_file(path: Path, records: list, errors: list) -> None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        errors.append(f"{path}: not UTF-8")
        return
    except OSError as err:
        errors.append(f"{path}: cannot read ({err.strerror})")
        return
    if path.suffix == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as err:
            errors.append(f"{path}: not valid JSON ({err.msg})")
            return
        items = [(f"{path}", o) for o in (obj if isinstance(obj, list) else [obj])]
    else:
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append((f"{path}:{n}", json.loads(line)))
                except json.JSONDecodeError as err:
                    errors.append(f"{path}:{n}: not valid JSON ({err.msg})")
    for where, obj in items:
        if isinstance(obj, dict) and "id" in obj and isinstance(obj.get("a4p"), dict):
            records.append(obj)
        else:
            errors.append(f"{where}: not an annotation record (expected the output of `arpk-nlp annotate -f jsonl`)")


# ---- record accessors --------------------------------------------------------------------------

def record_date(rec: dict) -> dt.date | None:
    value = (rec.get("meta") or {}).get("date")
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def record_missions(rec: dict) -> list[str]:
    return sorted({a["id"] for a in rec.get("actors") or [] if str(a.get("id", "")).startswith("mission:")})


def record_outlet(rec: dict) -> str:
    value = (rec.get("meta") or {}).get("outlet")
    return str(value).strip() if value not in (None, "") else NO_OUTLET


def record_labels(rec: dict) -> list[str]:
    return [a for a in (rec.get("a4p") or {}).get("labels") or []]


# ---- filters -----------------------------------------------------------------------------------

@dataclass
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    missions: list[str] = field(default_factory=list)  # canonical ids
    areas: list[str] = field(default_factory=list)  # codes

    def describe(self) -> list[str]:
        out = []
        if self.since:
            out.append(f"من / since {self.since.isoformat()}")
        if self.until:
            out.append(f"حتى / until {self.until.isoformat()}")
        if self.missions:
            out.append("البعثات / missions: " + ", ".join(self.missions))
        if self.areas:
            out.append("المجالات / areas: " + ", ".join(f"{area(a).ar} ({a})" for a in self.areas))
        return out

    def keep(self, rec: dict) -> bool:
        if self.since or self.until:
            d = record_date(rec)
            if d is None or (self.since and d < self.since) or (self.until and d > self.until):
                return False
        if self.missions and not set(self.missions) & set(record_missions(rec)):
            return False
        if self.areas and not set(self.areas) & set(record_labels(rec)):
            return False
        return True


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ReportError(f"{option} {value!r}: expected a date like 2023-01-31") from None


def parse_area(value: str) -> str:
    """An area by code (any case) or by its Arabic or English name."""
    v = value.strip()
    for code, n in AREAS.items():
        if v.upper() == code or v == n.ar or v.lower() == n.en.lower():
            return code
    raise ReportError(f"--area {value!r}: not an A4P area (one of {', '.join(AREAS)})")


def parse_mission(value: str) -> str:
    """A mission as `mission:unmiss` or just its acronym `UNMISS`."""
    v = value.strip().lower()
    return v if v.startswith("mission:") else f"mission:{v}"


# ---- aggregation -------------------------------------------------------------------------------

def period_of(d: dt.date, period: str) -> str:
    if period == "year":
        return f"{d.year}"
    if period == "quarter":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    return f"{d.year}-{d.month:02d}"


def choose_period(dates: list[dt.date]) -> str:
    """Months when the span fits a readable axis (up to 4 years), else quarters, else years."""
    if not dates:
        return "month"
    months = (max(dates).year - min(dates).year) * 12 + max(dates).month - min(dates).month + 1
    return "month" if months <= 48 else "quarter" if months <= 48 * 3 else "year"


def period_range(dates: list[dt.date], period: str) -> list[str]:
    """Every period from the first date to the last, empty ones included (gaps are information)."""
    if not dates:
        return []
    lo, hi = min(dates), max(dates)
    out, y, m = [], lo.year, lo.month
    while (y, m) <= (hi.year, hi.month):
        key = period_of(dt.date(y, m, 1), period)
        if not out or out[-1] != key:
            out.append(key)
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out


@dataclass
class Summary:
    """Everything the report shows, computed once from the filtered records."""
    records: list[dict]
    period: str
    periods: list[str]
    by_period: dict[str, Counter]  # period → area → articles
    articles_per_period: Counter
    missions: list[str]  # top missions, most articles first
    mission_names: dict[str, tuple[str, str]]
    by_mission: dict[str, Counter]
    articles_per_mission: Counter
    outlets: list[str]
    by_outlet: dict[str, Counter]
    articles_per_outlet: Counter
    actors: list[dict]  # top actors: id, name_ar, name_en, type, articles, mentions, trend
    undated: int


def summarize(records: list[dict], period: str = "auto", top: int = 15) -> Summary:
    dates = [d for d in map(record_date, records) if d]
    if period == "auto":
        period = choose_period(dates)
    by_period: dict[str, Counter] = defaultdict(Counter)
    per_period: Counter = Counter()
    by_mission: dict[str, Counter] = defaultdict(Counter)
    per_mission: Counter = Counter()
    by_outlet: dict[str, Counter] = defaultdict(Counter)
    per_outlet: Counter = Counter()
    names: dict[str, tuple[str, str]] = {}
    actor_articles: Counter = Counter()
    actor_mentions: Counter = Counter()
    actor_info: dict[str, dict] = {}
    actor_trend: dict[str, Counter] = defaultdict(Counter)
    for rec in records:
        labels = record_labels(rec)
        d = record_date(rec)
        key = period_of(d, period) if d else None
        if key:
            per_period[key] += 1
            by_period[key].update(labels)
        for m in record_missions(rec):
            per_mission[m] += 1
            by_mission[m].update(labels)
        outlet = record_outlet(rec)
        per_outlet[outlet] += 1
        by_outlet[outlet].update(labels)
        for a in rec.get("actors") or []:
            aid = a.get("id")
            if not aid or str(aid).startswith("unlinked:"):
                continue  # the trend of an unlinked surface is not an actor's trend
            actor_articles[aid] += 1
            actor_mentions[aid] += int(a.get("mentions") or 0)
            actor_info.setdefault(aid, a)
            if aid.startswith("mission:"):
                names.setdefault(aid, (a.get("name_ar") or aid, a.get("name_en") or ""))
            if key:
                actor_trend[aid][key] += 1
    periods = period_range(dates, period)
    order = lambda c: sorted(c, key=lambda k: (-c[k], k))  # noqa: E731 -- most first, ties by name
    top_actors = []
    for aid in order(actor_articles)[:top]:
        info = actor_info[aid]
        top_actors.append({"id": aid, "name_ar": info.get("name_ar"), "name_en": info.get("name_en"),
                           "type": info.get("type"), "articles": actor_articles[aid], "mentions": actor_mentions[aid],
                           "trend": [actor_trend[aid][p] for p in periods]})
    return Summary(records, period, periods, by_period, per_period, order(per_mission)[:top], names, by_mission,
                   per_mission, order(per_outlet)[:top], by_outlet, per_outlet, top_actors, len(records) - len(dates))


# ---- HTML --------------------------------------------------------------------------------------

CSS = """
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 10px; margin-bottom: 8px; }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.kpi { background: var(--soft); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.kpi b { display: block; font-size: 1.5em; direction: ltr; unicode-bidi: isolate; text-align: start; }
.filters { color: var(--muted); font-size: .9em; }
figure.chart { margin: 8px 0 4px; }
figure.chart svg { width: 100%; height: auto; direction: ltr; }
figure.chart svg text { font-family: FONTS !important; }
figcaption { color: var(--muted); font-size: .88em; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: .88em; margin: 6px 0 2px; }
.legend .item { white-space: nowrap; }
.spark svg { width: 120px; height: 26px; direction: ltr; }
details summary { cursor: pointer; color: var(--accent); }
.evi { font-size: .9em; border-inline-start: 3px solid var(--c); padding-inline-start: 8px; margin: 4px 0; }
.evi .sc { direction: ltr; unicode-bidi: isolate; color: var(--muted); }
.note { background: #fff8e1; border: 1px solid #f0d58a; border-radius: 6px; padding: 8px 12px; }
"""


def _area_name_label(code: str) -> str:
    n = area(code)
    return f"{n.ar} · {n.en}"


def legend_html() -> str:
    items = "".join(f'<span class="item" title="{esc(n.def_en)}"><span class="swatch" style="--c:{n.color}"></span>'
                    f'{esc(n.ar)} <span class="en">{esc(n.en)}</span></span>' for n in AREAS.values())
    return f'<div class="legend" aria-label="legend / مفتاح الألوان">{items}</div>'


def _mission_label(s: Summary, mid: str) -> str:
    ar, en = s.mission_names.get(mid, (mid, ""))
    acronym = mid.split(":", 1)[1].upper()
    if len(ar) > 40:  # official names run long; the acronym says which one it is
        ar = ar[:38].rstrip() + "…"
    return f"{acronym} · {ar}" if ar and ar != mid else acronym


def _figure(svg: str, caption: str, legend: bool = True) -> str:
    return f'<figure class="chart">{svg}<figcaption>{caption}</figcaption>{legend_html() if legend else ""}</figure>'


def render_report(records: list[dict], *, filters: Filters | None = None, inputs: list[str] = (), loaded: int | None = None,
                  period: str = "auto", top: int = 15, max_articles: int = 1000,
                  title: str = "تقرير التغطية الإعلامية لحفظ السلام — Peacekeeping coverage report") -> str:
    """The report as one HTML string. records: already filtered; loaded: how many before filtering."""
    from . import charts

    filters = filters or Filters()
    s = summarize(records, period, top)
    colors = {a: area(a).color for a in A4P_LABELS}
    parts = [page_head(title, CSS.replace("FONTS", FONT_STACK)), "<main>\n"]
    parts.append(_header(s, filters, inputs, loaded, title))
    if not records:
        parts.append('<p class="note">لا مقالات تطابق المرشحات. <span class="en">No article matches the filters.</span></p>')
        parts += ["</main>\n", PAGE_TAIL]
        return "".join(parts)

    # 1. areas over time
    per = {"month": ("شهر", "month"), "quarter": ("ربع سنة", "quarter"), "year": ("سنة", "year")}[s.period]
    parts.append(f'<h2>المجالات حسب ال{per[0]} <span class="en">A4P areas per {per[1]}</span></h2>')
    if s.periods:
        counts = {a: [s.by_period[p][a] for p in s.periods] for a in A4P_LABELS}
        fig = charts.stacked_bars(s.periods, counts, colors, ylabel="مقالات · articles")
        parts.append(_figure(charts.to_svg(fig, "c1", f"A4P areas per {per[1]}: number of articles"),
                             f"عدد المقالات التي تتناول كل مجال (قد يتناول المقال أكثر من مجال). "
                             f"<span class='en'>Articles per area and {per[1]}; an article can have several areas.</span>"))
        share = [[s.by_period[p][a] / s.articles_per_period[p] if s.articles_per_period[p] else None for p in s.periods]
                 for a in A4P_LABELS]
        cnt = [[s.by_period[p][a] for p in s.periods] for a in A4P_LABELS]
        fig = charts.heatmap([_area_name_label(a) for a in A4P_LABELS], s.periods, share, cnt,
                             colorbar_label=f"حصة · share of the {per[1]}'s articles", rotate=90 if len(s.periods) > 12 else 0)
        parts.append(_figure(charts.to_svg(fig, "c2", f"A4P areas per {per[1]}: share of articles"),
                             f"اللون: حصة مقالات ال{per[0]} التي تتناول المجال؛ الرقم: عدد المقالات؛ الخانة الفارغة: لا مقالات. "
                             f"<span class='en'>Colour: share of the {per[1]}'s articles with the area; number: articles; "
                             f"blank: no article that {per[1]}.</span>", legend=False))
    else:
        parts.append('<p class="note">لا تواريخ في المدخلات (meta.date). <span class="en">No dated article: '
                     'give a <code>date</code> field in the JSONL input.</span></p>')
    if s.undated:
        parts.append(f'<p class="muted">{s.undated} مقالات بلا تاريخ لا تظهر في هذين الرسمين. '
                     f'<span class="en">{s.undated} undated article(s) are not in these two charts.</span></p>')

    # 2. per mission, per outlet, heat map
    parts.append('<h2>المجالات حسب البعثة <span class="en">A4P areas per mission</span></h2>')
    if s.missions:
        labels = [_mission_label(s, m) for m in s.missions]
        series = {a: [s.by_mission[m][a] for m in s.missions] for a in A4P_LABELS}
        fig = charts.stacked_bars(labels, series, colors, horizontal=True, ylabel="مقالات · articles",
                                  size=(9.5, 0.32 * len(labels) + 1.1))
        parts.append(_figure(charts.to_svg(fig, "c3", "A4P areas per mission"),
                             "البعثات الأكثر ذكرًا؛ يُحسب المقال لكل بعثة يذكرها. <span class='en'>Most-mentioned missions; "
                             "an article counts for every mission it names.</span>"))
        share = [[s.by_mission[m][a] / s.articles_per_mission[m] for m in s.missions] for a in A4P_LABELS]
        cnt = [[s.by_mission[m][a] for m in s.missions] for a in A4P_LABELS]
        acronyms = [m.split(":", 1)[1].upper() for m in s.missions]
        fig = charts.heatmap([_area_name_label(a) for a in A4P_LABELS], acronyms, share, cnt,
                             colorbar_label="حصة · share of the mission's articles", rotate=45 if len(acronyms) > 10 else 0)
        parts.append('<h2>المجالات × البعثات <span class="en">areas × missions</span></h2>')
        parts.append(_figure(charts.to_svg(fig, "c4", "Heat map of A4P areas by mission"),
                             "اللون: حصة مقالات البعثة التي تتناول المجال؛ الرقم: عدد المقالات. <span class='en'>Colour: share "
                             "of the mission's articles with the area; number: articles.</span>", legend=False))
    else:
        parts.append('<p class="note">لا بعثات مربوطة في هذه المقالات. '
                     '<span class="en">No linked mission in these articles.</span></p>')

    parts.append('<h2>المجالات حسب المصدر <span class="en">A4P areas per outlet</span></h2>')
    labels = [o if o != NO_OUTLET else "— بلا مصدر / no outlet" for o in s.outlets]
    series = {a: [s.by_outlet[o][a] for o in s.outlets] for a in A4P_LABELS}
    fig = charts.stacked_bars(labels, series, colors, horizontal=True, ylabel="مقالات · articles",
                              size=(9.5, 0.32 * len(labels) + 1.1))
    parts.append(_figure(charts.to_svg(fig, "c5", "A4P areas per outlet"),
                         "المصدر من حقل <code>outlet</code> في المدخلات. <span class='en'>Outlet: the input's "
                         "<code>outlet</code> field.</span>"))

    # 3. actors
    parts.append(_actors_section(s, charts))
    # 4. articles
    parts.append(_articles_table(records, max_articles))
    parts += ["</main>\n", PAGE_TAIL]
    return "".join(parts)


def _header(s: Summary, filters: Filters, inputs, loaded, title: str) -> str:
    dates = [d for d in map(record_date, s.records) if d]
    span = f"{min(dates).isoformat()} → {max(dates).isoformat()}" if dates else "—"
    kpis = [("المقالات", "articles", len(s.records)), ("الفترة", "dates", span),
            ("البعثات", "missions", len(s.articles_per_mission)), ("المصادر", "outlets", len(s.articles_per_outlet))]
    k = "".join(f'<div class="kpi">{esc(ar)} <span class="en">{esc(en)}</span><b>{esc(v)}</b></div>' for ar, en, v in kpis)
    applied = filters.describe()
    filt = (" · ".join(esc(x) for x in applied) + (f" ({len(s.records)} / {loaded})" if loaded is not None else "")
            if applied else "بلا مرشحات / no filters")
    src = ", ".join(esc(Path(p).name) for p in inputs) if inputs else ""
    return (f'<header class="top"><h1>{esc(title)}</h1><div class="kpis">{k}</div>'
            f'<div class="filters">المرشحات <span class="en">filters</span>: {filt}'
            f'{" · المدخلات / inputs: " + src if src else ""}</div></header>\n'
            '<h2>مفتاح المجالات <span class="en">legend: A4P areas</span></h2>\n<table><tbody>'
            + "".join(f'<tr><td><span class="swatch" style="--c:{n.color}"></span>{esc(n.ar)}</td><td class="en">{esc(n.en)}</td>'
                      f'<td class="muted">{esc(n.def_ar)}</td></tr>' for n in AREAS.values())
            + "</tbody></table>\n")


def _actors_section(s: Summary, charts) -> str:
    out = ['<h2>أبرز الفاعلين <span class="en">top actors</span></h2>']
    if not s.actors:
        return out[0] + '<p class="note">لا فاعلين مربوطين. <span class="en">No linked actor.</span></p>'
    palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    if s.periods:
        top6 = s.actors[:6]
        series = {a["id"]: a["trend"] for a in top6}
        cols = {a["id"]: palette[i] for i, a in enumerate(top6)}
        names = {a["id"]: f"{a['name_ar']} · {a['name_en'] or a['id']}" for a in top6}
        fig = charts.lines(s.periods, series, cols, ylabel="مقالات · articles", labels=names)
        out.append(_figure(charts.to_svg(fig, "c6", "Top actors: articles per period"),
                           "عدد المقالات التي تذكر كل فاعل. "
                           "<span class='en'>Articles naming each of the six most-named actors.</span>",
                           legend=False))
    rows = []
    for i, a in enumerate(s.actors, 1):
        spark = charts.sparkline(a["trend"]) if s.periods else ""
        n = entity(a.get("type") or "")
        rows.append(f'<tr><td class="num">{i}</td><td>{esc(a["name_ar"])}</td><td class="ltr">{esc(a["name_en"] or "")}</td>'
                    f'<td><span class="chip" style="background:{n.color}">{esc(n.ar)}</span> '
                    f'<span class="en">{esc(n.en)}</span></td>'
                    f'<td><code>{esc(a["id"])}</code></td><td class="num">{a["articles"]}</td>'
                    f'<td class="num">{a["mentions"]}</td>'
                    f'<td class="spark">{spark}</td></tr>')
    out.append('<table><thead><tr><th class="num">#</th><th>الاسم <span class="en">Arabic name</span></th><th>English name</th>'
               '<th>النوع <span class="en">type</span></th><th>المعرّف <span class="en">id</span></th>'
               '<th class="num">مقالات <span class="en">articles</span></th>'
               '<th class="num">ذكر <span class="en">mentions</span></th>'
               f'<th>الاتجاه <span class="en">trend per {esc(s.period)}</span></th></tr></thead><tbody>'
               + "\n".join(rows) + "</tbody></table>")
    return "\n".join(out)


def _articles_table(records: list[dict], max_articles: int) -> str:
    ordered = sorted(records, key=lambda r: (record_date(r) or dt.date.min, str(r.get("id"))), reverse=True)
    shown = ordered[:max_articles]
    rows = []
    for rec in shown:
        meta = rec.get("meta") or {}
        a4p = rec.get("a4p") or {}
        scores = a4p.get("scores") or {}
        borderline = set(a4p.get("borderline") or [])
        title = esc(meta.get("title") or rec.get("id"))
        url = safe_url(meta.get("url"))
        link = f'<a href="{esc(url)}" rel="noopener noreferrer">{title}</a>' if url else title
        chips = "".join(area_chip(a, scores.get(a), borderline=a in borderline) for a in record_labels(rec)) or "—"
        near = [a for a in A4P_LABELS if a in borderline and a not in record_labels(rec)]
        if near:
            chips += "".join(area_chip(a, scores.get(a), on=False, borderline=True) for a in near)
        missions = ", ".join(m.split(":", 1)[1].upper() for m in record_missions(rec))
        ev = []
        for a in record_labels(rec):
            for item in ((a4p.get("evidence") or {}).get(a) or [])[:2]:
                text = item.get("text")
                body = esc(" ".join(text.split())) if text else f'<span class="muted">[{item["start"]}–{item["end"]}]</span>'
                sc = item.get("score")
                ev.append(f'<div class="evi" style="--c:{area(a).color}"><b>{esc(area(a).ar)}</b> '
                          f'<span class="sc">{"" if sc is None else f"{float(sc):.2f}"}</span> {body}</div>')
        evidence = (f'<details><summary>{len(ev)} شواهد <span class="en">evidence</span></summary>{"".join(ev)}</details>'
                    if ev else "")
        rows.append(f'<tr><td class="date">{esc(meta.get("date") or "")}</td>'
                    f'<td>{link}<div class="muted ltr">{esc(rec.get("id"))}'
                    f'</div></td><td>{esc(meta.get("outlet") or "")}</td><td>{chips}</td><td class="ltr">{esc(missions)}</td>'
                    f'<td>{evidence}</td></tr>')
    more = (f'<p class="muted">{len(ordered) - len(shown)} مقالات أخرى غير معروضة (--max-articles). '
            f'<span class="en">{len(ordered) - len(shown)} more not shown.</span></p>' if len(ordered) > len(shown) else "")
    return ('<h2>المقالات <span class="en">articles</span></h2>\n<table class="articles"><thead><tr>'
            '<th>التاريخ <span class="en">date</span></th><th>العنوان <span class="en">title</span></th>'
            '<th>المصدر <span class="en">outlet</span></th><th>المجالات <span class="en">areas</span></th>'
            '<th>البعثات <span class="en">missions</span></th><th>الشواهد <span class="en">evidence</span></th>'
            '</tr></thead><tbody>'
            + "\n".join(rows) + f"</tbody></table>\n{more}")


def select_records(paths: list[str], filters: Filters | None = None) -> tuple[list[dict], list[dict], list[str]]:
    """RETURNS (all records read, those the filters keep, one-line input errors)."""
    records, errors = load_records(paths)
    if not records:
        raise ReportError("no annotation records in the inputs" + (f" ({errors[0]})" if errors else ""))
    filters = filters or Filters()
    return records, [r for r in records if filters.keep(r)], errors


def build_report(paths: list[str], *, filters: Filters | None = None, period: str = "auto", top: int = 15,
                 max_articles: int = 1000) -> tuple[str, list[str], int]:
    """Read, filter, render. RETURNS (html, input errors, number of articles in the report)."""
    records, kept, errors = select_records(paths, filters)
    html = render_report(kept, filters=filters, inputs=paths, loaded=len(records), period=period, top=top,
                         max_articles=max_articles)
    return html, errors, len(kept)
