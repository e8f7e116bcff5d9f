import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import pytest

from headway.feeds.models import Webhook
from headway.kpis.models import Measurement


@pytest.fixture
def hook(kpi):
    return Webhook.objects.create(organization=kpi.organization, kpi=kpi, secret="s3cret")


def post(
    client: Any,
    hook: Webhook,
    payload: Any,
    secret: str = "s3cret",  # noqa: S107
    raw: bytes | None = None,
) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        f"/hooks/kpi/{hook.token}/",
        body,
        content_type="application/json",
        headers={"X-Headway-Signature": signature},
    )


def test_it_records_signed_points_once_however_often_they_are_sent(client, hook):
    payload = {
        "points": [
            {"at": "2026-10-01", "value": "10.5"},
            {"at": "2026-10-02T09:00:00+00:00", "value": 11, "key": "oct-2"},
        ]
    }
    first = post(client, hook, payload)
    assert first.status_code == 200
    assert first.json() == {"created": 2, "duplicates": 0, "corrected": 0}
    again = post(client, hook, payload)
    assert again.json() == {"created": 0, "duplicates": 2, "corrected": 0}
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [
        Decimal("10.5"),
        Decimal(11),
    ]
    assert set(Measurement.objects.values_list("source", flat=True)) == {"feed"}


def test_it_accepts_a_single_point(client, hook):
    response = post(client, hook, {"at": 1790000000, "value": 3})
    assert response.status_code == 200
    assert Measurement.objects.get().value == Decimal(3)


def test_it_rejects_a_bad_or_missing_signature(client, hook):
    assert post(client, hook, {"at": "2026-10-01", "value": 1}, secret="wrong").status_code == 401
    unsigned = client.post(
        f"/hooks/kpi/{hook.token}/",
        {"at": "2026-10-01", "value": 1},
        content_type="application/json",
    )
    assert unsigned.status_code == 401
    assert Measurement.objects.count() == 0


def test_it_rejects_a_bad_payload_with_field_messages(client, hook):
    response = post(
        client, hook, {"points": [{"at": "2026-10-01", "value": "1"}, {"at": "soon", "value": "x"}]}
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"points.1.at", "points.1.value"}
    assert post(client, hook, None, raw=b"{not json").status_code == 400
    assert Measurement.objects.count() == 0


def test_it_is_404_for_an_unknown_token_and_405_for_get(client, hook):
    assert (
        client.post("/hooks/kpi/nope/", b"{}", content_type="application/json").status_code == 404
    )
    assert client.get(f"/hooks/kpi/{hook.token}/").status_code == 405


def test_it_stores_the_secret_encrypted(hook):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM feeds_webhook WHERE id = %s", [hook.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:")
    assert "s3cret" not in stored
    assert Webhook.objects.get().secret == "s3cret"
