"""Time build_report against the bare SQL of the rows it reads."""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from headway.kpis.models import KPI, Measurement
from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective
from headway.org.models import Organization, Team, User
from headway.reports.build import build_report
from headway.reports.load import (
    checkin_groups,
    cycles_reached,
    day_end,
    load_report_rows,
    measurement_groups,
)


@dataclass(frozen=True)
class Timing:
    """Best wall-clock and best CPU time (this process) of some runs, in seconds."""

    wall: float
    cpu: float


@dataclass(frozen=True)
class Figures:
    rows: dict[str, int]
    queries: int
    bare_sql: Timing
    load: Timing
    report: Timing
    # build_report(..., with_kpis=False), as the objective pages ask for it.
    report_without_kpis: Timing
    traced_peak_bytes: int
    max_rss_bytes: int

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.report.wall if self.report.wall else 0.0


def ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, float]:
    """The shortest wall-clock and the shortest CPU time of ``repeat`` runs of ``fn()``.

    CPU time (this process only) is shown beside wall time because a busy machine stretches
    the wall clock; on PostgreSQL the server's share is not in it.
    """
    wall = cpu = float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def measure(organization: Organization, cycle: Cycle, as_of: date, *, repeat: int = 3) -> Figures:
    """Query count, best-of-``repeat`` timings and peak memory of the report."""
    with CaptureQueriesContext(connection) as queries:
        build_report(organization, cycle, as_of)
    rows = bare_sql(organization, cycle, as_of)
    loaded = load_only(organization, cycle, as_of)
    if loaded != rows:
        raise RuntimeError(f"the bare SQL read other rows than the report: {rows} != {loaded}")

    bare = Timing(*best_of(repeat, lambda: bare_sql(organization, cycle, as_of)))
    load = Timing(*best_of(repeat, lambda: load_only(organization, cycle, as_of)))
    report = Timing(*best_of(repeat, lambda: build_report(organization, cycle, as_of)))
    without_kpis = Timing(
        *best_of(repeat, lambda: build_report(organization, cycle, as_of, with_kpis=False))
    )

    tracemalloc.start()
    try:
        build_report(organization, cycle, as_of)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Figures(
        rows=rows,
        queries=len(queries),
        bare_sql=bare,
        load=load,
        report=report,
        report_without_kpis=without_kpis,
        traced_peak_bytes=peak,
        max_rss_bytes=max_rss_bytes(),
    )


def load_only(organization: Organization, cycle: Cycle, as_of: date) -> dict[str, int]:
    """Run the report's queries and turn the rows into engine points, computing nothing;
    rows read by table."""
    rows = load_report_rows(organization, cycle)
    for _ in measurement_groups(organization, as_of, rows.counts):
        pass
    for _ in checkin_groups(organization, rows.cycle_ids, as_of, rows.counts):
        pass
    return rows.counts


def max_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports KiB


def bare_sql(organization: Organization, cycle: Cycle, as_of: date) -> dict[str, int]:
    """Fetch the rows build_report reads with plain cursor SELECTs; row counts by table.

    The same filters as headway.reports.load, written by hand: nothing converted, nothing
    computed, so the time is the database's and the driver's share of the report.
    """
    q = connection.ops.quote_name
    objective, kr, checkin = (t._meta.db_table for t in (Objective, KeyResult, CheckIn))
    alignment, cycle_table = Alignment._meta.db_table, Cycle._meta.db_table
    team, user = Team._meta.db_table, User._meta.db_table
    kpi, measurement = KPI._meta.db_table, Measurement._meta.db_table
    end = connection.ops.adapt_datetimefield_value(day_end(as_of, organization.tz))
    org_id = organization.pk
    rows: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.child_id, a.parent_id, a.weight, c.cycle_id, p.cycle_id, p.ref"
            f" FROM {alignment} a JOIN {objective} c ON c.id = a.child_id"
            f" JOIN {objective} p ON p.id = a.parent_id"
            f" WHERE a.organization_id = %s ORDER BY a.id",
            [org_id],
        )
        links = cursor.fetchall()
        rows["alignment"] = len(links)
        cycle_ids = cycles_reached(cycle.pk, ((c, p, cc, pc) for c, p, _, cc, pc, _ in links))
        in_cycles = ", ".join(str(int(i)) for i in sorted(cycle_ids))

        cursor.execute(
            f"SELECT o.id, o.ref, o.title, o.kind, o.state, o.progress_mode, o.position,"
            f" t.name, u.email, cy.{q('start')}, cy.{q('end')}"
            f" FROM {objective} o JOIN {team} t ON t.id = o.team_id"
            f" LEFT JOIN {user} u ON u.id = o.owner_id"
            f" JOIN {cycle_table} cy ON cy.id = o.cycle_id"
            f" WHERE o.organization_id = %s AND o.cycle_id IN ({in_cycles})"
            f" ORDER BY o.position, o.id",
            [org_id],
        )
        rows["objectives"] = len(cursor.fetchall())

        cursor.execute(
            f"SELECT k.id, k.objective_id, k.ref, k.title, k.type, k.start, k.target, k.bound,"
            f" k.unit, k.weight, k.kpi_id, k.kpi_value, k.score_override, k.position"
            f" FROM {kr} k JOIN {objective} o ON o.id = k.objective_id"
            f" WHERE k.organization_id = %s AND o.cycle_id IN ({in_cycles})"
            f" ORDER BY k.objective_id, k.position, k.id",
            [org_id],
        )
        rows["key_results"] = len(cursor.fetchall())

        cursor.execute(
            f"SELECT c.key_result_id, c.at, c.value, c.done, c.confidence"
            f" FROM {checkin} c JOIN {kr} k ON k.id = c.key_result_id"
            f" JOIN {objective} o ON o.id = k.objective_id"
            f" WHERE c.organization_id = %s AND o.cycle_id IN ({in_cycles}) AND c.at < %s"
            f" ORDER BY c.key_result_id, c.at, c.id",
            [org_id, end],
        )
        rows["checkins"] = len(cursor.fetchall())

        cursor.execute(
            f"SELECT id, ref, name, unit, cadence, aggregation, direction, target, red, low,"
            f" high, tolerance FROM {kpi} WHERE organization_id = %s ORDER BY name, id",
            [org_id],
        )
        rows["kpis"] = len(cursor.fetchall())

        cursor.execute(
            f"SELECT kpi_id, at, value FROM {measurement}"
            f" WHERE organization_id = %s AND at < %s AND superseded_at IS NULL"
            f" ORDER BY kpi_id, at, id",
            [org_id, end],
        )
        rows["measurements"] = len(cursor.fetchall())
    return rows


def format_figures(figures: Figures, repeat: int) -> str:
    mib = 1024 * 1024
    per_table = ", ".join(f"{table} {count:,}" for table, count in figures.rows.items())
    report, bare, load = figures.report, figures.bare_sql, figures.load

    def row(
        label: str, wall: float, cpu: float, unit: str, note: str = "", spec: str = ".3f"
    ) -> str:
        return f"{label:<16}{wall:>10,{spec}}  {cpu:>9,{spec}} {unit}{note}".rstrip()

    lines = [
        f"rows read       {figures.total_rows:>10,}  ({per_table})",
        f"queries         {figures.queries:>10}",
        f"{'':<16}{'wall':>10}  {'CPU':>9}   (best of {repeat}; CPU of this process only)",
        row("report time", report.wall, report.cpu, "s", " (build_report)"),
        row(
            "without KPIs",
            figures.report_without_kpis.wall,
            figures.report_without_kpis.cpu,
            "s",
            " (with_kpis=False, as the objective pages ask)",
        ),
        row("bare SQL time", bare.wall, bare.cpu, "s", " (cursor SELECT of the same rows)"),
        row(
            "report/bare SQL",
            ratio(report.wall, bare.wall),
            ratio(report.cpu, bare.cpu),
            "x",
            spec=".1f",
        ),
        row("load time", load.wall, load.cpu, "s", " (queries + rows to points, no math)"),
        row(
            "rows/s", figures.rows_per_second, ratio(figures.total_rows, report.cpu), "", spec=".0f"
        ),
        f"peak memory     {figures.traced_peak_bytes / mib:>10.1f} MiB traced in build_report"
        f" (tracemalloc); max RSS {figures.max_rss_bytes / mib:.0f} MiB",
    ]
    return "\n".join(lines)
