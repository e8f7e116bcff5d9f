"""Concurrent writers: check-ins all land; a stale edit never silently overwrites."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

from headway.api.tests.conftest import Api
from headway.okrs.models import CheckIn, Objective

THREADS = 8


def _together(work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in THREADS threads released at the same moment."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_it_keeps_every_concurrent_checkin_on_one_kr(transactional_db, api_world):
    token = api_world.bob.token

    def check_in(i: int) -> int:
        response = Api(token).post("key-results/acme-signups/checkins", {"value": 20 + i})
        return int(response.status_code)

    assert _together(check_in) == [201] * THREADS
    values = sorted(
        int(c.value) for c in CheckIn.objects.filter(key_result__ref="acme-signups", source="api")
    )
    assert values == [20 + i for i in range(THREADS)]


def test_it_lets_one_of_several_edits_of_the_same_version_win(transactional_db, api_world):
    token = api_world.alice.token

    def edit(i: int) -> int:
        response = Api(token).patch("objectives/acme-grow", {"title": f"Title {i}"}, If_Match='"1"')
        return int(response.status_code)

    statuses = _together(edit)
    assert sorted(statuses) == [200] + [412] * (THREADS - 1)
    winner = statuses.index(200)
    objective = Objective.objects.get(ref="acme-grow")
    assert (objective.title, objective.version) == (f"Title {winner}", 2)
