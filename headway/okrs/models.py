"""Cycles, objectives, key results, check-ins and initiatives.

Only facts are stored here. Progress, status, gaps and scores are always computed by
headway.numbers from these facts, never stored, so every view shows the same values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from headway.fields import ExactDecimalField
from headway.org.models import Organization, Team


class Cycle(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(max_length=100)
    start = models.DateField()
    end = models.DateField(help_text="inclusive")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("-start", "name")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="cycle_name_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="cycle_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "end must be after start"})


class Objective(models.Model):
    class Kind(models.TextChoices):
        COMMITTED = "committed"
        ASPIRATIONAL = "aspirational"

    class State(models.TextChoices):
        DRAFT = "draft"
        ACTIVE = "active"
        CLOSED = "closed"

    class Level(models.TextChoices):
        COMPANY = "company"
        TEAM = "team"
        PERSONAL = "personal"

    class ProgressMode(models.TextChoices):
        KEY_RESULTS = "key_results", "Key results"
        CHILDREN = "children", "Aligned children"
        BOTH = "both", "Key results and children"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="objectives"
    )
    ref = models.SlugField(max_length=100, help_text="stable identifier, unique in the org")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="objectives")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="objectives")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objectives",
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # Who may plan it depends on the level (see headway.org.access).
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.TEAM)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ASPIRATIONAL)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    private = models.BooleanField(
        default=False, help_text="visible only to its owner, its team and admins"
    )
    progress_mode = models.CharField(
        max_length=16, choices=ProgressMode.choices, default=ProgressMode.KEY_RESULTS
    )
    parents = models.ManyToManyField(
        "self",
        through="Alignment",
        through_fields=("child", "parent"),
        symmetrical=False,
        related_name="children",
        blank=True,
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("cycle", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="objective_ref_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Alignment(models.Model):
    """A weighted link from a child objective to one of its parents."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="child_links")
    weight = ExactDecimalField(default=Decimal(1))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="alignment_unique"),
            models.CheckConstraint(
                condition=~models.Q(child=models.F("parent")), name="alignment_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} -> {self.parent_id} ({self.weight})"


class KeyResult(models.Model):
    class Type(models.TextChoices):
        METRIC = "metric"
        MILESTONE = "milestone"
        THRESHOLD = "threshold"

    class Bound(models.TextChoices):
        AT_LEAST = "at_least", "at least"
        AT_MOST = "at_most", "at most"

    class KPIValue(models.TextChoices):
        LATEST = "latest", "KPI's current value"
        CYCLE_TOTAL = "cycle_total", "sum over the cycle"
        CYCLE_AVERAGE = "cycle_average", "average over the cycle"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="key_results"
    )
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    ref = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.METRIC)
    start = ExactDecimalField(null=True, blank=True)
    target = ExactDecimalField(null=True, blank=True)
    bound = models.CharField(max_length=16, choices=Bound.choices, blank=True)
    unit = models.CharField(max_length=50, blank=True)
    weight = ExactDecimalField(default=Decimal(1))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_results",
        help_text="empty: the objective's owner",
    )
    kpi = models.ForeignKey(
        "kpis.KPI", null=True, blank=True, on_delete=models.PROTECT, related_name="key_results"
    )
    kpi_value = models.CharField(
        max_length=16, choices=KPIValue.choices, blank=True, help_text="how the KPI drives it"
    )
    score_override = ExactDecimalField(null=True, blank=True)
    score_reason = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("objective", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="key_result_ref_unique")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from headway.numbers import validate_kr
        from headway.okrs.convert import kr_spec

        errors: dict[str, list[str]] = {}
        for field, message in validate_kr(kr_spec(self)):
            errors.setdefault(field, []).append(message)
        if self.score_override is not None and not self.score_reason.strip():
            errors.setdefault("score_reason", []).append("a score override needs a reason")
        if errors:
            raise ValidationError(errors)


class CheckIn(models.Model):
    """One reading of a KR. Append-only: a correction is a new check-in."""

    class Source(models.TextChoices):
        WEB = "web"
        API = "api"
        CLI = "cli"
        IMPORT = "import"
        KPI = "kpi"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="checkins")
    value = ExactDecimalField(null=True, blank=True)
    done = models.BooleanField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkins",
    )
    at = models.DateTimeField(help_text="when the reading was true")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("key_result", "at", "id")
        indexes = [models.Index(fields=["key_result", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__lte=10),
                name="checkin_confidence_0_10",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_result_id} @ {self.at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("check-ins are append-only: record a new check-in instead")
        super().save(*args, **kwargs)


class Initiative(models.Model):
    """Work planned to move a KR. Never counted in progress."""

    class Status(models.TextChoices):
        PLANNED = "planned"
        IN_PROGRESS = "in_progress", "in progress"
        DONE = "done"
        DROPPED = "dropped"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("key_result", "id")

    def __str__(self) -> str:
        return self.title
