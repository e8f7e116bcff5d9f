"""KPI data feeds: pull sources with their schedule and sync log, push webhooks, uploads."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models

from headway.feeds.crypto import EncryptedTextField
from headway.kpis.models import KPI
from headway.org.models import Organization


class Source(models.Model):
    """A pull source of one KPI: an SQL query or an HTTP JSON endpoint, run on a schedule."""

    class Kind(models.TextChoices):
        SQL = "sql", "SQL query"
        HTTP = "http", "HTTP JSON"

    class Schedule(models.TextChoices):
        INTERVAL = "interval", "every N minutes"
        DAILY = "daily", "daily at a time"
        MONTHLY = "monthly", "monthly on a day"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # SQL: postgres://…, mysql://…, sqlite:///path; the query returns (time, value) rows.
    database_url = EncryptedTextField(blank=True, help_text="stored encrypted")
    query = models.TextField(blank=True)
    # HTTP: GET url with headers ("Name: value" lines); items_path leads to the list of points.
    url = models.URLField(max_length=1000, blank=True)
    headers = EncryptedTextField(blank=True, help_text="stored encrypted")
    items_path = models.CharField(max_length=200, blank=True, help_text="e.g. data.points")
    time_field = models.CharField(max_length=200, default="time")
    value_field = models.CharField(max_length=200, default="value")

    schedule = models.CharField(max_length=16, choices=Schedule.choices, default=Schedule.DAILY)
    interval_minutes = models.PositiveIntegerField(default=60)
    time_of_day = models.TimeField(default=dt.time(6, 0), help_text="organization time")
    day_of_month = models.PositiveSmallIntegerField(default=1, help_text="1 to 28")
    collect_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="empty: collect every point; N: collect a period N days after it ends",
    )
    backfill_from = models.DateField(null=True, blank=True, help_text="ignore points before")
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    failures = models.PositiveIntegerField(default=0, help_text="consecutive failed syncs")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("kpi", "name", "id")

    def __str__(self) -> str:
        return self.name


class SyncLog(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule"
        MANUAL = "manual", "sync now"
        BACKFILL = "backfill"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="logs")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0, help_text="rows the source returned")
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="outside the window")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"{self.source_id} @ {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def ok(self) -> bool:
        return not self.error


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Webhook(models.Model):
    """The inbound webhook of one KPI: POST /hooks/kpi/<token>/ signed with the secret."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kpi = models.OneToOneField(KPI, on_delete=models.CASCADE, related_name="webhook")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    secret = EncryptedTextField(help_text="stored encrypted")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"webhook of {self.kpi_id}"


class Upload(models.Model):
    """A measurement file kept between its dry-run preview and its commit."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    mapping = models.JSONField(default=dict)
    committed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A running `headway worker`; a task claimed by a worker that stopped beating is requeued."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id
