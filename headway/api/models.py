"""Credentials for scripts: personal API tokens and a team's metric-feed credentials."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from headway.org.models import Organization, Team

PREFIX = "hw_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer credential bound to one organization. Only its SHA-256 is stored."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "personal token"
        FEED = "feed", "metric feed (writes measurements of one team's KPIs)"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # A personal token acts as its person; a feed credential acts for its team only.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PERSONAL)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so a person can tell their tokens apart.
    hint = models.CharField(max_length=16)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="personal", team__isnull=True)
                | models.Q(kind="feed", team__isnull=False),
                name="api_token_feed_has_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)
