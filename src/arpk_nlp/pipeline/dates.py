"""Dates for date-aware linking: the article's date and the registry's start/end intervals.

Dates are compared as inclusive intervals of ISO strings: a registry `start` of `2010` means from
2010-01-01, an `end` of `2010` until 2010-12-31; an article dated by a year only (inferred from
the text) is the interval of that year. A mission "fits" a date when the intervals overlap.
"""
from __future__ import annotations

import re
from collections import Counter

_YEAR = re.compile(r"(?<![0-9٠-٩])((?:19|20)[0-9]{2}|(?:١٩|٢٠)[٠-٩]{2})(?![0-9٠-٩])")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def is_iso(value: str) -> bool:
    return bool(_ISO.match(value or ""))


def interval(start: str | None, end: str | None) -> tuple[str, str]:
    """(from, to) as comparable `YYYY-MM-DD` strings; open ends become far bounds."""
    lo = _pad(start, "01", "01") if start else "0000-01-01"
    hi = _pad(end, "12", "31") if end else "9999-12-31"
    return lo, hi


def _pad(value: str, month: str, day: str) -> str:
    parts = str(value).split("-")
    if len(parts) == 1:
        return f"{parts[0]}-{month}-{day}"
    if len(parts) == 2:
        return f"{parts[0]}-{parts[1]}-{day}"
    return str(value)


def overlaps(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def infer_year(text: str, upto: int = 2100) -> str | None:
    """The article's year as the text suggests it: the latest year it mentions (news reports the
    present and looks back), from the first 2,000 characters (headline and dateline) if any
    year is there, else from the whole text. None when no year is mentioned."""
    for part in (text[:2000], text):
        years = [int(m.group(1).translate(_DIGITS)) for m in _YEAR.finditer(part)]
        years = [y for y in years if 1945 <= y <= upto]
        if years:
            return str(max(years))
    return None


def article_interval(date: str | None, text: str) -> tuple[tuple[str, str] | None, str]:
    """The date interval to resolve against and where it came from (`meta`, `text`, `none`)."""
    if date and is_iso(date):
        return interval(date, date), "meta"
    year = infer_year(text)
    if year:
        return interval(year, year), "text"
    return None, "none"


def most_common(ids: Counter) -> str | None:
    """The single most frequent key, or None on a tie or when empty."""
    top = ids.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]
