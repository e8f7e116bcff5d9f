"""KPI cadence periods (semantics.md, "KPIs": daily, weekly (ISO, Monday first), monthly,
quarterly)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .cycles import quarter_bounds, quarter_of

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"
QUARTERLY = "quarterly"
CADENCES = (DAILY, WEEKLY, MONTHLY, QUARTERLY)


@dataclass(frozen=True, order=True)
class Period:
    """One cadence period; ``start`` and ``end`` are both inclusive."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _check_cadence(cadence: str) -> None:
    if cadence not in CADENCES:
        raise ValueError(f"unknown cadence {cadence!r}; use one of {', '.join(CADENCES)}")


def _month_start(year: int, month_index: int) -> date:
    """First day of the month ``month_index`` months after January of ``year`` (may be < 0)."""
    extra_years, month0 = divmod(month_index, 12)
    return date(year + extra_years, month0 + 1, 1)


def period_of(day: date, cadence: str) -> Period:
    """The period of ``cadence`` that contains ``day``."""
    _check_cadence(cadence)
    if cadence == DAILY:
        return Period(day, day)
    if cadence == WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Period(monday, monday + timedelta(days=6))
    if cadence == MONTHLY:
        first = day.replace(day=1)
        following = _month_start(day.year, day.month)  # month index day.month = next month
        return Period(first, following - timedelta(days=1))
    return Period(*quarter_bounds(*quarter_of(day)))


def shift(period: Period, cadence: str, n: int) -> Period:
    """The period ``n`` periods after ``period`` (before it when ``n`` is negative)."""
    _check_cadence(cadence)
    start = period.start
    if cadence == DAILY:
        return period_of(start + timedelta(days=n), cadence)
    if cadence == WEEKLY:
        return period_of(start + timedelta(weeks=n), cadence)
    months = n if cadence == MONTHLY else 3 * n
    return period_of(_month_start(start.year, start.month - 1 + months), cadence)


def previous(period: Period, cadence: str) -> Period:
    """The period immediately before ``period``."""
    return shift(period, cadence, -1)


def period_label(period: Period, cadence: str) -> str:
    """Short name: ``2026-11-15``, ``2026-W53`` (ISO week), ``2026-11`` or ``2026-Q4``."""
    _check_cadence(cadence)
    start = period.start
    if cadence == DAILY:
        return start.isoformat()
    if cadence == WEEKLY:
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if cadence == MONTHLY:
        return f"{start.year}-{start.month:02d}"
    year, quarter = quarter_of(start)
    return f"{year}-Q{quarter}"
