"""Deciding when an alert fires: once per change of a KPI's state, never while nothing changes.

Each evaluation compares what the engine says now (RAG, stale, deteriorating) with the
``AlertState`` last seen and moves the state with a conditional UPDATE, so two processes
evaluating the same KPI at once fire each change only once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from headway.alerts.models import (
    AlertChannel,
    AlertEvent,
    AlertState,
    AlertSubscription,
    Delivery,
    Event,
)
from headway.feeds.queue import enqueue_after_commit
from headway.kpis.driven import kpi_now
from headway.kpis.models import KPI
from headway.numbers.kpis import GREEN, RED, YELLOW
from headway.org import access
from headway.org.models import User
from headway.reports.numbers_out import out_value


def evaluate_kpi(kpi: KPI, *, now: dt.datetime | None = None) -> list[AlertEvent]:
    """Fire the alerts of ``kpi`` whose condition changed since the last evaluation."""
    now = now or timezone.now()
    result = kpi_now(kpi, now.astimezone(kpi.organization.tz).date())
    rag = result.rag or ""
    with transaction.atomic():
        state, _ = AlertState.objects.get_or_create(
            kpi=kpi, defaults={"organization_id": kpi.organization_id}
        )
        if (state.rag, state.stale, state.deteriorating) == (
            rag,
            result.stale,
            result.deteriorating,
        ):
            return []
        moved = AlertState.objects.filter(
            pk=state.pk,
            rag=state.rag,
            stale=state.stale,
            deteriorating=state.deteriorating,
        ).update(rag=rag, stale=result.stale, deteriorating=result.deteriorating, updated_at=now)
        if not moved:
            return []  # another process saw this change first and fired it
        fired: list[str] = []
        if rag == RED and state.rag != RED:
            fired.append(Event.RED)
        if rag == GREEN and state.rag in (RED, YELLOW):
            fired.append(Event.GREEN)
        if result.stale and not state.stale:
            fired.append(Event.STALE)
        if result.deteriorating and not state.deteriorating:
            fired.append(Event.DETERIORATING)
        value = result.current
        return [fire(kpi, event, _message(kpi, event, value), value=value) for event in fired]


def _message(kpi: KPI, event: str, value: Decimal | None) -> str:
    unit = f" {kpi.unit}" if kpi.unit else ""
    shown = "no data" if value is None else f"{out_value(value)}{unit}"
    if event == Event.RED:
        return f"{kpi.name} turned red: {shown}"
    if event == Event.GREEN:
        return f"{kpi.name} is back to green: {shown}"
    if event == Event.STALE:
        return f"{kpi.name} is stale: no measurement for its last two periods"
    return f"{kpi.name} is deteriorating: {shown}, worse for several periods in a row"


def recipients(kpi: KPI, event: str) -> list[User]:
    """The owner (every alert by email unless they chose otherwise) and the watchers who
    asked for ``event`` by email, among people who may still see the KPI."""
    chosen = {
        s.user_id: s for s in AlertSubscription.objects.filter(kpi=kpi).select_related("user")
    }
    people: dict[int, User] = {}
    owner = kpi.owner
    if owner is not None and owner.pk not in chosen:
        people[owner.pk] = owner
    for subscription in chosen.values():
        if subscription.email and subscription.wants(event):
            people[subscription.user_id] = subscription.user
    visible = []
    for user in people.values():
        actor = access.actor_for(user, kpi.organization)
        if access.can_see_kpi(
            actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
        ):
            visible.append(user)
    return visible


def fire(kpi: KPI, event: str, message: str, *, value: Decimal | None = None) -> AlertEvent:
    """Record an alert event and queue one delivery per recipient and channel."""
    from headway.alerts.tasks import deliver_alert

    alert = AlertEvent.objects.create(
        organization_id=kpi.organization_id, kpi=kpi, event=event, value=value, message=message
    )
    deliveries = [
        Delivery(
            organization_id=kpi.organization_id,
            event=alert,
            channel=Delivery.Channel.EMAIL,
            email=user.email,
        )
        for user in recipients(kpi, event)
    ]
    for channel in AlertChannel.objects.filter(kpi=kpi):
        if channel.wants(event):
            deliveries.append(
                Delivery(
                    organization_id=kpi.organization_id,
                    event=alert,
                    channel=channel.kind,
                    alert_channel=channel,
                )
            )
    for delivery in Delivery.objects.bulk_create(deliveries):
        enqueue_after_commit(deliver_alert, delivery.pk)
    return alert


def sweep_staleness(now: dt.datetime | None = None) -> int:
    """Staleness changes with time alone: re-evaluate every KPI last seen fresh."""
    now = now or timezone.now()
    fired = 0
    states = AlertState.objects.filter(stale=False).select_related("kpi__organization")
    for state in states:
        fired += len(evaluate_kpi(state.kpi, now=now))
    return fired
