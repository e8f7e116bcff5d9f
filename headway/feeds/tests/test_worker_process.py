"""Real `headway worker` processes: killed mid-task, stopped with SIGTERM, stopped by force.

Each worker is a subprocess on the test database (hence transactional tests: it only sees
committed rows). The sync it runs fetches from a local HTTP server that holds the request
until the test releases it, so the task is in flight for exactly as long as a test needs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.audit.models import AuditEvent
from headway.feeds.models import Source, SyncLog
from headway.feeds.tasks import sync_source
from headway.feeds.tests.helpers import LocalHTTP, drain
from headway.kpis.models import KPI, Measurement

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE_SECONDS = 90  # for anything a worker does, start-up included, on a busy machine
LOST_AFTER_SECONDS = 2  # HEADWAY_WORKER_LOST_AFTER of these workers: a quick recovery
SERIES = [
    {"t": "2026-10-01", "v": {"amount": 10.5}},
    {"t": "2026-10-02", "v": {"amount": 12}},
    {"t": "2026-10-03", "v": {"amount": 9.25}},
]


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def send(self, signum: int) -> None:
        # The whole process group, as systemd and a terminal do.
        os.killpg(self.process.pid, signum)

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"worker {self.name} did not exit:\n{self.output()}")


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(str(db["USER"] or ""), safe="")
    password = quote(str(db["PASSWORD"] or ""), safe="")
    host, port = db["HOST"] or "localhost", db["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def spawn(transactional_db: None, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `headway worker` processes; every one is gone when the test ends, pass or fail."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        HEADWAY_DATA_DIR=str(settings.DATA_DIR),
        HEADWAY_SECRET_KEY=settings.SECRET_KEY,  # the same key decrypts the source's fields
        HEADWAY_WORKER_LOST_AFTER=str(LOST_AFTER_SECONDS),
        HEADWAY_OUTBOUND_ALLOW="127.0.0.1/32",  # the local test HTTP server is the source
        HEADWAY_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.pop("HEADWAY_SECRET_KEY_FILE", None)
    started: list[WorkerProcess] = []

    def start(name: str, *options: str) -> WorkerProcess:
        log = (tmp_path / f"{name}.log").open("w+b")
        command = [sys.executable, "-m", "headway", "worker", "--worker-id", name, *options]
        process = subprocess.Popen(  # noqa: S603 (our own command)
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append(WorkerProcess(name, process, log))
        return started[-1]

    yield start
    for worker in started:
        if worker.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                worker.send(signal.SIGKILL)
        worker.process.wait(timeout=DEADLINE_SECONDS)
        worker.log.close()


def wait_for(check: Callable[[], bool], what: str, *workers: WorkerProcess) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not check():
        for worker in workers:
            if worker.process.poll() is not None:
                pytest.fail(
                    f"worker {worker.name} exited ({worker.process.returncode}) before {what}:\n"
                    f"{worker.output()}"
                )
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name}:\n{w.output()}" for w in workers)
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.05)


def held_sync(kpi: KPI, server: LocalHTTP) -> DBTaskResult[..., Any]:
    """A queued sync of an HTTP source whose first request the server holds."""
    server.responses["/stats"] = (200, {"data": {"series": SERIES}})
    server.hold_next_request()
    source = Source.objects.create(
        organization=kpi.organization,
        kpi=kpi,
        name="stats api",
        kind=Source.Kind.HTTP,
        url=server.url("/stats"),
        items_path="data.series",
        time_field="t",
        value_field="v.amount",
        next_run_at=timezone.now() + dt.timedelta(days=1),  # the scheduler leaves it alone
    )
    result = sync_source.enqueue(source.pk, "manual")
    return DBTaskResult.objects.get(pk=result.id)


def status(task: DBTaskResult[..., Any]) -> str:
    task.refresh_from_db()
    return str(task.status)


def test_a_killed_worker_loses_no_job(kpi, http_server, spawn):
    task = held_sync(kpi, http_server)
    first = spawn("first")
    wait_for(http_server.holding.is_set, "the first worker fetches", first)
    assert (status(task), task.worker_ids) == ("RUNNING", ["first"])

    first.send(signal.SIGKILL)
    assert first.wait() == -signal.SIGKILL
    assert status(task) == "RUNNING"  # nobody will finish it: its worker is gone

    second = spawn("second", "--tick", "0.2", "--interval", "0.1")
    wait_for(lambda: status(task) == "SUCCESSFUL", "the second worker finishes the sync", second)
    assert task.worker_ids == ["first", "second"]
    assert "requeued 1 task(s) of workers that stopped" in second.output()
    assert Measurement.objects.count() == 3
    log = SyncLog.objects.get()
    assert (log.trigger, log.error, log.created, log.duplicates) == ("manual", "", 3, 0)
    assert len(http_server.requests) == 2  # the fetch that died, then the one that finished

    second.send(signal.SIGTERM)  # idle: it stops at once, cleanly
    assert second.wait() == 0


def test_a_worker_killed_after_writing_leaves_nothing_to_write_twice(kpi, http_server, spawn):
    if connection.vendor != "postgresql":
        pytest.skip("holds the sync between its two writes with a table lock: PostgreSQL only")
    task = held_sync(kpi, http_server)
    http_server.release()
    with transaction.atomic(), connection.cursor() as cursor:
        # The worker writes the measurements, then waits on this lock to write the log.
        cursor.execute(f"LOCK TABLE {SyncLog._meta.db_table} IN EXCLUSIVE MODE")
        first = spawn("first")
        wait_for(lambda: Measurement.objects.count() == 3, "the measurements", first)
        first.send(signal.SIGKILL)
        assert first.wait() == -signal.SIGKILL
    assert SyncLog.objects.count() == 0
    audit_events = AuditEvent.objects.count()

    second = spawn("second", "--tick", "0.2", "--interval", "0.1")
    wait_for(lambda: status(task) == "SUCCESSFUL", "the second worker finishes the sync", second)
    assert task.worker_ids == ["first", "second"]
    log = SyncLog.objects.get()
    assert (log.error, log.created, log.duplicates, log.corrected) == ("", 0, 3, 0)
    assert Measurement.objects.count() == 3
    assert AuditEvent.objects.count() == audit_events


def test_sigterm_lets_the_running_task_finish_then_stops(kpi, http_server, spawn):
    task = held_sync(kpi, http_server)
    worker = spawn("w", "--interval", "0.1")
    wait_for(http_server.holding.is_set, "the worker fetches", worker)

    worker.send(signal.SIGTERM)
    wait_for(lambda: "stopping after the current task" in worker.output(), "the stop", worker)
    assert worker.process.poll() is None  # still in the task
    http_server.release()
    assert worker.wait() == 0
    assert (status(task), task.worker_ids) == ("SUCCESSFUL", ["w"])
    assert SyncLog.objects.get().created == 3


def test_a_second_signal_puts_the_running_task_back_in_the_queue(kpi, http_server, spawn):
    task = held_sync(kpi, http_server)
    worker = spawn("w", "--interval", "0.1")
    wait_for(http_server.holding.is_set, "the worker fetches", worker)

    worker.send(signal.SIGTERM)
    wait_for(lambda: "stopping after the current task" in worker.output(), "the stop", worker)
    worker.send(signal.SIGINT)  # Ctrl+C: no waiting for the task any more
    assert worker.wait() == 1
    assert "back in the queue" in worker.output()
    assert (status(task), task.started_at, task.worker_ids) == ("READY", None, ["w"])
    assert SyncLog.objects.count() == Measurement.objects.count() == 0

    drain("next")  # the next worker runs it from the start
    assert (status(task), task.worker_ids) == ("SUCCESSFUL", ["w", "next"])
    assert Measurement.objects.count() == 3
