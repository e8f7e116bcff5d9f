"""Writes of KPIs and single measurements, and recovery objectives drafted from a KPI.

Recording measurements in bulk lives in headway.kpis.measurements; the key results that
follow a KPI in headway.kpis.driven.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from headway.kpis.driven import kpi_now, update_driven_key_results
from headway.kpis.measurements import (
    IngestResult,
    MeasurementInput,
    check_measure,
    derived_key,
    record_measurements,
)
from headway.kpis.models import EDITABLE_FIELDS, KPI, Measurement
from headway.numbers.kpis import GREEN, RED
from headway.okrs.models import Cycle, KeyResult, Objective
from headway.org import access


def _unique_ref(model: type[Objective] | type[KeyResult], organization_id: int, base: str) -> str:
    base = base[:90]
    taken = set(
        model.objects.filter(organization_id=organization_id, ref__startswith=base).values_list(
            "ref", flat=True
        )
    )
    ref, n = base, 2
    while ref in taken:
        ref, n = f"{base}-{n}", n + 1
    return ref


def draft_recovery_objective(
    actor: access.Actor, kpi: KPI, cycle: Cycle, *, as_of: dt.date | None = None
) -> Objective:
    """A draft objective to bring a red or deteriorating KPI back to green, ready to edit.

    It has one KR driven by the KPI (``latest``) that starts at the KPI's current value and
    targets its green threshold (for an in-range KPI, the nearest bound). A KPI that is
    green but deteriorating gets a threshold KR instead ("stay at least at the target").
    """
    if kpi.organization_id != actor.organization.pk or not access.can_see_kpi(
        actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
    ):
        raise ValidationError({"kpi": [f"no KPI {kpi.ref!r}"]})
    if cycle.organization_id != actor.organization.pk:
        raise ValidationError({"cycle": [f"no cycle {cycle.name!r}"]})
    team = kpi.team
    level = Objective.Level.COMPANY if team.parent_id is None else Objective.Level.TEAM
    owner = kpi.owner or actor.user
    if not access.can_plan(
        actor, level=level, team_id=team.pk, owner_id=owner.pk if owner else None
    ):
        raise PermissionDenied(f"you may not plan objectives of {team.name}")
    now = kpi_now(kpi, as_of)
    if now.current is None or not (now.rag == RED or now.deteriorating):
        raise ValidationError({"kpi": ["only a red or deteriorating KPI offers a recovery draft"]})
    current = now.current
    kr_type, bound = KeyResult.Type.METRIC, ""
    if kpi.direction == KPI.Direction.IN_RANGE:
        if kpi.low is None or kpi.high is None:
            raise ValidationError({"kpi": ["give the KPI its low and high bounds first"]})
        target = kpi.low if abs(current - kpi.low) <= abs(current - kpi.high) else kpi.high
        if kpi.low <= current <= kpi.high:
            kr_type = KeyResult.Type.THRESHOLD
            bound = KeyResult.Bound.AT_LEAST if target == kpi.low else KeyResult.Bound.AT_MOST
    else:
        if kpi.target is None:
            raise ValidationError({"kpi": ["give the KPI a target first"]})
        target = kpi.target
        if now.rag == GREEN:
            kr_type = KeyResult.Type.THRESHOLD
            higher = kpi.direction == KPI.Direction.HIGHER_IS_BETTER
            bound = KeyResult.Bound.AT_LEAST if higher else KeyResult.Bound.AT_MOST
    if kr_type == KeyResult.Type.METRIC and target == current:
        kr_type = KeyResult.Type.THRESHOLD
        higher = current >= target
        bound = KeyResult.Bound.AT_LEAST if higher else KeyResult.Bound.AT_MOST
    with transaction.atomic():
        objective = Objective.objects.create(
            organization=actor.organization,
            ref=_unique_ref(Objective, actor.organization.pk, f"recover-{kpi.ref}"),
            cycle=cycle,
            team=team,
            owner=owner,
            title=f"Bring {kpi.name} back to green",
            description=(
                f"Drafted from the KPI {kpi.name} ({kpi.ref}), "
                f"{'red' if now.rag == RED else 'deteriorating'} at {current}."
            ),
            level=level,
            kind=Objective.Kind.COMMITTED,
            state=Objective.State.DRAFT,
        )
        kr = KeyResult(
            organization=actor.organization,
            objective=objective,
            ref=_unique_ref(KeyResult, actor.organization.pk, f"recover-{kpi.ref}"),
            title=f"{kpi.name} back to {target}{' ' + kpi.unit if kpi.unit else ''}",
            type=kr_type,
            start=current if kr_type == KeyResult.Type.METRIC else None,
            target=target,
            bound=bound,
            unit=kpi.unit,
            kpi=kpi,
            kpi_value=KeyResult.KPIValue.LATEST,
        )
        kr.full_clean()
        kr.save()
    return objective


KPI_FIELDS = frozenset(EDITABLE_FIELDS)


def _kpi_checks(actor: access.Actor, fields: dict[str, object]) -> None:
    from headway.org.models import Membership, User

    unknown = set(fields) - KPI_FIELDS
    if unknown:
        raise ValidationError({name: "this field cannot be changed here" for name in unknown})
    team = fields.get("team")
    if team is not None and getattr(team, "organization_id", None) != actor.organization.pk:
        raise ValidationError({"team": "no such team"})
    owner = fields.get("owner")
    if owner is not None and not (
        isinstance(owner, User)
        and Membership.objects.filter(organization=actor.organization, user=owner).exists()
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


# --- Web helper (issue 3): correct or delete one measurement from the KPI page --------------
# Both keep history: the old row is superseded (superseded_at set), never erased.


def correct_measurement(
    actor: access.Actor, measurement: Measurement, *, value: Decimal
) -> IngestResult:
    """Replace the value of one live measurement (a new row supersedes it)."""
    kpi = measurement.kpi
    check_measure(actor, kpi)
    if measurement.superseded_at is not None:
        raise ValidationError({"value": "this measurement was already corrected or deleted"})
    with transaction.atomic():
        if measurement.idempotency_key is None:
            # Give the row its derived key so record_measurements treats the new value as a
            # correction of it (same key, another value), with all that follows from one.
            key = derived_key(kpi, measurement.at)
            Measurement.objects.filter(pk=measurement.pk).update(idempotency_key=key)
            measurement.idempotency_key = key
        return record_measurements(
            actor,
            kpi,
            [MeasurementInput(at=measurement.at, value=value, key=measurement.idempotency_key)],
            source=Measurement.Source.WEB,
        )


def delete_measurement(actor: access.Actor, measurement: Measurement) -> None:
    """Take one measurement out of every number (the row stays, superseded, as history)."""
    kpi = measurement.kpi
    check_measure(actor, kpi)
    now = timezone.now()
    with transaction.atomic():
        changed = Measurement.objects.filter(pk=measurement.pk, superseded_at=None).update(
            superseded_at=now, idempotency_key=None
        )
        if not changed:
            raise ValidationError({"measurement": "this measurement was already deleted"})
        update_driven_key_results(kpi, now=now)
