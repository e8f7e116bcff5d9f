"""A small organization with a running cycle, for the page and browser tests.

Acme (from the personas) gets the quarter that contains today (the organization's today, so
My week has something to check in on) with a company objective, Growth objectives (one of
them private), a private Finance objective, key results owned by bob, and KPIs. Dates are
relative to today; tests compare pages with build_report, never with hand-written numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from headway.conftest import World
from headway.kpis.models import KPI, Measurement
from headway.numbers import quarter_bounds, quarter_name, quarter_of
from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective
from headway.org.models import Membership, Role, Team, User
from headway.reports.build import today_in

UTC = ZoneInfo("UTC")


def at(day: date, hour: int = 0) -> datetime:
    # Midnight: a reading "today" is never later than now, whatever the clock says.
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass
class Plan:
    world: World
    today: date
    q4: Cycle  # the quarter that contains today
    q3: Cycle  # the quarter before it
    company_objective: Objective
    growth_objective: Objective
    private_objective: Objective
    revenue: KeyResult
    signups: KeyResult
    launch: KeyResult
    churn: KPI
    nps: KPI


def _kr(objective: Objective, ref: str, title: str, **fields: object) -> KeyResult:
    return KeyResult.objects.create(
        organization=objective.organization, objective=objective, ref=ref, title=title, **fields
    )


def make_plan(world: World, *, extra_teams: int = 0) -> Plan:
    """The plan; ``extra_teams`` adds that many teams, each with people, objectives, KRs,
    check-ins and KPIs (for query-count tests that compare sizes)."""
    acme = world.acme
    today = today_in(acme)
    start, end = quarter_bounds(*quarter_of(today))
    q4 = Cycle.objects.create(organization=acme, name=quarter_name(today), start=start, end=end)
    before = start - timedelta(days=1)
    q3 = Cycle.objects.create(
        organization=acme,
        name=quarter_name(before),
        start=quarter_bounds(*quarter_of(before))[0],
        end=before,
    )
    company = Objective.objects.create(
        organization=acme,
        ref="be-the-best",
        cycle=q4,
        team=world.company,
        owner=world.alice,
        title="Be the best place to shop",
        level=Objective.Level.COMPANY,
        kind=Objective.Kind.COMMITTED,
    )
    _kr(company, "nps-kr", "NPS", start=Decimal(20), target=Decimal(40), unit="points")
    growth = Objective.objects.create(
        organization=acme,
        ref="grow-revenue",
        cycle=q4,
        team=world.growth,
        owner=world.bob,
        title="Grow revenue",
        position=1,
    )
    Alignment.objects.create(organization=acme, child=growth, parent=company, weight=Decimal(1))
    revenue = _kr(growth, "revenue", "Revenue", start=Decimal(0), target=Decimal(100000), unit="$")
    signups = _kr(
        growth,
        "signups",
        "Sign-ups",
        start=Decimal(100),
        target=Decimal(500),
        unit="users",
        position=1,
    )
    launch = _kr(growth, "launch", "Launch the shop", type=KeyResult.Type.MILESTONE, position=2)
    CheckIn.objects.create(
        organization=acme,
        key_result=revenue,
        value=Decimal(30000),
        confidence=6,
        at=at(today - timedelta(days=25)),
        author=world.bob,
        note="slow start",
    )
    CheckIn.objects.create(
        organization=acme,
        key_result=signups,
        value=Decimal(200),
        confidence=5,
        at=at(today - timedelta(days=13)),
        author=world.bob,
    )
    private = Objective.objects.create(
        organization=acme,
        ref="secret-plan",
        cycle=q4,
        team=world.growth,
        owner=world.bob,
        title="Secret growth plan",
        private=True,
        position=2,
    )
    _kr(private, "secret-kr", "Secret KR", start=Decimal(0), target=Decimal(10))
    finance = Team.objects.create(organization=acme, name="Finance", parent=world.company)
    finance_secret = Objective.objects.create(
        organization=acme,
        ref="finance-secret",
        cycle=q4,
        team=finance,
        owner=world.alice,
        title="Finance private plan",
        private=True,
        position=3,
    )
    _kr(finance_secret, "finance-kr", "Finance KR", start=Decimal(0), target=Decimal(5))
    KPI.objects.create(
        organization=acme,
        ref="cash",
        name="Cash runway",
        team=finance,
        private=True,
        unit="months",
    )
    churn = KPI.objects.create(
        organization=acme,
        ref="churn",
        name="Churn",
        team=world.growth,
        owner=world.bob,
        unit="%",
        direction=KPI.Direction.LOWER_IS_BETTER,
        target=Decimal(2),
        red=Decimal(4),
    )
    for months_ago, value in ((3, "2.5"), (2, "2.2"), (1, "1.9"), (0, "2.4")):
        day = today - timedelta(days=30 * months_ago)
        Measurement.objects.create(organization=acme, kpi=churn, at=at(day), value=Decimal(value))
    nps = KPI.objects.create(
        organization=acme,
        ref="nps",
        name="NPS",
        team=world.company,
        owner=world.alice,
        target=Decimal(40),
        red=Decimal(20),
    )
    Measurement.objects.create(organization=acme, kpi=nps, at=at(today), value=Decimal(31))
    for n in range(extra_teams):
        add_team(world, q4, company, n, today)
    return Plan(
        world, today, q4, q3, company, growth, private, revenue, signups, launch, churn, nps
    )


def add_team(world: World, q4: Cycle, company: Objective, n: int, today: date) -> None:
    acme = world.acme
    team = Team.objects.create(organization=acme, name=f"Team {n}", parent=world.growth)
    person = User.objects.create_user(f"person{n}@acme.test", "password", name=f"Person {n}")
    membership = Membership.objects.create(organization=acme, user=person, role=Role.LEAD)
    membership.teams.add(team, through_defaults={"organization": acme})
    for k in range(2):
        objective = Objective.objects.create(
            organization=acme,
            ref=f"t{n}-o{k}",
            cycle=q4,
            team=team,
            owner=person,
            title=f"Team {n} objective {k}",
            private=k == 1,
        )
        Alignment.objects.create(organization=acme, child=objective, parent=company)
        for j in range(2):
            kr = _kr(
                objective,
                f"t{n}-o{k}-kr{j}",
                f"KR {j}",
                start=Decimal(0),
                target=Decimal(10),
                owner=world.bob,
            )
            CheckIn.objects.create(
                organization=acme,
                key_result=kr,
                value=Decimal(j + 3),
                at=at(today - timedelta(days=3)),
                author=person,
                confidence=7,
            )
    kpi = KPI.objects.create(
        organization=acme,
        ref=f"kpi-{n}",
        name=f"KPI {n}",
        team=team,
        owner=world.bob,
        target=Decimal(10),
        red=Decimal(5),
    )
    for months_ago in (2, 1, 0):
        Measurement.objects.create(
            organization=acme,
            kpi=kpi,
            at=at(today - timedelta(days=30 * months_ago)),
            value=Decimal(7 - months_ago),
        )
