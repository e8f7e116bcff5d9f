"""Alerts fire once per change and reach people through a real SMTP server."""

import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from headway.alerts.evaluate import sweep_staleness
from headway.alerts.models import AlertChannel, AlertEvent, AlertSubscription, Delivery
from headway.feeds.tests.helpers import drain, make_kpi, today_at
from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import KPI
from headway.org.access import actor_for

pytestmark = pytest.mark.django_db(transaction=True)


def measure(world: Any, kpi: KPI, value: int, hour: int = 9, days_ago: int = 0) -> None:
    record_measurements(
        actor_for(world.bob, world.acme),
        kpi,
        [MeasurementInput(today_at(hour, days_ago), Decimal(value))],
    )
    drain()


def mails(inbox: Any) -> list[tuple[str, str]]:
    out = []
    for _, recipients, raw in inbox.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        out.append((recipients[0], str(message["Subject"])))
    return out


def test_it_mails_each_change_once_to_the_owner_and_the_watchers_who_chose_it(world, smtp):
    kpi = make_kpi(world, unit="users")
    AlertSubscription.objects.create(
        organization=world.acme, kpi=kpi, user=world.alice, on_green=False
    )
    measure(world, kpi, 60, hour=8)  # red
    assert sorted(mails(smtp)) == [
        ("alice@acme.test", "[Headway] Signups turned red: 60 users"),
        ("bob@acme.test", "[Headway] Signups turned red: 60 users"),
    ]
    measure(world, kpi, 50, hour=9)  # still red: nothing new
    assert len(smtp.messages) == 2
    measure(world, kpi, 120, hour=10)  # back to green: only the owner asked for it
    assert mails(smtp)[2:] == [("bob@acme.test", "[Headway] Signups is back to green: 120 users")]
    measure(world, kpi, 130, hour=11)
    assert len(smtp.messages) == 3
    assert Delivery.objects.filter(status="sent").count() == 3


def test_it_mails_when_a_kpi_becomes_stale_once(world, smtp):
    kpi = make_kpi(world)
    measure(world, kpi, 100)  # green and fresh: nothing to say
    assert smtp.messages == []
    later = timezone.now() + dt.timedelta(days=3)
    assert sweep_staleness(later) == 1
    drain()
    assert mails(smtp) == [
        ("bob@acme.test", "[Headway] Signups is stale: no measurement for its last two periods")
    ]
    assert sweep_staleness(later + dt.timedelta(hours=1)) == 0


def test_it_mails_when_a_kpi_starts_deteriorating(world, smtp):
    kpi = make_kpi(world, target=Decimal(10), red=Decimal(5))
    for days_ago, value in [(3, 40), (2, 30), (1, 20)]:
        measure(world, kpi, value, days_ago=days_ago)
    assert smtp.messages == []
    measure(world, kpi, 15)  # a third worsening in a row, still green
    assert mails(smtp) == [
        (
            "bob@acme.test",
            "[Headway] Signups is deteriorating: 15, worse for several periods in a row",
        )
    ]


def test_it_respects_an_owner_who_opted_out(world, smtp):
    kpi = make_kpi(world)
    AlertSubscription.objects.create(organization=world.acme, kpi=kpi, user=world.bob, on_red=False)
    measure(world, kpi, 1)
    assert smtp.messages == []
    assert AlertEvent.objects.get().event == "red"


def test_it_posts_to_slack_and_signs_generic_webhooks(world, http_server, smtp):
    kpi = make_kpi(world)
    http_server.responses["/slack"] = (200, {"ok": True})
    http_server.responses["/hook"] = (200, {"ok": True})
    AlertChannel.objects.create(
        organization=world.acme, kpi=kpi, kind="slack", url=http_server.url("/slack")
    )
    AlertChannel.objects.create(
        organization=world.acme,
        kpi=kpi,
        kind="webhook",
        url=http_server.url("/hook"),
        secret="shh",
    )
    measure(world, kpi, 10)
    by_path = {path: (headers, body) for _, path, headers, body in http_server.requests}
    assert json.loads(by_path["/slack"][1]) == {"text": "Signups turned red: 10"}
    headers, body = by_path["/hook"]
    expected = "sha256=" + hmac.new(b"shh", body, hashlib.sha256).hexdigest()
    assert headers["X-Headway-Signature"] == expected
    assert json.loads(body)["event"] == "red"


def test_it_refuses_a_channel_on_the_servers_own_network(world, http_server, settings, client):
    settings.OUTBOUND_ALLOW = []  # the production default: 127.0.0.1 is off limits
    kpi = make_kpi(world)
    http_server.responses["/slack"] = (200, {"ok": True})
    AlertChannel.objects.create(
        organization=world.acme, kpi=kpi, kind="slack", url=http_server.url("/slack")
    )
    measure(world, kpi, 10)
    delivery = Delivery.objects.get(channel="slack")
    assert (delivery.status, delivery.error) == (
        "failed",
        "OutboundError: 127.0.0.1 is a loopback address; "
        "the server's operator can allow it with HEADWAY_OUTBOUND_ALLOW",
    )
    assert http_server.requests == []
    # The channel form says so at once.
    client.force_login(world.bob)
    response = client.post(
        f"/feeds/kpis/{kpi.ref}/alerts/",
        {"channel-kind": "webhook", "channel-url": "http://169.254.169.254/latest/meta-data/"},
    )
    assert "169.254.169.254 is a link-local address" in response.content.decode()
    assert AlertChannel.objects.count() == 1


def test_it_retries_a_delivery_that_failed(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    kpi = make_kpi(world)
    measure(world, kpi, 10)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error.startswith("ConnectionRefusedError")
    from django_tasks_db.models import DBTaskResult

    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now() + dt.timedelta(seconds=90)


def test_watching_starts_with_email_ticked_so_that_watch_sends_something(world, client, smtp):
    # Email is the only way a person receives an alert: "Watch" with it unticked sent nothing.
    kpi = make_kpi(world)
    client.force_login(world.alice)
    page = client.get(f"/feeds/kpis/{kpi.ref}/alerts/").content.decode()
    email_box = page.split('name="email"', 1)[1].split(">", 1)[0]
    assert "checked" in email_box
    ticked = {"email": "on", "on_red": "on", "on_green": "on", "on_stale": "on"}
    client.post(f"/feeds/kpis/{kpi.ref}/alerts/", ticked)
    measure(world, kpi, 60)
    assert ("alice@acme.test", "[Headway] Signups turned red: 60") in mails(smtp)
