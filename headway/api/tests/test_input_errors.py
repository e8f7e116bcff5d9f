"""Wrong input gets a 400 that names the field and says what to send instead."""

from __future__ import annotations

import pytest

from headway.kpis.models import Measurement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("at", [20261120, 1763596800.5, True])
def test_it_refuses_a_measurement_time_sent_as_a_number(api_world, at):
    # A bare number would be read as seconds since 1970: the point would land in 1970-08-23.
    before = Measurement.objects.count()
    response = api_world.bob.post(
        "kpis/acme-mrr/measurements", {"points": [{"at": at, "value": 1}]}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["points.0.at"]
    assert "2026-11-02T09:00:00+00:00" in errors["points.0.at"][0]
    assert Measurement.objects.count() == before


def test_it_says_what_is_wrong_without_the_validator_prefix(api_world):
    response = api_world.bob.post(
        "kpis/acme-mrr/measurements", {"points": [{"at": "2026-11-02", "value": "1e25"}]}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "points.0.value": ["enter a number with at most 20 digits before the decimal point"]
    }


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"points": [{"at": "2026-11-02", "value": NaN}]}', "NaN is not a number"),
        ("not json", "the body is not valid JSON"),
        ('{"points": [{"at": "2026-11-02", "value": 1, "key": "a\\u0000"}]}', "NUL"),
    ],
)
def test_it_explains_a_body_it_cannot_parse(api_world, body, detail):
    response = api_world.bob.post("kpis/acme-mrr/measurements", body)
    assert response.status_code == 400
    assert detail in response.json()["detail"]


@pytest.mark.parametrize("limit", ["0", "-1", "501"])
def test_it_refuses_a_page_size_out_of_range(api_world, limit):
    response = api_world.bob.get(f"kpis/acme-mrr/measurements?limit={limit}")
    assert response.status_code == 400
    assert response.json()["detail"] == "limit is from 1 to 500"
