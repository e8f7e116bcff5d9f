"""API lists answer in a fixed number of queries, however many rows they show."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headway.kpis.models import KPI, Measurement
from headway.okrs.models import CheckIn, Initiative, KeyResult, Objective
from headway.org.models import Membership, Team, User

LISTS = [
    "objectives",
    "key-results",
    "initiatives",
    "kpis",
    "teams",
    "people",
    "cycles",
    "key-results/acme-signups/checkins",
    "kpis/acme-mrr/measurements",
    "objectives/acme-grow/history",
    "audit",
]


def _grow(api_world, n: int) -> None:
    acme, team = api_world.world.acme, api_world.acme.team
    at = dt.datetime(2026, 10, 6, tzinfo=dt.UTC)
    for i in range(n):
        tag = f"{n}-{i}"
        objective = Objective.objects.create(
            organization=acme,
            ref=f"o{tag}",
            cycle=api_world.acme.cycle,
            team=team,
            title="o",
            owner=api_world.world.bob,
        )
        kr = KeyResult.objects.create(
            organization=acme,
            objective=objective,
            ref=f"k{tag}",
            title="k",
            start=Decimal(0),
            target=Decimal(1),
            kpi=api_world.acme.kpi if i % 2 else None,
            owner=api_world.world.bob,
        )
        Initiative.objects.create(organization=acme, key_result=kr, title="i")
        KPI.objects.create(organization=acme, ref=f"p{tag}", name="p", team=team)
        Team.objects.create(organization=acme, name=f"t{tag}", parent=team)
        user = User.objects.create_user(f"u{tag}@acme.test")
        Membership.objects.create(organization=acme, user=user).teams.add(
            team, through_defaults={"organization": acme}
        )
        CheckIn.objects.create(
            organization=acme,
            key_result=api_world.acme.kr,
            value=Decimal(i),
            at=at,
            author=api_world.world.bob,
        )
        Measurement.objects.create(
            organization=acme, kpi=api_world.acme.kpi, at=at, value=Decimal(i)
        )
        alignment = objective.parent_links.create(
            organization=acme, parent=api_world.acme.objective
        )
        assert alignment


def _queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return len(queries)


@pytest.mark.parametrize("path", LISTS)
def test_it_lists_in_a_fixed_number_of_queries(api_world, path):
    alice = api_world.alice
    _grow(api_world, 2)
    _queries(alice, path)  # warm the token's last-used time
    few = _queries(alice, path)
    _grow(api_world, 6)
    assert _queries(alice, path) == few
