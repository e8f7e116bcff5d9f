"""The demo organization as an OKR-file document (the format headway.okrfiles imports).

``build_demo(today)`` places everything relative to ``today``: the current cycle is the
calendar quarter that contains it, the previous quarter is closed and scored, and check-ins
and KPI history run up to it, so the demo always looks current. The same ``today`` always
gives the same document.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from headway.demo import people
from headway.demo.current import build_current
from headway.demo.kpis import build_kpis
from headway.demo.previous import build_previous
from headway.demo.series import Cycle
from headway.numbers import quarter_bounds, quarter_name, quarter_of

ORGANIZATION = people.ORGANIZATION
TIME_ZONE = people.TIME_ZONE
ADMIN_EMAIL = people.ADMIN


def quarter_cycle(day: date) -> Cycle:
    """The calendar quarter containing ``day``, named like ``2026-Q4``."""
    return Cycle(quarter_name(day), *quarter_bounds(*quarter_of(day)))


def year_cycle(year: int) -> Cycle:
    return Cycle(str(year), date(year, 1, 1), date(year, 12, 31))


def with_levels(objectives: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Objectives with their level: the company team's are company objectives, those owned
    by a member (not a lead) are personal, the others are team objectives."""
    members = {p["email"] for p in people.PEOPLE if p["role"] == "member"}

    def level(objective: dict[str, Any]) -> str:
        if objective["team"] == people.COMPANY:
            return "company"
        return "personal" if objective["owner"] in members else "team"

    return [{**objective, "level": level(objective)} for objective in objectives]


def build_demo(today: date) -> dict[str, Any]:
    """The demo organization, as of ``today``, in the OKR-file format."""
    current = quarter_cycle(today)
    previous = quarter_cycle(current.start - timedelta(days=1))
    years = sorted({previous.start.year, current.start.year})
    cycles = [
        *(year_cycle(year).row() for year in years),
        previous.row(parent=str(previous.start.year)),
        current.row(parent=str(current.start.year)),
    ]
    return {
        "headway": 1,
        "organization": ORGANIZATION,
        "settings": {"time_zone": TIME_ZONE},
        "teams": [dict(team) for team in people.TEAMS],
        "people": [{**person, "teams": list(person["teams"])} for person in people.PEOPLE],
        "cycles": cycles,
        "kpis": build_kpis(today, current),
        "objectives": with_levels(
            [*build_current(current, today), *build_previous(previous, today)]
        ),
    }
