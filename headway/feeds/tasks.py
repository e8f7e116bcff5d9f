"""Feed work run by `headway worker` (django-tasks)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from headway.feeds.models import SyncLog


@task()
def sync_source(source_id: int, trigger: str = "schedule", since: str = "", until: str = "") -> str:
    from headway.feeds.models import Source
    from headway.feeds.sync import run_sync

    if not Source.objects.filter(pk=source_id).exists():
        return "the source was removed"
    log = run_sync(
        source_id,
        SyncLog.Trigger(trigger),
        dt.date.fromisoformat(since) if since else None,
        dt.date.fromisoformat(until) if until else None,
    )
    return log.error or f"{log.created} new, {log.corrected} corrected, {log.duplicates} known"


@task()
def sweep_alerts() -> int:
    from headway.alerts.evaluate import sweep_staleness

    return sweep_staleness()
