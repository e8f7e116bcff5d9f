"""Everything one report reads, in a fixed number of queries.

The number of queries never depends on the organization's size (tests/test_queries.py holds
the count): one each for the alignment graph, the objectives, the key results, the KPIs,
the measurements and the check-ins. ``load_report_rows`` reads the first four (thousands of
rows at most). Measurements and check-ins, the large tables, are streamed as the driver's
tuples in (foreign key, time, id) order by ``measurement_groups`` and ``checkin_groups``,
which yield one KPI's or one key result's points at a time, localized to the organization's
calendar day, so the caller can compute that KPI or key result and drop its points: memory
holds one group, not the table. Nothing recorded after ``as_of`` is read, and a report that
lists no KPI reads only the measurements of the KPIs that drive key results.

The three columns a point needs (time, value, done) are converted here, once, instead of by
Django's per-row converters, which took a quarter of a large report's time.

An objective's progress may depend on aligned children in other cycles (a yearly objective
driven by quarterly ones), so the objectives of every cycle reached from the report's cycle
through the alignment graph are loaded too; only the report's own cycle is listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.sql.constants import MULTI
from django.utils.dateparse import parse_datetime

from headway.fields import ExactDecimalField
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
    with_kpis: bool = True,
) -> ReportRows:
    """Read the alignment graph, objectives, key results and KPIs in four queries.

    ``objective_filter`` and ``kpi_filter`` narrow which of the cycle's objectives and which
    KPIs are listed (a permission layer passes them); they never change a computed number,
    so hidden children still count toward their parents' progress. ``with_kpis=False``
    lists no KPI at all.
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
    if with_kpis and kpi_filter is not None:
        kpis_qs = kpis_qs.annotate(
            listed=Exists(KPI.objects.filter(kpi_filter, pk=OuterRef("pk")).values("pk"))
        )
    kpis: dict[int, KPI] = {}
    listed_kpis: list[int] = []
    for kpi in kpis_qs:
        kpis[kpi.pk] = kpi
        if with_kpis and (kpi_filter is None or kpi.listed):  # type: ignore[attr-defined]
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


def driving_kpis(organization: Organization, cycle_ids: set[int]) -> QuerySet[Any]:
    """The ids of the KPIs that drive a key result of ``cycle_ids``, as a subquery (for
    ``measurement_groups``: a subquery keeps the query count fixed whatever their number)."""
    return KeyResult.objects.filter(
        organization=organization, objective__cycle_id__in=cycle_ids, kpi__isnull=False
    ).values("kpi_id")


def measurement_groups(
    organization: Organization,
    as_of: date,
    counts: dict[str, int],
    *,
    only_kpis: QuerySet[Any] | None = None,
) -> Iterator[tuple[int, list[MeasurementPoint]]]:
    """``(kpi_id, points)`` for every KPI with measurements up to ``as_of``, one query.

    ``only_kpis``, a queryset of KPI ids (``.values("kpi_id")`` or the like), limits the rows
    read to those KPIs, inside the same query. Superseded rows are history kept by
    corrections; only live rows count.
    """
    rows = Measurement.objects.filter(
        organization=organization,
        at__lt=day_end(as_of, organization.tz),
        superseded_at=None,
    )
    if only_kpis is not None:
        rows = rows.filter(kpi_id__in=only_kpis)
    day_of = local_days(organization.tz, Measurement, rows.db)
    value = stored_decimals(Measurement, "value")
    return _groups(
        raw_rows(rows.order_by("kpi_id", "at", "id").values_list("kpi_id", "at", "value")),
        day_of,
        as_of,
        counts,
        "measurements",
        lambda day, r: MeasurementPoint(day, cast(Decimal, value(r[2]))),  # NOT NULL column
    )


def checkin_groups(
    organization: Organization, cycle_ids: set[int], as_of: date, counts: dict[str, int]
) -> Iterator[tuple[int, list[CheckInPoint]]]:
    """``(key_result_id, points)`` for every key result of ``cycle_ids`` with check-ins up to
    ``as_of``, one query."""
    rows = CheckIn.objects.filter(
        organization=organization,
        key_result__objective__cycle_id__in=cycle_ids,
        at__lt=day_end(as_of, organization.tz),
    )
    day_of = local_days(organization.tz, CheckIn, rows.db)
    value = stored_decimals(CheckIn, "value")
    return _groups(
        raw_rows(
            rows.order_by("key_result_id", "at", "id").values_list(
                "key_result_id", "at", "value", "done", "confidence"
            )
        ),
        day_of,
        as_of,
        counts,
        "checkins",
        lambda day, r: CheckInPoint(day, value(r[2]), _boolean(r[3]), r[4]),
    )


def raw_rows(queryset: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset as the database driver returns them, streamed
    like ``.iterator(chunk_size=CHUNK_SIZE)`` (a server-side cursor on PostgreSQL).

    Django's per-row converters (parse and attach a time zone to every datetime, the decimal
    field's ``from_db_value``) cost more than the query itself on the large tables, so the
    callers convert the columns they read with ``local_days`` and ``stored_decimals``.
    """
    compiler = queryset.query.get_compiler(using=queryset.db)
    chunked = not connections[queryset.db].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    for chunk in compiler.execute_sql(MULTI, chunked_fetch=chunked, chunk_size=CHUNK_SIZE):
        yield from chunk


# Distinct timestamps remembered by local_days; measurements of many KPIs share a few times
# of day (a feed at midnight, a daily job), check-ins rarely do. Bounds the memory it takes.
DAY_MEMO_SIZE = 4096


def local_days(tz: ZoneInfo, model: type[Model], using: str) -> Callable[[Any], date]:
    """A function from a stored ``at`` of ``model`` (as the driver returns it) to its calendar
    day in ``tz``.

    The same conversion Django applies, then ``astimezone(tz).date()``: text (SQLite without
    the column's declared type) is parsed, and a naive value is in the connection's time zone
    (UTC: SQLite stores aware datetimes as naive UTC text; PostgreSQL returns them aware).
    Days are memoized by stored value, a bounded number at a time.
    """
    stored_tz = connections[using].timezone if settings.USE_TZ else None
    memo: dict[Any, date] = {}

    def day(stored: Any) -> date:
        found = memo.get(stored)
        if found is not None:
            return found
        value = stored if isinstance(stored, datetime) else parse_datetime(stored)
        if value is None:
            raise ValueError(f"{model.__name__}.at: bad stored value {stored!r}")
        if stored_tz is not None and value.utcoffset() is None:
            # value.replace(tzinfo=stored_tz), as make_aware does, at half the cost.
            value = datetime.combine(value.date(), value.time(), stored_tz)
        if len(memo) >= DAY_MEMO_SIZE:
            memo.clear()
        found = memo[stored] = value.astimezone(tz).date()
        return found

    return day


def stored_decimals(model: type[Model], name: str) -> Callable[[Any], Decimal | None]:
    """A function from a stored value of ``model.name`` (an ExactDecimalField, as the driver
    returns it: TEXT on SQLite, ``Decimal`` on PostgreSQL) to its Decimal, exactly as the
    field's ``from_db_value`` (which still words the error for a bad stored value)."""
    field = model._meta.get_field(name)
    assert isinstance(field, ExactDecimalField)

    def convert(stored: Any) -> Decimal | None:
        if stored is None or type(stored) is Decimal:
            return stored
        if type(stored) is str:
            try:
                return Decimal(stored)
            except InvalidOperation:
                pass
        return field.from_db_value(stored, None, None)

    return convert


def _boolean(stored: Any) -> Any:
    # Django's SQLite converter for a BooleanField (PostgreSQL returns bool or None already).
    return bool(stored) if stored in (0, 1) else stored


def _groups(
    rows: Iterator[Any],
    day_of: Callable[[Any], date],
    as_of: date,
    counts: dict[str, int],
    table: str,
    point: Callable[[date, Any], Point],
) -> Iterator[tuple[int, list[Point]]]:
    """Rows ``(fk, at, ...)`` sorted by fk, as ``(fk, points)`` one fk at a time.

    ``at`` is localized to a day by ``day_of``; a row after ``as_of`` there (possible only
    around a time-zone change) is skipped. ``counts[table]`` ends as the rows read.
    """
    read = 0
    current: int | None = None
    points: list[Point] = []
    try:
        for row in rows:
            read += 1
            day = day_of(row[1])
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
