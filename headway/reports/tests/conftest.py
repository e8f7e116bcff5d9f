"""Acme's 2026-Q4, the worked example behind the report tests.

Every number the tests expect is computed by hand from semantics.md in the comments below;
the report is taken as of 2026-11-15 unless a test says otherwise (expected 45/91).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from headway.conftest import World
from headway.okrs.models import Cycle
from headway.reports.tests import factories as f


@dataclass
class Q4:
    world: World
    q4: Cycle
    year: Cycle


@pytest.fixture
def acme_q4(world: World) -> Q4:
    acme, growth, company = world.acme, world.growth, world.company
    q4 = f.cycle(acme, "2026-Q4", "2026-10-01", "2026-12-31")
    year = f.cycle(acme, "2026", "2026-01-01", "2026-12-31")
    h1 = f.cycle(acme, "2026-H1", "2026-01-01", "2026-06-30")

    # Grow revenue (key_results mode): (1 * 0.8 + 2 * 0.6 + 1 * 1 + 0 * 0) / 4 = 0.75.
    revenue_objective = f.objective(
        q4, growth, "grow-revenue", title="Grow revenue", owner=world.bob, kind="committed"
    )
    revenue = f.kr(revenue_objective, "revenue", 0, 100000, title="Revenue", unit="$")
    f.checkin(revenue, "2026-10-15", 50000, confidence=6)
    f.checkin(revenue, "2026-11-10", 80000, confidence=7)  # current: 0.8, gap 20,000 (0.2)
    f.checkin(revenue, "2026-11-20", 100000, confidence=9)  # after as_of: ignored
    f.checkin(revenue, "2027-01-03", 0, confidence=2)  # after the cycle: not in the score
    churn = f.kr(revenue_objective, "churn", 10, 5, title="Churn", unit="%", weight=2)
    f.checkin(churn, "2026-11-01", 8)
    f.checkin(churn, "2026-11-14", 7)  # lower is better: (10 - 7) / (10 - 5) = 0.6
    launch = f.kr(revenue_objective, "launch", None, None, type="milestone", title="Launch")
    f.checkin(launch, "2026-11-12", done=True, confidence=8)
    latency = f.kr(
        revenue_objective, "latency", None, 200, type="threshold", bound="at_most", unit="ms"
    )
    latency.weight = 0
    latency.save()
    f.checkin(latency, "2026-11-05", 250)  # 250 > 200: 0, and weight 0: not counted

    # Statuses against expected 0.4945: 0.3 -> behind 0.1945 (at risk), 0.2 -> 0.2945 (off
    # track), objective (0.3 + 0.2) / 2 = 0.25 -> behind 0.2445 (at risk).
    behind = f.objective(q4, growth, "behind")
    f.checkin(f.kr(behind, "behind-1"), "2026-11-01", 30)
    f.checkin(f.kr(behind, "behind-2"), "2026-11-01", 20)

    # Over-achieved: progress 1, raw 1.2, gap -20 (-0.2).
    over = f.objective(q4, growth, "over")
    f.checkin(f.kr(over, "over-1"), "2026-11-01", 120)

    # No key results: progress unknown, status no_data.
    f.objective(q4, growth, "empty")

    # Draft and closed objectives show their state as status.
    draft = f.objective(q4, growth, "draft-one", state="draft")
    f.kr(draft, "draft-kr")
    closed = f.objective(q4, growth, "closed-one", state="closed")
    f.kr(closed, "closed-kr")

    # Alignment: P (children) = (1 * 0.2 + 3 * 0.6) / 4 = 0.5;
    # Q (both) = (1 * 0.4 + 2 * 0.6) / 3 = 0.5333; child-b has two weighted parents.
    child_a = f.objective(q4, growth, "child-a")
    f.checkin(f.kr(child_a, "a-1"), "2026-11-01", 20)
    child_b = f.objective(q4, growth, "child-b")
    f.checkin(f.kr(child_b, "b-1"), "2026-11-01", 60)
    parent_p = f.objective(q4, company, "parent-p", progress_mode="children")
    parent_q = f.objective(q4, company, "parent-q", progress_mode="both")
    f.checkin(f.kr(parent_q, "q-1"), "2026-11-01", 40)
    f.align(child_a, parent_p, 1)
    f.align(child_b, parent_p, 3)
    f.align(child_b, parent_q, 2)

    # The year, driven by children in other cycles: Y = (0.5 + 1) / 2 = 0.75.
    company_y = f.objective(year, company, "company-y", progress_mode="children")
    h1_objective = f.objective(h1, company, "h1-done")
    f.checkin(f.kr(h1_objective, "h1-kr"), "2026-03-01", 100)
    f.align(parent_p, company_y)
    f.align(h1_objective, company_y)

    # KPI-driven key results. Daily signups (sum per day) inside Q4 up to 2026-11-15:
    # 10 + 20 + 30 + (5 + 7) = 72 over 5 measurements; the latest day (11-15) sums to 12.
    signups = f.kpi(
        acme,
        growth,
        "signups",
        name="Signups",
        cadence="daily",
        aggregation="sum",
        target=50,
        red=30,
    )
    signup_days: list[tuple[datetime | str, int]] = [
        ("2026-09-30", 100),  # before the cycle
        ("2026-10-01", 10),
        ("2026-10-02", 20),
        ("2026-11-14", 30),
        (f.at("2026-11-15", 9), 5),
        (f.at("2026-11-15", 18), 7),
        ("2026-11-16", 1000),  # after as_of
    ]
    for when, count in signup_days:
        f.measure(signups, when, count)
    driven = f.objective(q4, growth, "kpi-driven")
    f.kr(driven, "latest", 0, 24, kpi=signups, kpi_value="latest")  # 12 / 24 = 0.5
    f.kr(driven, "total", 0, 144, kpi=signups, kpi_value="cycle_total")  # 72 / 144 = 0.5
    f.kr(driven, "average", 0, 36, kpi=signups, kpi_value="cycle_average")  # 14.4 / 36 = 0.4

    # Monthly NPS, worse every month for 4 months: Aug 45, Sep 40, Oct 35, Nov 20.
    nps = f.kpi(acme, growth, "nps", name="NPS", target=50, red=30)
    for when, value in [
        ("2026-08-15", 45),
        ("2026-09-15", 40),
        ("2026-10-15", 35),
        ("2026-11-10", 20),
    ]:
        f.measure(nps, when, value)

    # Monthly churn rate, lower is better, last measured in September: stale in November.
    churn_rate = f.kpi(
        acme,
        growth,
        "churn-rate",
        name="Churn rate",
        unit="%",
        direction="lower_is_better",
        target=2,
        red=5,
    )
    f.measure(churn_rate, "2026-09-20", "1.5")

    # Weekly average uptime in 99..100 (tolerance 0.5): 98.3 (week 45) then 98.9 (week 46).
    uptime = f.kpi(
        acme,
        growth,
        "uptime",
        name="Uptime",
        unit="%",
        cadence="weekly",
        aggregation="average",
        direction="in_range",
        low=99,
        high=100,
        tolerance="0.5",
    )
    for day, percent in [
        ("2026-11-02", "98.2"),
        ("2026-11-05", "98.4"),
        ("2026-11-09", "98.8"),
        ("2026-11-15", "99.0"),
    ]:
        f.measure(uptime, day, percent)

    # Globex's data never shows in Acme's report.
    globex_q4 = f.cycle(world.globex, "2026-Q4", "2026-10-01", "2026-12-31")
    globex_team = world.globex.teams.get()
    f.kr(f.objective(globex_q4, globex_team, "globex-secret"), "globex-kr")
    f.kpi(world.globex, globex_team, "globex-kpi")
    return Q4(world, q4, year)
