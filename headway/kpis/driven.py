"""KPIs driving key results: a KPI's live points and results, and the `kpi` check-ins of the
key results that follow it."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from headway.audit.record import record_created
from headway.kpis.convert import kpi_spec
from headway.kpis.models import KPI, Measurement
from headway.numbers import (
    KPIResult,
    MeasurementPoint,
    SpecError,
    kpi_result,
    kr_result,
    period_of,
    shift,
)
from headway.okrs.convert import kr_spec
from headway.okrs.models import CheckIn, KeyResult
from headway.reports.build import rules_for, today_in

logger = logging.getLogger(__name__)


def _day_start(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def _latest_at(kpi: KPI, day: dt.date) -> dt.datetime | None:
    """When the KPI's last live measurement up to the end of ``day`` was taken."""
    return (
        Measurement.objects.filter(
            kpi=kpi,
            superseded_at=None,
            at__lt=_day_start(day + dt.timedelta(days=1), kpi.organization.tz),
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def live_points(kpi: KPI, as_of: dt.date, since: dt.date | None = None) -> list[MeasurementPoint]:
    """The KPI's live (not superseded) measurements from ``since`` (default: the first) to
    the end of ``as_of``, as engine points on the organization's calendar days, in order."""
    tz = kpi.organization.tz
    rows = Measurement.objects.filter(
        kpi=kpi, superseded_at=None, at__lt=_day_start(as_of + dt.timedelta(days=1), tz)
    )
    if since is not None:
        rows = rows.filter(at__gte=_day_start(since, tz))
    return [
        MeasurementPoint(at.astimezone(tz).date(), value)
        for at, value in rows.order_by("at", "id").values_list("at", "value")
    ]


def kpi_now(kpi: KPI, as_of: dt.date | None = None) -> KPIResult:
    """Everything the engine says about ``kpi`` as of ``as_of`` (default: today, org time)."""
    organization = kpi.organization
    day = as_of or today_in(organization)
    rules = rules_for(organization)
    tz = organization.tz
    # Only the last few periods decide current, previous, stale and deteriorating, so a KPI
    # with years of data is not read whole each time a point arrives.
    latest = _latest_at(kpi, day)
    since = None
    if latest is not None:
        last_period = period_of(min(latest.astimezone(tz).date(), day), kpi.cadence)
        since = shift(last_period, kpi.cadence, -(rules.deteriorating_count + 1)).start
    return kpi_result(kpi_spec(kpi), live_points(kpi, day, since), day, rules)


def update_driven_key_results(kpi: KPI, *, now: dt.datetime | None = None) -> int:
    """Give every KR driven by ``kpi`` a `kpi` check-in with its new current value.

    The value is what the report computes (headway.numbers ``kr_result`` with the KPI's
    live measurements and the KR's cycle, as of today); no check-in when it did not change.
    The check-in is history: the report always recomputes from the measurements.
    Returns the number of check-ins written.
    """
    now = now or timezone.now()
    last_value = (
        CheckIn.objects.filter(key_result=OuterRef("pk"))
        .exclude(value=None)
        .order_by("-at", "-id")
        .values("value")[:1]
    )
    key_results = list(
        KeyResult.objects.filter(organization_id=kpi.organization_id, kpi=kpi)
        .exclude(type=KeyResult.Type.MILESTONE)
        .select_related("objective__cycle")
        .annotate(last_value=Subquery(last_value))
    )
    if not key_results:
        return 0
    today = today_in(kpi.organization)
    # `latest` needs the last period with data, cycle totals their cycle: read no further back.
    tz = kpi.organization.tz
    latest = _latest_at(kpi, today)
    starts = [kr.objective.cycle.start for kr in key_results if kr.kpi_value not in ("", "latest")]
    if latest is not None:
        starts.append(period_of(latest.astimezone(tz).date(), kpi.cadence).start)
    points = live_points(kpi, today, min(starts)) if starts else []
    spec = kpi_spec(kpi)
    checkins = []
    for kr in key_results:
        cycle = kr.objective.cycle
        try:
            result = kr_result(
                kr_spec(kr),
                (),
                today,
                kpi=spec,
                measurements=points,
                cycle_start=cycle.start,
                cycle_end=cycle.end,
            )
        except SpecError:
            logger.warning("key result %s fails validation; not moved by its KPI", kr.ref)
            continue
        before = kr.last_value if kr.last_value is not None else kr.start
        if result.current is None or result.current == before:
            continue
        checkins.append(
            CheckIn(
                organization_id=kpi.organization_id,
                key_result=kr,
                value=result.current,
                at=now,
                source=CheckIn.Source.KPI,
                note=f"moved by KPI {kpi.ref}",
            )
        )
    record_created(CheckIn.objects.bulk_create(checkins))  # bulk_create sends no signals
    return len(checkins)
