"""The demo's KPIs and their history: daily, weekly, monthly and quarterly ones, some green,
one red, one stale, one deteriorating, lower-is-better and in-range ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from random import Random
from typing import Any

from headway.demo import people as p
from headway.demo.series import (
    Cycle,
    Row,
    days_before,
    month_ends_before,
    quarter_ends_before,
    rows,
    sundays_before,
    weekdays_before,
)


def _kpi(ref: str, name: str, team: str, owner: str, unit: str, **fields: Any) -> Row:
    return {"ref": ref, "name": name, "team": team, "owner": owner, "unit": unit, **fields}


def noise(ref: str, day: date) -> Random:
    """A generator for one KPI on one day: a value stays the same on every run that has it."""
    return Random(f"northwind:{ref}:{day.isoformat()}")


def _months_from(quarter: Cycle, day: date) -> int:
    """Whole months from the quarter's first month to the month of ``day`` (may be < 0)."""
    return (day.year - quarter.start.year) * 12 + day.month - quarter.start.month


def visitors(today: date, quarter: Cycle) -> Row:
    # About 50,000 the month before the quarter; growing 7% a month since (the OKR wants 20%).
    days = month_ends_before(today, 12)
    values = []
    for day in days:
        months = _months_from(quarter, day)
        level = 50000 * (1 + 0.07 * (months + 1)) if months >= 0 else 50000 * 0.982 ** (-months - 1)
        values.append(level * (1 + noise("visitors", day).uniform(-0.006, 0.006)))
    return _kpi(
        "visitors", "Monthly website visitors", p.MARKETING, p.MARCUS, "visitors",
        cadence="monthly", aggregation="last", direction="higher_is_better",
        target=60000, red=45000, measurements=rows(days, values, 0),
    )  # fmt: skip


def signups(today: date, quarter: Cycle) -> Row:
    days = days_before(today, 180)
    values = [
        (405 + 0.25 * (day - quarter.start).days) * (1.15 if day.weekday() >= 5 else 1)
        + noise("signups", day).gauss(0, 18)
        for day in days
    ]
    return _kpi(
        "signups", "Daily app sign-ups", p.MARKETING, p.EMMA, "sign-ups",
        cadence="daily", aggregation="sum", direction="higher_is_better",
        target=400, red=320, measurements=rows(days, values, 0),
    )  # fmt: skip


def cac(today: date, quarter: Cycle) -> Row:
    # Entering new countries made customers dearer: worse five months running.
    newest_first = [51.5, 47.5, 44, 41, 39.5, 38, 38.5, 39, 37.5, 38, 39, 38.5]
    return _kpi(
        "cac", "Customer acquisition cost (CAC)", p.COMMERCE, p.DANIEL, "USD",
        cadence="monthly", aggregation="last", direction="lower_is_better",
        target=45, red=55,
        measurements=rows(month_ends_before(today, 12), newest_first[::-1], 2),
    )  # fmt: skip


def aov(today: date, quarter: Cycle) -> Row:
    # Weekly readings, judged on the monthly average.
    days = sundays_before(today, 52)
    values = [
        (62 + 8 * 0.8 * quarter.expected(day) if day >= quarter.start else 61.5)
        + noise("aov", day).gauss(0, 0.9)
        for day in days
    ]
    return _kpi(
        "aov", "Average order value", p.COMMERCE, p.HANNAH, "USD",
        cadence="monthly", aggregation="average", direction="higher_is_better",
        target=70, red=60, measurements=rows(days, values, 2),
    )  # fmt: skip


def clv(today: date, quarter: Cycle) -> Row:
    return _kpi(
        "clv", "Customer lifetime value", p.COMMERCE, p.DANIEL, "USD",
        cadence="quarterly", aggregation="last", direction="higher_is_better",
        target=225, red=200,
        measurements=rows(quarter_ends_before(today, 4), [205, 212, 221, 228], 0),
    )  # fmt: skip


def mrr(today: date, quarter: Cycle) -> Row:
    days = month_ends_before(today, 12)
    values = [
        98000 * 1.04 ** (_months_from(quarter, day) + 1) + noise("mrr", day).uniform(-800, 800)
        for day in days
    ]
    return _kpi(
        "mrr", "Monthly recurring revenue", p.COMPANY, p.OLIVIA, "USD",
        cadence="monthly", aggregation="last", direction="higher_is_better",
        target=100000, red=85000, measurements=rows(days, values, 0),
    )  # fmt: skip


def wau(today: date, quarter: Cycle) -> Row:
    days = sundays_before(today, 40)
    values = [
        42000 + 13000 * 1.05 * quarter.expected(day) + noise("wau", day).gauss(0, 250)
        if day >= quarter.start
        else 42000 - 160 * ((quarter.start - day).days // 7) + noise("wau", day).gauss(0, 300)
        for day in days
    ]
    return _kpi(
        "wau", "Weekly active users", p.PRODUCT, p.SOFIA, "users",
        cadence="weekly", aggregation="last", direction="higher_is_better",
        target=45000, red=38000, measurements=rows(days, values, 0),
    )  # fmt: skip


def churn(today: date, quarter: Cycle) -> Row:
    # The price change two months ago pushed churn into the red; it is easing a little.
    newest_first = [6.6, 6.9, 4.4, 4.0, 4.3, 4.1, 3.9, 4.2, 4.0, 4.4, 4.1, 4.3]
    return _kpi(
        "churn", "Premium churn (monthly)", p.PRODUCT, p.PRIYA, "%",
        cadence="monthly", aggregation="last", direction="lower_is_better",
        target=4, red=6, measurements=rows(month_ends_before(today, 12), newest_first[::-1], 1),
    )  # fmt: skip


def uptime(today: date, quarter: Cycle) -> Row:
    days = days_before(today, 120)
    values = []
    for day in days:
        rng = noise("uptime", day)
        dip = rng.random() < 0.04
        values.append(rng.uniform(99.6, 99.85) if dip else min(100, 99.96 + rng.gauss(0, 0.02)))
    return _kpi(
        "uptime", "App uptime", p.ENGINEERING, p.TOM, "%",
        cadence="daily", aggregation="last", direction="higher_is_better",
        target=99.9, red=99.5, measurements=rows(days, values, 2),
    )  # fmt: skip


def csat(today: date, quarter: Cycle) -> Row:
    # Weekly survey results, judged on the monthly average.
    days = sundays_before(today, 52)
    values = [
        (76 + 11 * 1.05 * quarter.expected(day) if day >= quarter.start else 75.8)
        + noise("csat", day).gauss(0, 1.0)
        for day in days
    ]
    return _kpi(
        "csat", "Customer satisfaction (CSAT)", p.SUPPORT, p.LUCAS, "%",
        cadence="monthly", aggregation="average", direction="higher_is_better",
        target=85, red=75, measurements=rows(days, values, 1),
    )  # fmt: skip


def nps(today: date, quarter: Cycle) -> Row:
    # Red and stale: the survey tool lapsed, so the last two months have no score.
    days = month_ends_before(today, 12)[:-2]
    values = [32 + noise("nps", day).uniform(-2, 2) for day in days]
    return _kpi(
        "nps", "Net Promoter Score (NPS)", p.SUPPORT, p.LUCAS, "points",
        cadence="monthly", aggregation="last", direction="higher_is_better",
        target=45, red=35, measurements=rows(days, values, 0),
    )  # fmt: skip


def first_response(today: date, quarter: Cycle) -> Row:
    # Healthy between 2 and 4 hours; it was near 6 before this quarter's push.
    days = weekdays_before(today, 182)
    values = [
        max(1.0, (6 - 3 * 0.9 * quarter.expected(day) if day >= quarter.start else 6.0))
        + noise("first-response", day).gauss(0, 0.35)
        for day in days
    ]
    return _kpi(
        "first-response", "Support first-response time", p.SUPPORT, p.LUCAS, "hours",
        cadence="weekly", aggregation="average", direction="in_range",
        low=2, high=4, tolerance=1, measurements=rows(days, values, 1),
    )  # fmt: skip


BUILDERS: list[Callable[[date, Cycle], Row]] = [
    mrr,
    visitors,
    signups,
    wau,
    churn,
    uptime,
    cac,
    aov,
    clv,
    csat,
    nps,
    first_response,
]


def build_kpis(today: date, quarter: Cycle) -> list[Row]:
    return [build(today, quarter) for build in BUILDERS]
