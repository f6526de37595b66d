"""The report and the article view in a real browser (headless Chromium): no console error, the
charts are there, and a screenshot is taken. Skipped, with the reason, when no Chromium is found
(Debian: `apt-get install -y chromium fonts-noto-core`).

ARPK_SCREENSHOTS=DIR keeps the screenshots there (docs/img holds the ones in docs/report.md).
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analyst_data import annotated
from arpk_nlp.article_view import render_page
from arpk_nlp.report import render_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM = os.environ.get("ARPK_CHROMIUM") or next((b for b in map(shutil.which, BROWSERS) if b), None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install -y chromium, or set ARPK_CHROMIUM)"),
]

FLAGS = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
         "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0"]


def chromium(page: Path, *args: str, size=(1200, 1600)) -> tuple[str, str]:
    """RETURNS (stdout, the console messages Chromium logged for the page)."""
    res = subprocess.run([CHROMIUM, *FLAGS, f"--window-size={size[0]},{size[1]}", *args, page.as_uri()],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "LANG": "C.UTF-8"})
    console = [line for line in res.stderr.splitlines() if "CONSOLE" in line]
    return res.stdout, "\n".join(console)


def screenshot(page: Path, png: Path, size) -> None:
    chromium(page, f"--screenshot={png}", size=size)
    assert png.exists() and png.stat().st_size > 10_000, f"no screenshot of {page}"
    from PIL import Image

    with Image.open(png) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50, "the screenshot is (almost) blank"
        keep = os.environ.get("ARPK_SCREENSHOTS")
        if keep:  # small PNGs for the docs: 256 colours are plenty for charts and text
            im.convert("RGB").quantize(colors=256).save(Path(keep) / png.name, optimize=True)


def check(page: Path, min_svgs: int) -> str:
    dom, console = chromium(page, "--dump-dom")
    assert console == "", f"console messages:\n{console}"
    assert dom.count("<svg") >= min_svgs, f"{dom.count('<svg')} SVG elements rendered, expected {min_svgs}"
    return dom


def test_console_errors_are_caught(tmp_path):
    """The check itself: a page that logs an error must fail it."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><meta charset="utf-8"><script>console.error("boom"); undefined_fn();</script>')
    _, console = chromium(page, "--dump-dom")
    assert "boom" in console and "undefined_fn" in console


def test_report_in_chromium(tmp_path, nlp):
    records, _ = annotated(nlp)
    page = tmp_path / "report.html"
    page.write_text(render_report(records), encoding="utf-8")
    dom = check(page, min_svgs=6)
    assert len(re.findall(r'<figure class="chart"><svg', dom)) == 6  # every chart survived parsing
    assert "الحماية" in dom and "Protection" in dom
    screenshot(page, tmp_path / "report.png", size=(1200, 1500))


def test_article_view_in_chromium(tmp_path, nlp):
    records, texts = annotated(nlp)
    page = tmp_path / "article.html"
    page.write_text(render_page(records[:3], texts[:3]), encoding="utf-8")
    dom = check(page, min_svgs=0)
    assert dom.count('class="ent') >= sum(len(r["entities"]) for r in records[:3])
    screenshot(page, tmp_path / "article.png", size=(1200, 1500))
