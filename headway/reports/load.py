"""Everything one report reads, in a fixed number of queries.

The number of queries never depends on the organization's size (tests/test_queries.py holds
the count): one each for the alignment graph, the objectives, the key results, the KPIs,
the measurements and the check-ins. ``load_report_rows`` reads the first four (thousands of
rows at most). Measurements and check-ins, the large tables, are streamed as tuples in
(foreign key, time, id) order by ``measurement_groups`` and ``checkin_groups``, which yield
one KPI's or one key result's points at a time, localized to the organization's calendar
day, so the caller can compute that KPI or key result and drop its points: memory holds one
group, not the table. Nothing recorded after ``as_of`` is read.

An objective's progress may depend on aligned children in other cycles (a yearly objective
driven by quarterly ones), so the objectives of every cycle reached from the report's cycle
through the alignment graph are loaded too; only the report's own cycle is listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q

from headway.kpis.models import KPI, Measurement
from headway.numbers import CheckInPoint, MeasurementPoint
from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective
from headway.org.models import Organization

CHUNK_SIZE = 5000

# The columns the report reads (the model instances feed headway.okrs/kpis.convert).
KR_FIELDS = (
    "id",
    "objective_id",
    "ref",
    "title",
    "type",
    "start",
    "target",
    "bound",
    "unit",
    "weight",
    "kpi_id",
    "kpi_value",
    "score_override",
    "position",
)
OBJECTIVE_FIELDS = (
    "id",
    "ref",
    "title",
    "kind",
    "state",
    "progress_mode",
    "position",
    "team__name",
    "owner__email",
    "cycle__start",
    "cycle__end",
)
KPI_FIELDS = (
    "id",
    "ref",
    "name",
    "unit",
    "cadence",
    "aggregation",
    "direction",
    "target",
    "red",
    "low",
    "high",
    "tolerance",
)

Edge = tuple[int, int, Decimal]


Point = TypeVar("Point", CheckInPoint, MeasurementPoint)


@dataclass
class ReportRows:
    """The small tables behind one report, grouped the way the computation walks them."""

    # The report cycle's objectives and those of every cycle they depend on, by id.
    objectives: dict[int, Objective]
    # Ids of the report cycle's objectives to show, in display order.
    listed: list[int]
    # Alignment links (child_id, parent_id, weight) between loaded objectives.
    edges: list[Edge]
    # Refs of every parent of each objective, in link order (parents may be in any cycle).
    parent_refs: dict[int, list[str]]
    # Key results by objective id, in display order.
    key_results: dict[int, list[KeyResult]]
    # Every KPI of the organization by id (KPI-driven key results need them all).
    kpis: dict[int, KPI]
    # Ids of the KPIs to show, in display order.
    listed_kpis: list[int]
    # The ids of the cycles loaded, for checkin_groups.
    cycle_ids: set[int]
    # Rows read from the database by table (the streams add theirs), for benchmarks and logs.
    counts: dict[str, int] = field(default_factory=dict)


def day_end(as_of: date, tz: ZoneInfo) -> datetime:
    """The first instant after ``as_of`` in ``tz``: data at or after it is not read."""
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=tz)


def cycles_reached(cycle_id: int, links: Iterable[tuple[int, int, int, int]]) -> set[int]:
    """Ids of the cycles whose objectives the report of ``cycle_id`` needs.

    ``links`` are ``(child_id, parent_id, child_cycle_id, parent_cycle_id)``. Starting from
    the objectives of ``cycle_id``, every aligned descendant is followed, in any cycle.
    """
    children: dict[int, list[tuple[int, int]]] = {}
    frontier: list[int] = []
    for child, parent, child_cycle, parent_cycle in links:
        children.setdefault(parent, []).append((child, child_cycle))
        if parent_cycle == cycle_id:
            frontier.append(parent)
    cycles = {cycle_id}
    seen = set(frontier)
    while frontier:
        for child, child_cycle in children.get(frontier.pop(), ()):
            if child not in seen:
                seen.add(child)
                cycles.add(child_cycle)
                frontier.append(child)
    return cycles


def load_report_rows(
    organization: Organization,
    cycle: Cycle,
    *,
    objective_filter: Q | None = None,
    kpi_filter: Q | None = None,
) -> ReportRows:
    """Read the alignment graph, objectives, key results and KPIs in four queries.

    ``objective_filter`` and ``kpi_filter`` narrow which of the cycle's objectives and which
    KPIs are listed (a permission layer passes them); they never change a computed number,
    so hidden children still count toward their parents' progress.
    """
    counts: dict[str, int] = {}

    # 1. The alignment graph of the whole organization (small: one row per link).
    links = list(
        Alignment.objects.filter(organization=organization)
        .order_by("id")
        .values_list(
            "child_id", "parent_id", "weight", "child__cycle_id", "parent__cycle_id", "parent__ref"
        )
    )
    counts["alignment"] = len(links)
    cycle_ids = cycles_reached(cycle.pk, ((c, p, cc, pc) for c, p, _, cc, pc, _ in links))

    # 2. Objectives of the report's cycle and of the cycles it depends on.
    listed_q = Q(cycle_id=cycle.pk)
    if objective_filter is not None:
        listed_q &= Q(
            Exists(Objective.objects.filter(objective_filter, pk=OuterRef("pk")).values("pk"))
        )
    objectives_qs = (
        Objective.objects.filter(organization=organization, cycle_id__in=cycle_ids)
        .select_related("team", "owner", "cycle")
        .only(*OBJECTIVE_FIELDS)
        .annotate(listed=listed_q)
        .order_by("position", "id")
    )
    objectives: dict[int, Objective] = {}
    listed: list[int] = []
    for objective in objectives_qs:
        objectives[objective.pk] = objective
        if objective.listed:
            listed.append(objective.pk)
    counts["objectives"] = len(objectives)

    edges: list[Edge] = []
    parent_refs: dict[int, list[str]] = {}
    for child, parent, weight, _, _, parent_ref in links:
        parent_refs.setdefault(child, []).append(parent_ref)
        if child in objectives and parent in objectives:
            edges.append((child, parent, weight))

    # 3. Their key results.
    key_results: dict[int, list[KeyResult]] = {}
    kr_rows = (
        KeyResult.objects.filter(organization=organization, objective__cycle_id__in=cycle_ids)
        .only(*KR_FIELDS)
        .order_by("objective_id", "position", "id")
    )
    for kr in kr_rows:
        key_results.setdefault(kr.objective_id, []).append(kr)
    counts["key_results"] = sum(len(krs) for krs in key_results.values())

    # 4. Every KPI of the organization.
    kpis_qs = KPI.objects.filter(organization=organization).only(*KPI_FIELDS).order_by("name", "id")
    if kpi_filter is not None:
        kpis_qs = kpis_qs.annotate(
            listed=Exists(KPI.objects.filter(kpi_filter, pk=OuterRef("pk")).values("pk"))
        )
    kpis: dict[int, KPI] = {}
    listed_kpis: list[int] = []
    for kpi in kpis_qs:
        kpis[kpi.pk] = kpi
        if kpi_filter is None or kpi.listed:  # type: ignore[attr-defined]
            listed_kpis.append(kpi.pk)
    counts["kpis"] = len(kpis)

    return ReportRows(
        objectives=objectives,
        listed=listed,
        edges=edges,
        parent_refs=parent_refs,
        key_results=key_results,
        kpis=kpis,
        listed_kpis=listed_kpis,
        cycle_ids=cycle_ids,
        counts=counts,
    )


def measurement_groups(
    organization: Organization, as_of: date, counts: dict[str, int]
) -> Iterator[tuple[int, list[MeasurementPoint]]]:
    """``(kpi_id, points)`` for every KPI with measurements up to ``as_of``, one query.

    Superseded rows are history kept by corrections; only live rows count.
    """
    rows = (
        Measurement.objects.filter(
            organization=organization,
            at__lt=day_end(as_of, organization.tz),
            superseded_at=None,
        )
        .order_by("kpi_id", "at", "id")
        .values_list("kpi_id", "at", "value")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return _groups(
        rows,
        organization.tz,
        as_of,
        counts,
        "measurements",
        lambda day, r: MeasurementPoint(day, r[2]),
    )


def checkin_groups(
    organization: Organization, cycle_ids: set[int], as_of: date, counts: dict[str, int]
) -> Iterator[tuple[int, list[CheckInPoint]]]:
    """``(key_result_id, points)`` for every key result of ``cycle_ids`` with check-ins up to
    ``as_of``, one query."""
    rows = (
        CheckIn.objects.filter(
            organization=organization,
            key_result__objective__cycle_id__in=cycle_ids,
            at__lt=day_end(as_of, organization.tz),
        )
        .order_by("key_result_id", "at", "id")
        .values_list("key_result_id", "at", "value", "done", "confidence")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return _groups(
        rows,
        organization.tz,
        as_of,
        counts,
        "checkins",
        lambda day, r: CheckInPoint(day, r[2], r[3], r[4]),
    )


def _groups(
    rows: Iterator[Any],
    tz: ZoneInfo,
    as_of: date,
    counts: dict[str, int],
    table: str,
    point: Callable[[date, Any], Point],
) -> Iterator[tuple[int, list[Point]]]:
    """Rows ``(fk, at, ...)`` sorted by fk, as ``(fk, points)`` one fk at a time.

    ``at`` is localized to a day in ``tz``; a row after ``as_of`` there (possible only
    around a time-zone change) is skipped. ``counts[table]`` ends as the rows read.
    """
    read = 0
    current: int | None = None
    points: list[Point] = []
    try:
        for row in rows:
            read += 1
            day = row[1].astimezone(tz).date()
            if day > as_of:
                continue
            if row[0] != current:
                if points:
                    assert current is not None
                    yield current, points
                current, points = row[0], []
            points.append(point(day, row))
        if points:
            assert current is not None
            yield current, points
    finally:
        counts[table] = read
