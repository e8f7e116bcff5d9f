"""`headway worker`: the django-tasks-db worker plus the scheduler of sources and alerts."""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from headway.feeds import scheduler

logger = logging.getLogger("headway.worker")


class HeadwayWorker(Worker):
    """Runs tasks like db_worker and, between them, a scheduler tick every ``tick`` seconds."""

    def __init__(self, *, tick: float, scheduler_on: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tick = tick
        self.scheduler_on = scheduler_on
        self.last_tick = 0.0
        self.last_sweep = 0.0

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

    def run(self) -> None:
        logger.info("worker %s started", self.worker_id)
        scheduler.beat(self.worker_id)
        while self.running:
            close_old_connections()
            self.scheduler_tick()
            task_result = self.next_task()
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)


def _beat_forever(worker_id: str, stop: threading.Event) -> None:
    # A separate thread, so a long task does not look like a dead worker.
    while not stop.wait(scheduler.HEARTBEAT.total_seconds()):
        try:
            scheduler.beat(worker_id, timezone.now())
        except Exception:
            logger.exception("heartbeat failed")
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Run background tasks (syncs, alert deliveries) and the scheduler of sources."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between ticks")
        parser.add_argument("--no-scheduler", action="store_true", help="only run tasks")
        parser.add_argument(
            "--batch", action="store_true", help="one scheduler tick, run every ready task, exit"
        )
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--worker-id", default="", help="unique per worker (default: random)")

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
