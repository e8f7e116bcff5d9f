from decimal import Decimal

import pytest
from django.db import connection

from headway.fields import decimal_problem
from headway.org.models import Organization


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "0.1",
        "99.9",
        "-0.0000000001",
        "12345678901234567890",
        "0.3333333333",
        "100000",
        # 30 significant digits: more than Python's default decimal context keeps.
        "12345678901234567890.1234567891",
    ],
)
def test_it_round_trips_decimals_exactly(value):
    org = Organization.objects.create(name="Exact", on_track_max=Decimal(value))
    org.refresh_from_db()
    assert org.on_track_max == Decimal(value)


@pytest.mark.django_db
def test_it_rounds_extra_places_the_same_way_on_every_database():
    org = Organization.objects.create(name="Round", on_track_max=Decimal("0.12345678905"))
    org.refresh_from_db()
    assert org.on_track_max == Decimal("0.1234567891")


@pytest.mark.django_db
def test_it_never_stores_a_binary_float():
    Organization.objects.create(name="Stored", on_track_max=Decimal("0.1"))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT typeof(on_track_max), on_track_max FROM org_organization")
            assert cursor.fetchone() == ("text", "0.1")
        else:
            cursor.execute("SELECT pg_typeof(on_track_max)::text FROM org_organization")
            assert cursor.fetchone()[0] == "numeric"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("99999999999999999999.5", None),
        ("100000000000000000000", "enter a number with at most 20 digits before the decimal point"),
        ("0.123456789012345", None),  # rounded to 10 places on save, not refused
        ("NaN", "enter a finite number"),
        ("-Infinity", "enter a finite number"),
    ],
)
def test_it_says_which_decimals_cannot_be_stored(value, problem):
    assert decimal_problem(Decimal(value)) == problem
