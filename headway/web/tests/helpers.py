"""Reading what a page shows, for tests: the data-* attributes pages put on each row."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
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


@contextmanager
def queries_run() -> Iterator[list[str]]:
    """Every SQL statement run inside the block. (CaptureQueriesContext misses a test client
    request's queries: Django's request_started signal resets the query log.)"""
    seen: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen
