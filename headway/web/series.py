"""Series behind the charts: the per-KR and per-KPI numbers that the report does not list.

Computed with headway.numbers only (the same functions the report uses), rounded for display
with headway.reports.numbers_out, and handed to headway.web.charts as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from headway.kpis.convert import kpi_spec
from headway.kpis.models import KPI, Measurement
from headway.numbers import CheckInPoint, MeasurementPoint, kr_result, period_label, period_values
from headway.okrs.convert import kr_spec
from headway.okrs.models import CheckIn, KeyResult
from headway.org.models import Organization
from headway.reports.load import day_end
from headway.reports.numbers_out import out_ratio, out_value

Number = int | float


@dataclass(frozen=True)
class KRSeries:
    """A KR over its cycle: one point per check-in day, and the straight expected line."""

    title: str
    unit: str
    as_percent: bool  # milestone and threshold KRs are drawn as progress (0-100 %)
    points: list[tuple[date, Number]]
    expected: list[tuple[date, Number]]  # two points: cycle start and the line's end
    target: Number | None


@dataclass(frozen=True)
class KPISeries:
    name: str
    unit: str
    direction: str
    periods: list[tuple[str, date, Number]]  # label, period start, aggregated value
    target: Number | None
    red: Number | None
    low: Number | None
    high: Number | None


def _measurements(
    org: Organization, kpi_ids: list[int], as_of: date
) -> dict[int, list[MeasurementPoint]]:
    tz = org.tz
    rows = Measurement.objects.filter(
        organization=org, kpi_id__in=kpi_ids, superseded_at=None, at__lt=day_end(as_of, tz)
    )
    points: dict[int, list[MeasurementPoint]] = {}
    for kpi_id, at, value in rows.order_by("kpi_id", "at", "id").values_list(
        "kpi_id", "at", "value"
    ):
        points.setdefault(kpi_id, []).append(MeasurementPoint(at.astimezone(tz).date(), value))
    return points


def kr_series(kr: KeyResult, as_of: date) -> KRSeries:
    """Progress (or value) of ``kr`` after each check-in day up to ``as_of``."""
    objective = kr.objective
    cycle = objective.cycle
    org = objective.organization
    tz = org.tz
    checkins = [
        CheckInPoint(at.astimezone(tz).date(), value, done, confidence)
        for at, value, done, confidence in CheckIn.objects.filter(
            key_result=kr, at__lt=day_end(as_of, tz)
        )
        .order_by("at", "id")
        .values_list("at", "value", "done", "confidence")
    ]
    spec = kr_spec(kr)
    kpi_id = kr.kpi_id
    kpi = kpi_spec(kr.kpi) if kpi_id is not None and kr.kpi else None
    measurements: list[MeasurementPoint] = []
    if kpi is not None and kpi_id is not None:
        measurements = _measurements(org, [kpi_id], as_of).get(kpi_id, [])
    days = sorted({c.day for c in checkins} | {m.day for m in measurements} | {cycle.start})
    days = [d for d in days if cycle.start <= d <= min(as_of, cycle.end)]
    as_percent = kr.type != KeyResult.Type.METRIC
    points: list[tuple[date, Number]] = []
    for day in days:
        result = kr_result(
            spec,
            checkins,
            day,
            kpi=kpi,
            measurements=measurements,
            cycle_start=cycle.start,
            cycle_end=cycle.end,
        )
        value = out_ratio(result.progress * 100) if as_percent else out_value(result.current)
        if value is not None:
            points.append((day, value))
    line_end = cycle.end
    if as_percent:
        expected: list[tuple[date, Number]] = [(cycle.start, 0), (line_end, 100)]
        target: Number | None = 100
    else:
        start, end_value = out_value(kr.start), out_value(kr.target)
        expected = (
            []
            if start is None or end_value is None
            else [(cycle.start, start), (line_end, end_value)]
        )
        target = end_value
    return KRSeries(kr.title, "%" if as_percent else kr.unit, as_percent, points, expected, target)


def kpi_series(kpi: KPI, as_of: date, limit: int = 24) -> KPISeries:
    """The KPI's aggregated value per period, the last ``limit`` periods up to ``as_of``."""
    org = kpi.organization
    measurements = _measurements(org, [kpi.pk], as_of).get(kpi.pk, [])
    values = period_values(kpi_spec(kpi), measurements, as_of)[-limit:]
    periods: list[tuple[str, date, Number]] = []
    for period, value in values:
        shown = out_value(value)
        assert shown is not None
        periods.append((period_label(period, kpi.cadence), period.start, shown))
    return KPISeries(
        kpi.name,
        kpi.unit,
        kpi.direction,
        periods,
        out_value(kpi.target),
        out_value(kpi.red),
        out_value(kpi.low),
        out_value(kpi.high),
    )
