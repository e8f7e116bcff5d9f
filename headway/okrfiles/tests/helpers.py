"""Shared by the OKR file tests: a small valid file and a snapshot of the whole database."""

from __future__ import annotations

from pathlib import Path

from headway.kpis.models import KPI, Measurement
from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org.models import Membership, Organization, Team, TeamMembership, User

EXAMPLE = (Path(__file__).parent / "example.yaml").read_text()

# Line numbers matter: the error tests point at them.
SMALL = """\
headway: 1
organization: Acme
teams:
  - {name: Acme}
  - {name: Growth, parent: Acme}
people:
  - {email: ana@acme.test, name: Ana Lima, teams: [Growth]}
cycles:
  - {name: 2026-Q4, start: 2026-10-01, end: 2026-12-31}
kpis:
  - ref: visitors
    name: Visitors
    team: Growth
    target: 60000
objectives:
  - ref: traffic
    title: More traffic
    cycle: 2026-Q4
    team: Growth
    owner: ana@acme.test
    key_results:
      - ref: posts
        title: Publish posts
        start: 0
        target: 30
        checkins:
          - {at: 2026-10-31, value: 9, confidence: 6}
"""

MODELS = (
    Organization,
    Team,
    User,
    Membership,
    TeamMembership,
    Cycle,
    Objective,
    Alignment,
    KeyResult,
    CheckIn,
    Initiative,
    KPI,
    Measurement,
)


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every model the import touches (so "nothing changed" is exact)."""
    return {
        model.__name__: sorted(
            tuple(str(v) for v in row) for row in model._default_manager.values_list()
        )
        for model in MODELS
    }
