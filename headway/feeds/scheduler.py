"""The scheduler half of `headway worker`: due syncs, alert sweeps, lost tasks.

Each tick claims due sources with a conditional UPDATE (healthchecks' sendalerts style):
``next_run_at`` moves from the value read to a lease in the future only if nobody moved
it first, so two workers never start the same sync. The sync task is enqueued after that
commit; when it finishes it sets the real next run (or a back-off after a failure). If the
task is lost altogether, the lease expires and the source comes due again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.feeds.models import Source, WorkerHeartbeat
from headway.feeds.queue import enqueue_after_commit

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=30)
SWEEP_EVERY = dt.timedelta(minutes=15)
CLAIM_LIMIT = 100


def lost_after() -> dt.timedelta:
    """How long a worker may stay silent before it counts as gone (killed, machine lost)."""
    return dt.timedelta(seconds=settings.WORKER_LOST_AFTER)


def heartbeat() -> dt.timedelta:
    # Twelve beats in the silence that counts as death: a busy database may swallow a few.
    return lost_after() / 12


def beat(worker_id: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})


def claim_due_sources(now: dt.datetime | None = None) -> list[int]:
    """Claim the due sources and enqueue their syncs (after commit); returns their ids."""
    from headway.feeds.tasks import sync_source

    now = now or timezone.now()
    # A source saved without a next run (admin, API) is due at once.
    due = list(
        Source.objects.filter(Q(next_run_at__lte=now) | Q(next_run_at=None), enabled=True)
        .order_by(F("next_run_at").asc(nulls_first=True))
        .values_list("id", "next_run_at")[:CLAIM_LIMIT]
    )
    claimed = []
    with transaction.atomic():
        for pk, seen in due:
            if Source.objects.filter(pk=pk, next_run_at=seen).update(next_run_at=now + LEASE):
                claimed.append(pk)
                enqueue_after_commit(sync_source, pk, "schedule")
    return claimed


def requeue(pk: Any, started: dt.datetime | None) -> int:
    """Put one running task back in the queue, unless that run ended (or restarted) meanwhile."""
    return DBTaskResult.objects.filter(pk=pk, status="RUNNING", started_at=started).update(
        status="READY", started_at=None
    )


def _running() -> list[tuple[Any, list[str], dt.datetime | None]]:
    return list(
        DBTaskResult.objects.filter(status="RUNNING").values_list("id", "worker_ids", "started_at")
    )


def requeue_lost_tasks(now: dt.datetime | None = None) -> int:
    """Put back in the queue every running task whose worker stopped beating.

    Tasks are written to be safe to run twice (syncs are idempotent; a delivery already
    sent is skipped), so a task that was half done runs again from the start.
    """
    now = now or timezone.now()
    silence = lost_after()
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - silence).values_list(
            "worker_id", flat=True
        )
    )
    requeued = 0
    for pk, worker_ids, started in _running():
        if worker_ids and worker_ids[-1] in alive:
            continue
        if started is not None and started > now - silence:
            continue  # just claimed; its worker may not have beaten yet
        requeued += requeue(pk, started)
    if requeued:
        logger.warning("requeued %d task(s) of workers that stopped", requeued)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - 10 * silence).delete()
    return requeued


def requeue_own_tasks(worker_id: str) -> int:
    """At start-up: tasks left running under this worker id belong to an earlier process
    with the same fixed id (`--worker-id`), killed; this one's heartbeat would hide them."""
    requeued = sum(
        requeue(pk, started)
        for pk, worker_ids, started in _running()
        if worker_ids and worker_ids[-1] == worker_id
    )
    if requeued:
        logger.warning("requeued %d task(s) of an earlier worker %s", requeued, worker_id)
    return requeued


def tick(worker_id: str, now: dt.datetime | None = None, *, sweep: bool = False) -> None:
    from headway.feeds.tasks import sweep_alerts

    now = now or timezone.now()
    beat(worker_id, now)
    requeue_lost_tasks(now)
    claim_due_sources(now)
    if sweep:
        with transaction.atomic():
            enqueue_after_commit(sweep_alerts)
