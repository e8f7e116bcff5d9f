"""The report reads a fixed number of queries, whatever the organization's size."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from headway.conftest import World
from headway.okrs.models import Cycle
from headway.org.models import Organization, Team
from headway.reports.build import build_report
from headway.reports.load import cycles_reached
from headway.reports.tests import factories as f

QUERIES = 6  # alignment, objectives, key results, check-ins, KPIs, measurements


def populate(name: str, size: int) -> tuple[Organization, Cycle]:
    """An organization with ``size`` of everything, children in another cycle included."""
    org = Organization.objects.create(name=name)
    team = Team.objects.create(organization=org, name=name)
    q4 = f.cycle(org, "2026-Q4", "2026-10-01", "2026-12-31")
    october = f.cycle(org, "2026-10", "2026-10-01", "2026-10-31")
    kpis = []
    for i in range(size):
        kpi = f.kpi(org, team, f"{name}-kpi-{i}", cadence="weekly", target=10)
        for day in ("2026-10-05", "2026-10-12", "2026-11-02", "2026-11-20"):
            f.measure(kpi, day, i + 1)
        kpis.append(kpi)
    for i in range(size):
        parent = f.objective(q4, team, f"{name}-p-{i}", progress_mode="both")
        child = f.objective(october, team, f"{name}-c-{i}")
        f.align(child, parent, 2)
        for objective in (parent, child):
            metric = f.kr(objective, f"{objective.ref}-m")
            for day in ("2026-10-10", "2026-11-01", "2026-12-01"):
                f.checkin(metric, day, 40, confidence=6)
            f.kr(objective, f"{objective.ref}-k", 0, 40, kpi=kpis[i], kpi_value="cycle_total")
    return org, q4


def count_queries(org: Organization, cycle: Cycle, **options: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = build_report(org, cycle, date(2026, 11, 15), **options)
    assert report["objectives"]
    return len(queries)


def test_it_reads_the_same_number_of_queries_for_a_larger_organization(world: World) -> None:
    small = count_queries(*populate("small", 4))
    large = count_queries(*populate("large", 12))
    assert small == large == QUERIES


def test_it_reads_the_same_number_of_queries_with_filters(world: World) -> None:
    org, cycle = populate("filtered", 4)
    filters = {"objective_filter": Q(private=False), "kpi_filter": Q(private=False)}
    assert count_queries(org, cycle, **filters) == QUERIES


def test_it_reads_the_same_number_of_queries_without_kpis(world: World) -> None:
    # Only the measurements of the KPIs that drive key results: a subquery, not a query.
    small = count_queries(*populate("small", 4), with_kpis=False)
    large = count_queries(*populate("large", 12), with_kpis=False)
    assert small == large == QUERIES


def test_it_computes_the_children_of_another_cycle(world: World) -> None:
    org, cycle = populate("numbers", 2)
    report = build_report(org, cycle, date(2026, 11, 15))
    parent = report["objectives"][0]
    # Own KRs: 40/100 = 0.4 and cycle total (1 + 1 + 1 inside Q4 by 11-15) / 40 = 0.075;
    # child (October, its own cycle total 1 + 1 = 2 -> 0.05): (0.4 + 0.05) / 2 = 0.225.
    # both: (0.4 + 0.075 + 2 * 0.225) / 4 = 0.23125.
    assert [k["progress"] for k in parent["key_results"]] == [0.4, 0.075]
    assert parent["progress"] == 0.2312


def test_it_follows_alignment_through_every_cycle_below() -> None:
    # (child, parent, child's cycle, parent's cycle): 1 (cycle 10) <- 2 (20) <- 3 (30);
    # 4 (40) is a parent of 1, not a child: its cycle is not needed.
    links = [(2, 1, 20, 10), (3, 2, 30, 20), (1, 4, 10, 40), (5, 6, 50, 60)]
    assert cycles_reached(10, links) == {10, 20, 30}
    assert cycles_reached(60, links) == {60, 50}
    assert cycles_reached(99, links) == {99}
