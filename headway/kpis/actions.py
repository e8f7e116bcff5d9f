"""Writes of KPI data, shared by the web pages, the API, the CLI, files and feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from headway.kpis.models import KPI, Measurement
from headway.org import access

MAX_VALUE_DIGITS = 20  # before the decimal point; ExactDecimalField keeps 30 digits, 10 after it


@dataclass(frozen=True)
class MeasurementInput:
    at: dt.datetime
    value: Decimal
    key: str | None = None  # idempotency key: a retried send with the same key is ignored


@dataclass(frozen=True)
class IngestResult:
    created: int
    duplicates: int


def _point_errors(point: MeasurementInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if point.at.tzinfo is None:
        errors["at"] = "give a time zone (e.g. 2026-11-02T09:00:00+00:00) or a date"
    if not point.value.is_finite():
        errors["value"] = "enter a finite number"
    elif point.value.adjusted() >= MAX_VALUE_DIGITS:
        errors["value"] = f"enter a number with at most {MAX_VALUE_DIGITS} digits"
    if point.key is not None and not 0 < len(point.key) <= 200:
        errors["key"] = "an idempotency key has 1 to 200 characters"
    return errors


def record_measurements(
    actor: access.Actor,
    kpi: KPI,
    points: Sequence[MeasurementInput],
    *,
    source: str = Measurement.Source.WEB,
) -> IngestResult:
    """Add measurements to one KPI, all or none; points whose key was already seen are skipped.

    Errors are keyed `<index>.<field>` so each message lands beside its line.
    """
    if kpi.organization_id != actor.organization.pk or not access.can_see_kpi(
        actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
    ):
        raise ValidationError({"kpi": [f"no KPI {kpi.ref!r}"]})
    if not access.can_measure(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
        raise PermissionDenied(f"you may not record measurements of {kpi.name}")
    errors: dict[str, list[str]] = {}
    for index, point in enumerate(points):
        for field, message in _point_errors(point).items():
            errors[f"{index}.{field}"] = [message]
    if errors:
        raise ValidationError(errors)

    keys = [p.key for p in points if p.key is not None]
    with transaction.atomic():
        seen = set(
            Measurement.objects.filter(
                organization=actor.organization, idempotency_key__in=keys
            ).values_list("idempotency_key", flat=True)
        )
        rows = []
        for point in points:
            if point.key is not None:
                if point.key in seen:
                    continue
                seen.add(point.key)  # the same key twice in one call counts once
            rows.append(
                Measurement(
                    organization=actor.organization,
                    kpi=kpi,
                    at=point.at,
                    value=point.value,
                    source=source,
                    idempotency_key=point.key,
                )
            )
        Measurement.objects.bulk_create(rows, batch_size=1000)
    return IngestResult(created=len(rows), duplicates=len(points) - len(rows))


# --- API helper (issue 4): create, change and delete KPIs ----------------------------------
# Keyword arguments, field-keyed ValidationError, PermissionDenied, StaleVersion on an edit
# based on an old version. The caller has turned KPIs the actor may not see into "not found".

KPI_FIELDS = frozenset(
    {
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
    }
)


def _kpi_checks(actor: access.Actor, fields: dict[str, object]) -> None:
    from headway.org.models import Membership

    unknown = set(fields) - KPI_FIELDS
    if unknown:
        raise ValidationError({name: "this field cannot be changed here" for name in unknown})
    team = fields.get("team")
    if team is not None and getattr(team, "organization_id", None) != actor.organization.pk:
        raise ValidationError({"team": "no such team"})
    owner = fields.get("owner")
    if (
        owner is not None
        and not Membership.objects.filter(organization=actor.organization, user=owner).exists()
    ):
        raise ValidationError({"owner": "not a person of this organization"})


def create_kpi(actor: access.Actor, *, ref: str, name: str, **fields: object) -> KPI:
    from django.core.validators import slug_re

    _kpi_checks(actor, fields)
    kpi = KPI(organization=actor.organization, ref=ref, name=name, **fields)
    if not access.can_edit_kpi(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
        raise PermissionDenied("only leads of the team (and admins) add its KPIs")
    if not slug_re.fullmatch(ref) or len(ref) > 100:
        raise ValidationError({"ref": "use letters, digits, - and _ only (like churn-rate)"})
    if KPI.objects.filter(organization=actor.organization, ref=ref).exists():
        raise ValidationError({"ref": f"{ref!r} is already used"})
    kpi.full_clean(exclude=["organization"], validate_constraints=False)
    kpi.save()
    return kpi


def update_kpi(
    actor: access.Actor, kpi: KPI, *, expected_version: int | None = None, **fields: object
) -> KPI:
    from headway.okrs.actions import bump, lock_for_update

    _kpi_checks(actor, fields)
    with transaction.atomic():
        kpi = lock_for_update(KPI.objects.all(), kpi.pk, expected_version)
        if not access.can_edit_kpi(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
            raise PermissionDenied(f"you may not change {kpi.name}")
        for name, value in fields.items():
            setattr(kpi, name, value)
        if not access.can_edit_kpi(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
            raise PermissionDenied("you may not hand the KPI to a team you do not lead")
        bump(kpi, {})
    return kpi


def delete_kpi(actor: access.Actor, kpi: KPI, *, expected_version: int | None = None) -> None:
    from headway.okrs.actions import lock_for_update

    with transaction.atomic():
        kpi = lock_for_update(KPI.objects.all(), kpi.pk, expected_version)
        if not access.can_edit_kpi(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
            raise PermissionDenied(f"you may not delete {kpi.name}")
        if kpi.key_results.exists():
            raise ValidationError({"kpi": "key results follow this KPI: unlink them first"})
        kpi.delete()
