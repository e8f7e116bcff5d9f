"""Organizations (tenants), their team tree, and the people in them."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from headway.fields import ExactDecimalField

# In the zone database but not places: "Factory" means "no zone" (it prints "-00"), and
# "localtime"/"posixrules" are files some systems add that follow the server's own setting.
NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - NOT_PLACES)


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"unknown time zone {value!r}")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person; people sign in with their email address and may belong to several orgs."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Emails are matched case-insensitively everywhere (sign-in, OKR files).
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # The adjustable rules of semantics.md; the defaults are what a new organization gets.
    on_track_max = ExactDecimalField(default=Decimal("0.10"))
    at_risk_max = ExactDecimalField(default=Decimal("0.25"))
    band_yellow_from = ExactDecimalField(default=Decimal("0.4"))
    band_green_from = ExactDecimalField(default=Decimal("0.7"))
    deteriorating_count = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Team(models.Model):
    """A node of the organization's team tree; the one team without a parent is the company."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="team_name_unique_in_org"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(parent__isnull=True),
                name="one_company_team_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_company(self) -> bool:
        return self.parent_id is None


class Role(models.TextChoices):
    ADMIN = "admin", "Organization admin"
    LEAD = "lead", "Team lead"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A person's place in one organization: their role and the teams they belong to."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    teams = models.ManyToManyField(Team, through="TeamMembership", related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("user__email",)
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class TeamMembership(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)
    team = models.ForeignKey(Team, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "team"], name="team_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} in {self.team}"
