"""Turn a storyline ("ahead of plan", "stalled", "done in week 5") into dated check-ins and
measurements for the demo. Everything is relative to ``today`` and uses the random
generator it is given, so the same ``today`` always gives the same data."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Any

Row = dict[str, Any]

KICKOFF_NOTE = "Kick-off."
AHEAD_NOTES = (
    "Ahead of plan; the team is on a roll.",
    "Better week than expected.",
    "Good momentum, keeping the pace.",
    "Ahead of the line, no blockers.",
)
ON_PLAN_NOTES = (
    "On plan.",
    "Steady week, on track.",
    "Small step forward, as planned.",
    "Roughly where we expected to be.",
    "No surprises this week.",
)
BEHIND_NOTES = (
    "Slower than planned; looking into why.",
    "Behind: two people were out this week.",
    "Blocked on a dependency, escalated.",
    "Not moving as fast as we hoped.",
    "Behind plan; adjusting the approach.",
    "Flat week. Need a new idea here.",
)


def num(value: float, places: int) -> int | float:
    """``value`` rounded for the OKR file: a whole number, or a float with ``places`` decimals."""
    if places == 0:
        return round(value)
    return round(value, places)


@dataclass(frozen=True)
class Cycle:
    name: str
    start: date
    end: date

    def expected(self, day: date) -> float:
        """Share of the cycle elapsed on ``day`` (semantics.md, "Cycles"), as a float."""
        share = (day - self.start).days / (self.end - self.start).days
        return min(1.0, max(0.0, share))

    def row(self, parent: str | None = None) -> Row:
        row: Row = {"name": self.name, "start": self.start, "end": self.end}
        if parent:
            row["parent"] = parent
        return row


def weekly_days(start: date, last: date) -> list[date]:
    """``start`` and every 7th day after it, up to ``last`` inclusive."""
    return [start + timedelta(weeks=n) for n in range((last - start).days // 7 + 1)]


def _confidence(rng: Random, pace: float, week: int) -> int:
    """5 at kick-off, drifting over three weeks towards what the pace makes people feel."""
    if week == 0:
        return 5
    mood = 8 if pace >= 1.15 else 7 if pace >= 0.9 else 5 if pace >= 0.65 else 3
    value = round(5 + (mood - 5) * min(1.0, week / 3)) + rng.choice((-1, 0, 0, 1))
    return max(0, min(10, value))


def _note(rng: Random, pace: float, week: int, notes: Sequence[str]) -> str:
    if week == 0:
        return KICKOFF_NOTE
    if notes:
        return notes[(week - 1) % len(notes)]
    pool = AHEAD_NOTES if pace >= 1.15 else ON_PLAN_NOTES if pace >= 0.9 else BEHIND_NOTES
    return rng.choice(pool)


@dataclass(frozen=True)
class Plan:
    """How a key result moves through its cycle.

    ``pace`` 1.0 follows the expected-progress line exactly, 0.5 does half of it, 1.2 runs
    ahead. ``final`` (closed cycles) is the progress reached on the last day. ``steady``
    values never go backwards (counts); others wobble (rates).
    """

    pace: float = 1.0
    final: float | None = None
    places: int = 0
    steady: bool = True
    notes: Sequence[str] = ()


def metric_checkins(
    rng: Random,
    cycle: Cycle,
    today: date,
    *,
    start: float,
    target: float,
    by: str,
    plan: Plan,
) -> list[Row]:
    """Weekly check-ins of a metric KR from the cycle start up to ``today`` (or the end)."""
    last = min(today, cycle.end)
    days = weekly_days(cycle.start, last)
    if plan.final is not None and days[-1] != cycle.end and last == cycle.end:
        days.append(cycle.end)
    pace = plan.pace if plan.final is None else plan.final
    rows: list[Row] = []
    reached = 0.0
    for week, day in enumerate(days):
        if week == 0:
            progress = 0.0
        elif plan.final is not None and day == cycle.end:
            progress = plan.final
        else:
            progress = pace * cycle.expected(day) + rng.gauss(0, 0.02)
            if plan.steady:
                progress = max(reached, progress)
        reached = progress
        rows.append(
            {
                "at": day,
                "value": num(start + (target - start) * progress, plan.places),
                "confidence": _confidence(rng, pace, week),
                "note": _note(rng, pace, week, plan.notes),
                "by": by,
            }
        )
    return rows


def milestone_checkins(
    rng: Random, cycle: Cycle, today: date, *, done_at: float | None, by: str
) -> list[Row]:
    """Weekly check-ins of a milestone, done once ``done_at`` of the cycle has passed."""
    rows: list[Row] = []
    pace = 1.0 if done_at is not None and done_at < 0.8 else 0.6
    for week, day in enumerate(weekly_days(cycle.start, min(today, cycle.end))):
        done = done_at is not None and cycle.expected(day) >= done_at
        note = "Done and shipped." if done else _note(rng, pace, week, ())
        rows.append(
            {
                "at": day,
                "done": done,
                "confidence": 10 if done else _confidence(rng, pace, week),
                "note": note,
                "by": by,
            }
        )
        if done:
            break
    return rows


def threshold_checkins(
    rng: Random,
    cycle: Cycle,
    today: date,
    *,
    first: float,
    settled: float,
    wobble: float,
    places: int,
    by: str,
    notes: Sequence[str] = (),
) -> list[Row]:
    """Weekly readings of a threshold KR: ``first`` at kick-off, then ``settled`` give or take
    ``wobble`` (so every later reading is on the same side of the bound as ``settled``)."""
    rows: list[Row] = []
    for week, day in enumerate(weekly_days(cycle.start, min(today, cycle.end))):
        value = first if week == 0 else settled + rng.uniform(-wobble, wobble)
        rows.append(
            {
                "at": day,
                "value": num(value, places),
                "confidence": _confidence(rng, 1.0, week),
                "note": _note(rng, 1.0, week, notes),
                "by": by,
            }
        )
    return rows


def confidence_checkins(
    rng: Random, cycle: Cycle, today: date, *, pace: float, by: str, notes: Sequence[str] = ()
) -> list[Row]:
    """Weekly check-ins of a KPI-driven KR: the KPI gives the value, people give confidence."""
    return [
        {
            "at": day,
            "confidence": _confidence(rng, pace, week),
            "note": _note(rng, pace, week, notes),
            "by": by,
        }
        for week, day in enumerate(weekly_days(cycle.start, min(today, cycle.end)))
    ]


# Measurement days: only periods that are over (or yesterday), as a real feed would have them.


def days_before(today: date, count: int) -> list[date]:
    """The ``count`` days before ``today``, oldest first."""
    return [today - timedelta(days=n) for n in range(count, 0, -1)]


def weekdays_before(today: date, count: int) -> list[date]:
    """Monday-to-Friday days among the ``count`` days before ``today``, oldest first."""
    return [day for day in days_before(today, count) if day.weekday() < 5]


def sundays_before(today: date, count: int) -> list[date]:
    """Sundays closing the ``count`` full ISO weeks before the week of ``today``."""
    last = today - timedelta(days=today.weekday() + 1)
    return [last - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def month_ends_before(today: date, count: int) -> list[date]:
    """Last days of the ``count`` full months before the month of ``today``, oldest first."""
    ends: list[date] = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        ends.append(date(year, month, calendar.monthrange(year, month)[1]))
    return ends[::-1]


def quarter_ends_before(today: date, count: int) -> list[date]:
    """Last days of the ``count`` full calendar quarters before the quarter of ``today``."""
    end = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
    ends: list[date] = []
    for _ in range(count):
        ends.append(end)
        end = date(end.year, end.month - 2, 1) - timedelta(days=1)
    return ends[::-1]


def rows(days: Sequence[date], values: Sequence[float], places: int) -> list[Row]:
    return [
        {"at": day, "value": num(value, places)} for day, value in zip(days, values, strict=True)
    ]
