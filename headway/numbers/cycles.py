"""Cycles and expected progress (semantics.md, "Cycles")."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ._common import ONE, ZERO, clamp, in_engine_context


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day (both inclusive) of calendar quarter ``quarter`` (1-4) of ``year``."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1, 2, 3 or 4, got {quarter}")
    first_month = 3 * (quarter - 1) + 1
    start = date(year, first_month, 1)
    if quarter == 4:
        return start, date(year, 12, 31)
    return start, date(year, first_month + 3, 1) - timedelta(days=1)


def quarter_of(day: date) -> tuple[int, int]:
    """``(year, quarter)`` of the calendar quarter that contains ``day``."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_name(day: date) -> str:
    """Name of the calendar quarter containing ``day``, like ``2026-Q4``."""
    year, quarter = quarter_of(day)
    return f"{year}-Q{quarter}"


@in_engine_context
def expected_progress(as_of: date, start: date, end: date) -> Decimal:
    """Share of the cycle ``start..end`` elapsed on ``as_of``: 0 on the start date, 1 on the end.

    ``clamp((as_of - start).days / (end - start).days, 0, 1)``. A one-day cycle
    (``start == end``) is 1 from its end date on and 0 before it.
    """
    if end < start:
        raise ValueError(f"cycle ends ({end}) before it starts ({start})")
    total = (end - start).days
    if total == 0:
        return ONE if as_of >= end else ZERO
    return clamp(Decimal((as_of - start).days) / Decimal(total))
