import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import KPI, Measurement
from headway.org.access import actor_for
from headway.org.models import Membership, Role, User

AT = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)


@pytest.fixture
def visitors(world):
    return KPI.objects.create(
        organization=world.acme, ref="visitors", name="Visitors", team=world.growth
    )


def test_it_skips_points_it_has_already_seen(world, visitors):
    bob = actor_for(world.bob, world.acme)
    points = [
        MeasurementInput(AT, Decimal("52000.5"), key="oct"),
        MeasurementInput(AT, Decimal("52000.50"), key="oct"),  # the same value, retried
    ]
    first = record_measurements(bob, visitors, points)
    assert (first.created, first.duplicates) == (1, 1)
    result = record_measurements(bob, visitors, points)
    assert (result.created, result.duplicates) == (0, 2)
    assert list(Measurement.objects.values_list("value", "idempotency_key")) == [
        (Decimal("52000.5"), "oct")
    ]


def test_it_refuses_one_key_with_two_values_in_one_call(world, visitors):
    bob = actor_for(world.bob, world.acme)
    points = [
        MeasurementInput(AT, Decimal(5), key="k"),
        MeasurementInput(AT, Decimal(1), key="other"),
        MeasurementInput(AT, Decimal(6), key="k"),
    ]
    with pytest.raises(ValidationError) as e:
        record_measurements(bob, visitors, points)
    assert e.value.message_dict == {
        "2.key": [
            "point 0 has the same key (or, without keys, the same time) with another value; "
            "send one value for it"
        ]
    }
    assert not Measurement.objects.exists()


def test_it_writes_nothing_when_one_point_is_wrong(world, visitors):
    bob = actor_for(world.bob, world.acme)
    points = [
        MeasurementInput(AT, Decimal(1)),
        MeasurementInput(AT.replace(tzinfo=None), Decimal("Infinity")),
    ]
    with pytest.raises(ValidationError) as e:
        record_measurements(bob, visitors, points)
    assert set(e.value.message_dict) == {"1.at", "1.value"}
    assert Measurement.objects.count() == 0


def test_it_keeps_other_tenants_and_viewers_out(world, visitors):
    with pytest.raises(ValidationError):
        record_measurements(
            actor_for(world.charlie, world.acme), visitors, [MeasurementInput(AT, Decimal(1))]
        )
    viewer = User.objects.create_user("vera@acme.test", "pw")
    Membership.objects.create(organization=world.acme, user=viewer, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        record_measurements(
            actor_for(viewer, world.acme), visitors, [MeasurementInput(AT, Decimal(1))]
        )
    assert Measurement.objects.count() == 0


def test_it_names_the_first_point_of_a_key_whichever_repeat_differs(world, visitors):
    bob = actor_for(world.bob, world.acme)
    values = {"a": 1, "b": 2, "c": 3}
    keys = ["a", "b", "a", "c", "a", "c", "b"]
    points = [MeasurementInput(AT, Decimal(values[k]), key=k) for k in keys]
    result = record_measurements(bob, visitors, points)
    assert (result.created, result.duplicates) == (3, 4)
    points.append(MeasurementInput(AT, Decimal(9), key="c"))
    with pytest.raises(ValidationError) as e:
        record_measurements(bob, visitors, points)
    assert list(e.value.message_dict) == ["7.key"]
    assert e.value.message_dict["7.key"][0].startswith("point 3 has the same key")
