"""Reading what a page shows, for tests: the data-* attributes pages put on each row."""

from __future__ import annotations

import re

from django.test.html import parse_html

ROW = re.compile(r"<(?:li|div|a|section)[^>]*\sdata-ref=\"([^\"]+)\"([^>]*)>")
ATTR = re.compile(r"data-([a-z]+)=\"([^\"]*)\"")


def rows(html: str) -> dict[str, dict[str, str]]:
    """``data-ref`` -> its other data-* attributes, for every row of a page."""
    out: dict[str, dict[str, str]] = {}
    for ref, rest in ROW.findall(html):
        out.setdefault(ref, dict(ATTR.findall(rest)))
    return out


def shown(value: float | int | None) -> str:
    """How a report number appears in a data-* attribute."""
    return "" if value is None else str(value)


def text(html: str) -> str:
    return str(parse_html(html))
