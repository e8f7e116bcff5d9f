"""`headway worker`: the django-tasks-db worker plus the scheduler of sources and alerts.

Stopping: the first SIGTERM or SIGINT lets the running task finish, then the worker exits 0;
a second one puts the task back in the queue and exits 1. A worker killed outright (SIGKILL,
machine lost) stops beating, and another worker's scheduler queues its task again.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_interval,
    valid_max_tasks,
    validate_worker_id,
)
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from headway.feeds import scheduler

logger = logging.getLogger("headway.worker")

NAP = 0.2  # longest sleep between checks for a stop signal


class WorkerStopped(BaseException):
    """Raised inside a task on a second stop signal; not an Exception, so tasks let it pass."""


class HeadwayWorker(Worker):
    """Runs tasks like db_worker and, between them, a scheduler tick every ``tick`` seconds."""

    def __init__(self, *, tick: float, scheduler_on: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tick = tick
        self.scheduler_on = scheduler_on
        self.last_tick = 0.0
        self.last_sweep = 0.0

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        # Unlike db_worker, the first signal never raises: raised between a claim and the
        # task, or while a tick queues syncs, it would strand work until it is recovered.
        name = signal.strsignal(signum)
        if self.running:
            self.running = False
            logger.warning("%s: stopping after the current task (again to stop now)", name)
            return
        self.reset_signals()
        if self.running_task:
            logger.warning("%s again: putting the current task back in the queue", name)
            raise WorkerStopped
        logger.warning("%s again: stopping now", name)
        sys.exit(1)

    def scheduler_tick(self) -> None:
        monotonic = time.monotonic()
        if not self.scheduler_on or monotonic - self.last_tick < self.tick:
            return
        self.last_tick = monotonic
        sweep = monotonic - self.last_sweep >= scheduler.SWEEP_EVERY.total_seconds()
        if sweep:
            self.last_sweep = monotonic
        try:
            scheduler.tick(self.worker_id, sweep=sweep)
        except OperationalError as e:
            if not is_locked_database_exception(e):
                raise

    def next_task(self) -> DBTaskResult[..., Any] | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result
            except OperationalError as e:
                if is_locked_database_exception(e):
                    return None
                raise

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        # db_worker's run_task, except that a forced stop requeues the task instead of
        # recording it as failed: tasks are safe to run again, a failure would lose it.
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                context = TaskContext(task_result=task_result)
                value = task.call(context, *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except WorkerStopped:
            self.running_task = False
            release(db_task_result)
            raise SystemExit(1) from None
        except BaseException as e:
            db_task_result.set_failed(e)
            try:
                sender = type(db_task_result.task.get_backend())
                task_result = db_task_result.task_result
            except (ImportError, SuspiciousOperation):
                logger.exception("task %s failed unexpectedly", db_task_result.pk)
            else:
                task_finished.send(sender=sender, task_result=task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def run(self) -> None:
        logger.info("worker %s started", self.worker_id)
        scheduler.requeue_own_tasks(self.worker_id)
        scheduler.beat(self.worker_id)
        while self.running:
            close_old_connections()
            self.scheduler_tick()
            task_result = self.next_task() if self.running else None
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if task_result is None:
                self.nap(self.interval)
        logger.info("worker %s stopped", self.worker_id)

    def nap(self, seconds: float) -> None:
        # Short sleeps, so a stop signal (which does not raise here) ends the wait at once.
        until = time.monotonic() + seconds
        while self.running and (left := until - time.monotonic()) > 0:
            time.sleep(min(left, NAP))


def release(db_task_result: DBTaskResult[..., Any]) -> None:
    """Put a task this worker was running back in the queue, from the start."""
    connection.close()  # the stop may have cut a query short; start from a clean connection
    scheduler.requeue(db_task_result.pk, db_task_result.started_at)
    logger.warning("task %s is back in the queue", db_task_result.pk)


def _beat_forever(worker_id: str, stop: threading.Event) -> None:
    # A separate thread, so a long task does not look like a dead worker.
    while not stop.wait(scheduler.heartbeat().total_seconds()):
        try:
            scheduler.beat(worker_id, timezone.now())
        except Exception:
            logger.exception("heartbeat failed")
        finally:
            connection.close()


class Command(BaseCommand):
    help = (
        "Run background tasks (syncs, alert deliveries) and the scheduler of sources. "
        "SIGTERM or Ctrl+C stops after the running task; a second one requeues it and stops."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=valid_interval, default=1.0, help="seconds between polls"
        )
        parser.add_argument(
            "--tick", type=valid_interval, default=30.0, help="seconds between scheduler ticks"
        )
        parser.add_argument("--no-scheduler", action="store_true", help="only run tasks")
        parser.add_argument(
            "--batch", action="store_true", help="one scheduler tick, run every ready task, exit"
        )
        parser.add_argument("--max-tasks", type=valid_max_tasks, default=None)
        parser.add_argument(
            "--worker-id",
            type=validate_worker_id,
            default=None,
            help="unique per worker, at most 64 characters (default: random)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"] or get_random_string(32)
        worker = HeadwayWorker(
            tick=0.0 if options["batch"] else options["tick"],
            scheduler_on=not options["no_scheduler"],
            queue_names=["default"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        stop = threading.Event()
        beater = threading.Thread(target=_beat_forever, args=(worker_id, stop), daemon=True)
        if not options["batch"]:
            worker.configure_signals()
            beater.start()
        try:
            worker.run()
        finally:
            stop.set()
