"""One sync of a pull source: fetch, keep the points inside the window, record, log.

The write goes through ``record_measurements`` in one transaction with keys derived from
the source and the time, so a re-run changes nothing, a changed upstream value becomes a
correction, and a failure (unreachable server, bad row) writes no measurement at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from headway.feeds.models import Source, SyncLog
from headway.feeds.pull import Point, SourceError, fetch
from headway.feeds.schedule import next_run, retry_at
from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import Measurement
from headway.numbers import period_of
from headway.org.access import system_actor
from headway.reports.build import today_in

logger = logging.getLogger(__name__)


def source_key(source: Source, at: dt.datetime) -> str:
    return f"src{source.pk}:{at.astimezone(dt.UTC).isoformat()}"


def in_window(
    source: Source,
    points: list[Point],
    today: dt.date,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Point]:
    """The points a sync records: from ``since`` (else the backfill start) to ``until``,
    and only periods that ended ``collect_after_days`` ago when a delay is set."""
    tz = source.organization.tz
    since = since or source.backfill_from
    cadence = source.kpi.cadence
    delay = source.collect_after_days
    kept = []
    for at, value in points:
        day = at.astimezone(tz).date()
        if since is not None and day < since:
            continue
        if until is not None and day > until:
            continue
        if delay is not None and period_of(day, cadence).end + dt.timedelta(days=delay) > today:
            continue
        kept.append((at, value))
    return kept


def run_sync(
    source_id: int,
    trigger: str = SyncLog.Trigger.SCHEDULE,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> SyncLog:
    source = Source.objects.select_related("kpi__organization", "organization").get(pk=source_id)
    started = timezone.now()
    clock = time.perf_counter()
    log = SyncLog(
        organization_id=source.organization_id,
        source=source,
        trigger=trigger,
        started_at=started,
    )
    try:
        points = fetch(source)
        log.rows = len(points)
        kept = in_window(source, points, today_in(source.organization), since, until)
        log.skipped = len(points) - len(kept)
        result = record_measurements(
            system_actor(source.organization),
            source.kpi,
            [MeasurementInput(at, value, key=source_key(source, at)) for at, value in kept],
            source=Measurement.Source.FEED,
        )
        log.created, log.duplicates, log.corrected = (
            result.created,
            result.duplicates,
            result.corrected,
        )
    except (SourceError, ValidationError) as e:
        log.error = _describe(e)
    except Exception as e:  # a bug or an unexpected driver failure: logged, retried
        logger.exception("sync of source %s failed", source_id)
        log.error = f"{type(e).__name__}: {e}"
    log.duration_ms = round((time.perf_counter() - clock) * 1000)
    now = timezone.now()
    with transaction.atomic():
        log.save()
        if log.error:
            was_failing = source.failures > 0
            source.failures += 1
            source.last_error = log.error
            source.next_run_at = retry_at(source.failures, now)
            if not was_failing:
                from headway.alerts.evaluate import fire

                fire(source.kpi, "source_failed", f"{source.name} failed: {log.error}"[:1000])
        else:
            source.failures = 0
            source.last_error = ""
            if trigger == SyncLog.Trigger.SCHEDULE or source.next_run_at is None:
                source.next_run_at = next_run(source, now)
        Source.objects.filter(pk=source.pk).update(
            failures=source.failures, last_error=source.last_error, next_run_at=source.next_run_at
        )
    return log


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())[:2000]
    return str(error)[:2000]
