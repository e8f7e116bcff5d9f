"""Each object's page shows its history: who changed what, when, through which surface."""

import datetime as dt
from decimal import Decimal

import pytest

from headway.audit import Surface, acting
from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import KPI
from headway.okrs.actions import update_key_result
from headway.okrs.models import Cycle, KeyResult, Objective
from headway.org.access import actor_for
from headway.reports.build import today_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def kr(world):
    today = today_in(world.acme)
    cycle = Cycle.objects.create(
        organization=world.acme,
        name="Now",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
    )
    objective = Objective.objects.create(
        organization=world.acme, ref="traffic", cycle=cycle, team=world.growth, title="Traffic"
    )
    return KeyResult.objects.create(
        organization=world.acme,
        objective=objective,
        ref="posts",
        title="Posts",
        start=Decimal(0),
        target=Decimal(30),
    )


def test_it_shows_a_key_result_change_on_its_objective_page(client, world, kr):
    alice = actor_for(world.alice, world.acme)
    with acting(world.alice, Surface.API):
        update_key_result(alice, kr, target=Decimal(40))
    client.force_login(world.bob)

    page = client.get("/objectives/traffic/").content.decode()
    row = page.split('data-event="key_result-updated"', 1)[1].split("</tr>", 1)[0]
    assert "Alice Admin" in row
    assert "api" in row
    assert "target: 30 → 40" in row
    # A creation is one line; its every field would only be noise.
    created = page.split('data-event="key_result-created"', 1)[1].split("</tr>", 1)[0]
    assert "→" not in created

    yesterday = today_in(world.acme) - dt.timedelta(days=1)
    earlier = client.get(f"/objectives/traffic/?as_of={yesterday}").content.decode()
    assert 'data-event="key_result-updated"' not in earlier


def test_it_shows_measurements_on_the_kpi_page(client, world):
    kpi = KPI.objects.create(
        organization=world.acme, ref="visitors", name="Visitors", team=world.growth
    )
    at = dt.datetime.combine(today_in(world.acme), dt.time(9), tzinfo=world.acme.tz)
    with acting(world.bob, Surface.CLI):
        record_measurements(
            actor_for(world.bob, world.acme), kpi, [MeasurementInput(at, Decimal(5))]
        )
    client.force_login(world.alice)
    page = client.get("/kpis/visitors/").content.decode()
    assert 'data-event="measurement-' in page
    assert "Bob Member" in page.split('id="changes-heading"', 1)[1]
