"""KPIs (ongoing health metrics) and their measurements."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from headway.fields import ExactDecimalField
from headway.org.models import Organization, Team

# What a person may set on a KPI: the KPI form shows these, in this order, and the actions
# accept no other field.
EDITABLE_FIELDS = (
    "name",
    "description",
    "team",
    "owner",
    "unit",
    "cadence",
    "aggregation",
    "direction",
    "target",
    "red",
    "low",
    "high",
    "tolerance",
    "private",
)


class KPI(models.Model):
    class Cadence(models.TextChoices):
        DAILY = "daily"
        WEEKLY = "weekly"
        MONTHLY = "monthly"
        QUARTERLY = "quarterly"

    class Aggregation(models.TextChoices):
        SUM = "sum"
        AVERAGE = "average"
        LAST = "last"
        MIN = "min"
        MAX = "max"

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher_is_better", "higher is better"
        LOWER_IS_BETTER = "lower_is_better", "lower is better"
        IN_RANGE = "in_range", "in range"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kpis")
    ref = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="kpis")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpis",
    )
    unit = models.CharField(max_length=50, blank=True)
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY)
    aggregation = models.CharField(
        max_length=16, choices=Aggregation.choices, default=Aggregation.LAST
    )
    direction = models.CharField(
        max_length=20, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    target = ExactDecimalField(null=True, blank=True)
    red = ExactDecimalField(null=True, blank=True, help_text="red threshold")
    low = ExactDecimalField(null=True, blank=True)
    high = ExactDecimalField(null=True, blank=True)
    tolerance = ExactDecimalField(null=True, blank=True)
    private = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "KPI"
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="kpi_ref_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from headway.kpis.convert import kpi_spec
        from headway.numbers import validate_kpi

        errors: dict[str, list[str]] = {}
        for field, message in validate_kpi(kpi_spec(self)):
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)


class Measurement(models.Model):
    class Source(models.TextChoices):
        WEB = "web"
        API = "api"
        CLI = "cli"
        IMPORT = "import"
        FEED = "feed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    at = models.DateTimeField()
    value = ExactDecimalField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    # NULL, not "", for "no key": the unique constraint must not treat keyless rows as equal.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=200, null=True, blank=True, help_text="a retried send with this key is ignored"
    )
    # A correction is a new row that supersedes the old one; the old row stays as history and
    # every number reads only rows whose superseded_at is NULL (issue 5).
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("kpi", "at", "id")
        indexes = [models.Index(fields=["kpi", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                name="measurement_idempotency_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} @ {self.at:%Y-%m-%d}: {self.value}"
