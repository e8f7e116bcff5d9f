"""Alert deliveries, run by `headway worker` (django-tasks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from headway.alerts.models import AlertChannel, Delivery
from headway.feeds import outbound

MAX_ATTEMPTS = 6
TIMEOUT = 10.0


def sign(secret: str, body: bytes) -> str:
    """The X-Headway-Signature header value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _send(delivery: Delivery) -> None:
    event = delivery.event
    kpi = event.kpi
    if delivery.channel == Delivery.Channel.EMAIL:
        body = (
            f"{event.message}\n\nKPI: {kpi.name} ({kpi.ref}), {kpi.organization.name}\n"
            f"Change what you receive on the KPI's alerts page."
        )
        send_mail(
            f"[Headway] {event.message}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [delivery.email],
        )
        return
    channel: AlertChannel | None = delivery.alert_channel
    if channel is None:
        return  # the channel was removed after the event
    # The channel's URL is the organization's choice: only checked addresses (outbound.py).
    if channel.kind == AlertChannel.Kind.SLACK:
        with outbound.http_client(TIMEOUT) as client:
            response = client.post(channel.url, json={"text": event.message})
    else:
        payload = {
            "event": event.event,
            "message": event.message,
            "kpi": kpi.ref,
            "organization": kpi.organization.name,
            "value": None if event.value is None else str(event.value),
            "at": event.created_at.isoformat(),
        }
        raw = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if channel.secret:
            headers["X-Headway-Signature"] = sign(channel.secret, raw)
        with outbound.http_client(TIMEOUT) as client:
            response = client.post(channel.url, content=raw, headers=headers)
    response.raise_for_status()


@task()
def deliver_alert(delivery_id: int) -> str:
    """Send one delivery; on failure retry later with back-off, up to MAX_ATTEMPTS."""
    delivery = (
        Delivery.objects.select_related("event__kpi__organization", "alert_channel")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status == Delivery.Status.SENT:
        return "nothing to do"
    delivery.attempts += 1
    try:
        _send(delivery)
    except Exception as e:
        delivery.status = Delivery.Status.FAILED
        delivery.error = f"{type(e).__name__}: {e}"[:2000]
        delivery.save(update_fields=["status", "error", "attempts"])
        if delivery.attempts < MAX_ATTEMPTS:
            delay = dt.timedelta(minutes=min(2**delivery.attempts, 60))
            deliver_alert.using(run_after=timezone.now() + delay).enqueue(delivery_id)
        return "failed"
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.error = ""
    delivery.save(update_fields=["status", "sent_at", "error", "attempts"])
    return "sent"
