"""What the two HTML outputs (the report and the article view) share: the page frame, the Arabic
font stack, escaping, safe links and the area chip. Every piece of record text goes through
`esc`; links are kept only for http(s) URLs, so a record cannot inject markup or script.
"""
from __future__ import annotations

import html
from urllib.parse import urlsplit

from .names import area

# System fonts only (the page must work offline): Noto and DejaVu on Linux, Segoe UI / Tahoma on
# Windows, Geeza Pro on macOS all carry Arabic glyphs.
FONT_STACK = ('"Noto Sans Arabic", "Noto Naskh Arabic", "Segoe UI", Tahoma, "Geeza Pro", "Arabic Typesetting", '
              '"DejaVu Sans", Arial, sans-serif')

BASE_CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #ffffff; --soft: #f4f6f9; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font-family: FONTS; color: var(--ink); background: var(--bg); line-height: 1.6; font-size: 16px; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 64px; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
.en { color: var(--muted); font-size: .85em; direction: ltr; unicode-bidi: isolate; }
.muted { color: var(--muted); } .ltr { direction: ltr; unicode-bidi: isolate; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: start; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: end; font-variant-numeric: tabular-nums; direction: ltr; }
.chip { display: inline-block; white-space: nowrap; border-radius: 999px; padding: 0 .6em; margin: 1px 2px;
        font-size: .85em; line-height: 1.7; border: 1px solid rgba(0,0,0,.12); background: var(--soft); }
.chip.area { background: color-mix(in srgb, var(--c) 28%, white); border-color: var(--c); }
.chip.area.off { background: #fff; border-style: dashed; color: var(--muted); }
.chip .sc { direction: ltr; unicode-bidi: isolate; font-variant-numeric: tabular-nums; opacity: .8; }
.chip.borderline { outline: 2px dotted #b00020; outline-offset: 1px; }
td.date { white-space: nowrap; direction: ltr; }
code { direction: ltr; unicode-bidi: isolate; font-size: .88em; white-space: nowrap; }
.swatch { display: inline-block; width: .9em; height: .9em; border-radius: 2px; background: var(--c);
          vertical-align: -0.1em; margin-inline-end: .35em; border: 1px solid rgba(0,0,0,.2); }
""".replace("FONTS", FONT_STACK)


def esc(value) -> str:
    """Text for HTML content or a quoted attribute ('' for None)."""
    return "" if value is None else html.escape(str(value), quote=True)


def safe_url(url) -> str | None:
    """The URL if it is an absolute http(s) link, else None (no javascript:, data: or relative links)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def page_head(title: str, css: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n<body>\n")


PAGE_TAIL = "</body>\n</html>\n"


def area_chip(code: str, score: float | None = None, *, on: bool = True, borderline: bool = False, english: bool = False) -> str:
    """An area as a chip: Arabic name (English on hover, or shown), score, borderline mark."""
    n = area(code)
    cls = "chip area" + ("" if on else " off") + (" borderline" if borderline else "")
    tip = f"{n.en} ({n.code})" + (f" — {n.def_en}" if n.def_en else "") + (" — borderline / حدّي" if borderline else "")
    sc = f' <span class="sc">{score:.2f}</span>' if isinstance(score, (int, float)) else ""
    en = f' <span class="en">{esc(n.en)}</span>' if english else ""
    mark = ' <span aria-label="borderline">≈</span>' if borderline else ""
    return f'<span class="{cls}" style="--c:{n.color}" title="{esc(tip)}">{esc(n.ar)}{en}{sc}{mark}</span>'
