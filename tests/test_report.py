"""The analyst's HTML outputs: the report (`arpk-nlp report`) and the article view (`-f html`)."""
import html as htmlmod
import json
import re

import pytest
from typer.testing import CliRunner

from analyst_data import annotated
from arpk_nlp.article_view import render_page
from arpk_nlp.cli import app
from arpk_nlp.names import AREAS
from arpk_nlp.report import (
    Filters,
    ReportError,
    build_report,
    parse_area,
    parse_mission,
    render_report,
    select_records,
    summarize,
)
from arpk_nlp.tables import write_tables

runner = CliRunner()
EVIL = '<script>alert("x")</script>'


@pytest.fixture
def data(nlp):
    return annotated(nlp)  # a fresh copy per test (one model run, cached): tests may change it


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory, nlp):
    records, _ = annotated(nlp)
    p = tmp_path_factory.mktemp("report") / "ann.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def report(jsonl):
    """(html, errors, n): rendered once; matplotlib takes a few seconds per report on a busy machine."""
    return build_report([str(jsonl)])


def external_refs(page: str) -> list[str]:
    """Anything the browser would fetch: src=, <link href>, url(http...), @import."""
    return (re.findall(r'\ssrc="[^"]*"', page) + re.findall(r"<link\b[^>]*>", page)
            + re.findall(r"url\((?!#)[^)]*\)", page) + re.findall(r"@import", page))


def test_report_is_self_contained_bilingual_and_charted(report, data):
    records, _ = data
    page, errors, n = report
    assert errors == [] and n == len(records)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page and 'dir="rtl"' in page
    assert external_refs(page) == [] and "<script" not in page
    for name in AREAS.values():  # legend: Arabic and English names of every area
        assert htmlmod.escape(name.ar) in page and htmlmod.escape(name.en) in page
    assert "Noto Sans Arabic" in page
    # six charts (counts, share, per mission, heat map, per outlet, actor trends) + a sparkline per top actor
    assert page.count('<figure class="chart"><svg') == 6 and page.count("<svg") == 6 + 15
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # several SVGs in one page: no id clash
    for rec in records:  # every article is in the table, with its link
        assert f'href="{rec["meta"]["url"]}"' in page


def test_report_is_deterministic(jsonl, report):
    assert build_report([str(jsonl)])[0] == report[0]


def test_report_escapes_record_text(data):
    records, _ = data
    rec = records[0]
    rec["meta"].update(title=EVIL, outlet=EVIL, url="javascript:alert(1)")
    rec["actors"][0]["name_ar"] = EVIL
    page = render_report(records[:3])
    assert EVIL not in page and "javascript:" not in page
    assert htmlmod.escape(EVIL) in page


def test_report_filters(jsonl, data):
    import datetime as dt

    records, _ = data
    kept = select_records([str(jsonl)], Filters(areas=["PROTECTION"]))[1]
    assert [r["id"] for r in kept] == [r["id"] for r in records if "PROTECTION" in r["a4p"]["labels"]] != []
    mission = next(a["id"] for r in records for a in r["actors"] if a["id"].startswith("mission:"))
    kept = select_records([str(jsonl)], Filters(missions=[mission]))[1]
    assert [r["id"] for r in kept] == [r["id"] for r in records if any(a["id"] == mission for a in r["actors"])] != []
    middle = sorted(r["meta"]["date"] for r in records)[len(records) // 2]
    kept = select_records([str(jsonl)], Filters(since=dt.date.fromisoformat(middle), until=dt.date(2100, 1, 1)))[1]
    assert [r["id"] for r in kept] == [r["id"] for r in records if r["meta"]["date"] >= middle]
    page = render_report([], filters=Filters(since=dt.date(2100, 1, 1), areas=["WPS"]), loaded=len(records))
    assert "No article matches the filters" in page and "since 2100-01-01" in page and "(WPS)" in page


def test_filter_options_parse():
    assert parse_area("protection") == "PROTECTION" and parse_area("الحماية") == "PROTECTION"
    assert parse_area("Women, peace and security") == "WPS"
    assert parse_mission("UNMISS") == parse_mission("mission:unmiss") == "mission:unmiss"
    with pytest.raises(ReportError, match="not an A4P area"):
        parse_area("WEATHER")


def test_report_from_tables_matches_jsonl(tmp_path, jsonl, data):
    records, texts = data
    write_tables(records, tmp_path / "tables", "csv", texts)
    from_jsonl = select_records([str(jsonl)])[1]
    from_csv = select_records([str(tmp_path / "tables" / "articles.csv")])[1]
    assert select_records([str(tmp_path / "tables")])[1] == from_csv  # the folder works too
    a, b = summarize(from_jsonl), summarize(from_csv)
    assert (a.periods, a.by_period, a.by_mission, a.by_outlet, a.actors) == (b.periods, b.by_period, b.by_mission,
                                                                             b.by_outlet, b.actors)
    from arpk_nlp.report import _articles_table

    assert _articles_table(from_jsonl, 100) == _articles_table(from_csv, 100)


def test_report_cli(tmp_path, jsonl):
    out = tmp_path / "report.html"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "not annotated"}\nnot json\n', encoding="utf-8")
    res = runner.invoke(app, ["report", str(jsonl), str(bad), "-o", str(out), "--area", "PARTNERSHIPS", "--since", "2019-01-01"])
    assert res.exit_code == 1  # a bad input is reported, and the good one still makes its report
    assert "bad.jsonl:1: not an annotation record" in res.output and "bad.jsonl:2: not valid JSON" in res.output
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "(PARTNERSHIPS)" in page
    for args, msg in ((["--area", "X"], "not an A4P area"), (["--since", "May 1"], "expected a date"),
                      (["--period", "week"], "--period must be")):
        res = runner.invoke(app, ["report", str(jsonl), "-o", str(out), *args])
        assert res.exit_code == 1 and msg in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["report", str(bad)])
    assert res.exit_code == 1 and "no annotation records" in res.output


# ---- the article view ----------------------------------------------------------------------------

def visible_text(fragment: str) -> str:
    """The article text as a reader sees it: tags and our labels (entity <sub>, evidence tags) removed."""
    fragment = re.sub(r"<sub>.*?</sub>", "", fragment)
    fragment = re.sub(r'<span class="evtag"[^>]*>.*?</span>', "", fragment)
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_article_view_keeps_text_and_marks_everything(data):
    records, texts = data
    records[0]["a4p"]["borderline"] = ["PROTECTION"]
    page = render_page(records[:3], texts[:3])
    assert '<meta charset="utf-8">' in page and 'dir="rtl"' in page and external_refs(page) == []
    bodies = re.findall(r'<div class="text" dir="rtl">(.*?)</div>\n', page, flags=re.S)
    assert [visible_text(b) for b in bodies] == texts[:3]  # offsets right: nothing lost, nothing added
    rec = records[0]
    for ent in rec["entities"]:
        assert htmlmod.escape(ent["text"]) in page
    for code in rec["a4p"]["labels"]:  # evidence marked with area and score
        ev = rec["a4p"]["evidence"][code][0]
        assert f'{htmlmod.escape(AREAS[code].ar)} {ev["score"]:.2f}</span>' in page
    assert "borderline" in page and 'class="chip area off borderline"' in page
    linked = next(e for e in rec["entities"] if e["actor"])
    actor = next(a for a in rec["actors"] if a["id"] == linked["actor"])
    assert htmlmod.escape(f"[{linked['actor']}]") in page and htmlmod.escape(actor["name_en"]) in page  # on hover
    assert f"<code>{linked['actor']}</code>" in page  # and in the actor table below
    for name in AREAS.values():
        assert htmlmod.escape(name.def_ar) in page
    assert page.count('<tr><td class="num">') == 3  # the batch index
    assert re.search(r"\.chip \{[^}]*white-space: nowrap", page) and re.search(r"\.ent \{[^}]*white-space: nowrap", page)


def test_article_view_escapes():
    text = f"{EVIL} الأمم المتحدة"
    start = len(EVIL) + 1
    rec = {"id": EVIL, "meta": {"title": EVIL, "url": "javascript:alert(1)"},
           "a4p": {"labels": ["POLITICS"], "scores": {"POLITICS": 0.9}, "borderline": [],
                   "evidence": {"POLITICS": [{"start": 0, "end": len(text), "score": 0.8}]}},
           "entities": [{"start": start, "end": len(text), "label": "ORG", "text": "الأمم المتحدة", "actor": "org:un"}],
           "actors": [{"id": "org:un", "type": "ORG", "name_ar": EVIL, "name_en": EVIL, "mentions": 1}]}
    page = render_page([rec], [text])
    assert EVIL not in page and "javascript:" not in page
    assert visible_text(re.search(r'<div class="text" dir="rtl">(.*?)</div>\n', page, re.S).group(1)) == text
    assert '<nav class="index">' not in page  # one article: no index


def test_period_choice_and_long_axes():
    import datetime as dt

    from arpk_nlp.charts import _ticks
    from arpk_nlp.report import choose_period, period_range

    d = dt.date
    assert choose_period([d(2023, 1, 5), d(2026, 12, 1)]) == "month"  # 48 months
    assert choose_period([d(2015, 1, 5), d(2026, 12, 1)]) == "quarter"
    assert choose_period([d(2005, 1, 5), d(2026, 12, 1)]) == "year"
    assert period_range([d(2023, 11, 5), d(2024, 2, 1)], "month") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert period_range([d(2023, 11, 5), d(2024, 2, 1)], "quarter") == ["2023-Q4", "2024-Q1"]
    pos, labels = _ticks([f"m{i}" for i in range(249)])
    assert len(pos) <= 37 and pos[0] == 0 and pos[-1] == 248 and pos[-1] - pos[-2] >= 4
    assert _ticks(["a", "b"]) == ([0, 1], ["a", "b"])
