import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.feeds import scheduler
from headway.feeds.models import Source, SyncLog, WorkerHeartbeat
from headway.feeds.tasks import sync_source
from headway.feeds.tests.helpers import drain
from headway.kpis.models import Measurement


@pytest.fixture
def source(kpi, sqlite_dir):
    path = sqlite_dir / "w.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE d (day TEXT, amount TEXT)")
        db.execute("INSERT INTO d VALUES ('2026-10-01', '5')")
    return Source.objects.create(
        organization=kpi.organization,
        kpi=kpi,
        name="w",
        kind=Source.Kind.SQL,
        database_url=f"sqlite:///{path}",
        query="SELECT day, amount FROM d",
        schedule=Source.Schedule.INTERVAL,
        interval_minutes=60,
        next_run_at=timezone.now() - dt.timedelta(minutes=1),
    )


def test_it_claims_a_due_source_once_and_enqueues_only_after_commit(
    source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert scheduler.claim_due_sources() == [source.pk]
        assert DBTaskResult.objects.count() == 0  # nothing queued before the commit
        assert scheduler.claim_due_sources() == []  # the lease moved next_run_at
    assert len(callbacks) == 1
    callbacks[0]()
    assert DBTaskResult.objects.get().args_kwargs["args"] == [source.pk, "schedule"]

    assert drain() == 1
    source.refresh_from_db()
    assert Measurement.objects.get().value == Decimal(5)
    assert SyncLog.objects.get().trigger == "schedule"
    # Back on its schedule: an hour from now.
    assert source.next_run_at > timezone.now() + dt.timedelta(minutes=59)


def test_it_does_not_claim_a_source_another_worker_moved_first(source):
    seen = source.next_run_at
    Source.objects.filter(pk=source.pk).update(next_run_at=seen + dt.timedelta(seconds=1))
    # This worker read `seen`; its conditional UPDATE matches nothing.
    assert Source.objects.filter(pk=source.pk, next_run_at=seen).update(next_run_at=None) == 0


def test_it_requeues_the_task_of_a_silent_worker(source):
    # The race-safe update, quickly; test_worker_process.py kills real workers.
    sync_source.enqueue(source.pk, "manual")
    task = DBTaskResult.objects.get()
    task.claim("killed-worker")  # a worker took it, then died without finishing
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="killed-worker", seen_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="alive", seen_at=timezone.now())

    assert scheduler.requeue_lost_tasks() == 1
    assert drain("alive") == 1
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.worker_ids == ["killed-worker", "alive"]
    assert Measurement.objects.count() == 1


def test_it_waits_for_the_configured_silence_before_requeuing(source, settings):
    settings.WORKER_LOST_AFTER = 60
    sync_source.enqueue(source.pk, "manual")
    task = DBTaskResult.objects.get()
    task.claim("new-worker")  # claimed just now, before the worker's first beat
    now = timezone.now()
    assert scheduler.heartbeat() == dt.timedelta(seconds=5)
    assert scheduler.requeue_lost_tasks(now + dt.timedelta(seconds=59)) == 0
    assert scheduler.requeue_lost_tasks(now + dt.timedelta(seconds=61)) == 1
    task.refresh_from_db()
    assert (task.status, task.started_at) == ("READY", None)


@pytest.mark.django_db(transaction=True)
def test_a_worker_restarted_with_the_same_id_requeues_what_it_was_running(source):
    # Its own heartbeat would make the task look alive forever to the other workers.
    Source.objects.filter(pk=source.pk).update(next_run_at=timezone.now() + dt.timedelta(days=1))
    sync_source.enqueue(source.pk, "manual")
    task = DBTaskResult.objects.get()
    task.claim("fixed")
    call_command("worker", "--batch", "--no-scheduler", "--worker-id", "fixed")
    task.refresh_from_db()
    assert (task.status, task.worker_ids) == ("SUCCESSFUL", ["fixed", "fixed"])
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize(
    "option",
    [
        ("--interval", "-1"),
        ("--tick", "nan"),
        ("--max-tasks", "0"),
        ("--worker-id", ""),
        ("--worker-id", "x" * 65),
    ],
)
def test_it_rejects_bad_options(option):
    with pytest.raises(CommandError):
        call_command("worker", "--batch", *option)


def test_it_leaves_the_task_of_a_live_worker_alone(source):
    sync_source.enqueue(source.pk, "manual")
    task = DBTaskResult.objects.get()
    task.claim("busy")
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=1)
    )
    WorkerHeartbeat.objects.create(worker_id="busy", seen_at=timezone.now())
    assert scheduler.requeue_lost_tasks() == 0


@pytest.mark.django_db(transaction=True)
def test_it_runs_due_syncs_from_the_worker_command(source):
    call_command("worker", "--batch", "--worker-id", "batch-1")
    assert Measurement.objects.count() == 1
    assert SyncLog.objects.get().error == ""
    assert WorkerHeartbeat.objects.filter(worker_id="batch-1").exists()


def test_it_runs_a_source_saved_without_a_next_run_and_skips_a_removed_one(
    source, django_capture_on_commit_callbacks
):
    Source.objects.filter(pk=source.pk).update(next_run_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.claim_due_sources() == [source.pk]
    source.delete()
    assert drain() == 1
    assert DBTaskResult.objects.get().return_value == "the source was removed"
