"""Audit history: one row per change of an audited object."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from headway.audit.context import Surface
from headway.org.models import Organization


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        DELETED = "deleted"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the log still names people after their account is deleted.
    actor_label = models.CharField(max_length=300, blank=True)
    surface = models.CharField(max_length=16, choices=Surface.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.BigIntegerField()
    object_label = models.CharField(max_length=300, blank=True)
    # The object whose history shows the event (a check-in shows in its key result's).
    scope_type = models.CharField(max_length=50)
    scope_id = models.BigIntegerField()
    action = models.CharField(max_length=16, choices=Action.choices)
    # {field: [old, new]}; values as JSON-safe text (decimals exact, as strings).
    changes = models.JSONField(default=dict)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["organization", "scope_type", "scope_id"])]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_label} {self.action} by {self.actor_label}"
