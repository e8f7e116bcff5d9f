"""Background work is enqueued only once the transaction that asked for it has committed.

A task enqueued inside a transaction that later rolls back would run against rows that do
not exist; one enqueued before the commit could run before the rows are visible.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_after_commit(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))
