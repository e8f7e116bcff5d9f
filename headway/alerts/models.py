"""KPI alerts: the last state seen per KPI, who wants which alert, events and deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from headway.feeds.crypto import EncryptedTextField
from headway.fields import ExactDecimalField
from headway.kpis.models import KPI
from headway.org.models import Organization


class Event(models.TextChoices):
    RED = "red", "turned red"
    GREEN = "green", "back to green"
    STALE = "stale", "became stale"
    DETERIORATING = "deteriorating", "is deteriorating"
    SOURCE_FAILED = "source_failed", "a data source failed"


class AlertState(models.Model):
    """What the alerts last saw of a KPI; an alert fires only when this changes."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kpi = models.OneToOneField(KPI, on_delete=models.CASCADE, related_name="alert_state")
    rag = models.CharField(max_length=8, blank=True)
    # A KPI without data is stale; starting there means a new KPI does not alert as stale.
    stale = models.BooleanField(default=True)
    deteriorating = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.rag or '-'}"


class EventChoices(models.Model):
    """Which events a subscriber or channel wants."""

    on_red = models.BooleanField(default=True)
    on_green = models.BooleanField(default=True)
    on_stale = models.BooleanField(default=True)
    on_deteriorating = models.BooleanField(default=True)
    on_source_failed = models.BooleanField(default=True)

    class Meta:
        abstract = True

    def wants(self, event: str) -> bool:
        return bool(getattr(self, f"on_{event}"))


class AlertSubscription(EventChoices):
    """A person's choice for one KPI. Its owner gets every alert by email until they save one;
    anyone else who saves one is a watcher."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="alert_subscriptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kpi", "user"], name="alert_subscription_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.kpi_id}"


class AlertChannel(EventChoices):
    """A Slack-compatible incoming webhook or a generic signed webhook for one KPI."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack-compatible webhook"
        WEBHOOK = "webhook", "signed webhook"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="alert_channels")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    url = EncryptedTextField(help_text="stored encrypted (Slack URLs are credentials)")
    secret = EncryptedTextField(blank=True, help_text="signs the generic webhook's body")

    def __str__(self) -> str:
        return f"{self.kind} for {self.kpi_id}"


class AlertEvent(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="alert_events")
    event = models.CharField(max_length=16, choices=Event.choices)
    value = ExactDecimalField(null=True, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.message


class Delivery(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email"
        SLACK = "slack"
        WEBHOOK = "webhook"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(AlertEvent, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    email = models.EmailField(blank=True)
    alert_channel = models.ForeignKey(
        AlertChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"
