"""Writes that touch several OKR rows, shared by the web pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from headway.okrs.models import CheckIn, KeyResult
from headway.org import access

MAX_VALUE_DIGITS = 20  # before the decimal point; ExactDecimalField keeps 30 digits, 10 after it


@dataclass(frozen=True)
class CheckInEntry:
    """One line of a check-in form or API call: a reading of one KR."""

    key_result_id: int
    value: Decimal | None = None
    done: bool | None = None
    confidence: int | None = None
    note: str = ""


def _entry_errors(entry: CheckInEntry, kr: KeyResult) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kr.type == KeyResult.Type.MILESTONE:
        if entry.done is None:
            errors["done"] = "say whether the milestone is done"
        if entry.value is not None:
            errors["value"] = "a milestone takes done, not a value"
    elif kr.kpi_id is not None:
        if entry.value is not None:
            errors["value"] = "this key result follows its KPI; record a KPI measurement instead"
    elif entry.value is None:
        errors["value"] = "enter a number"
    elif not entry.value.is_finite():
        errors["value"] = "enter a finite number"
    elif entry.value.adjusted() >= MAX_VALUE_DIGITS:
        errors["value"] = f"enter a number with at most {MAX_VALUE_DIGITS} digits"
    if entry.confidence is not None and not 0 <= entry.confidence <= 10:
        errors["confidence"] = "confidence is a whole number from 0 to 10"
    return errors


def record_checkins(
    actor: access.Actor,
    entries: Sequence[CheckInEntry],
    *,
    source: str = CheckIn.Source.WEB,
    at: dt.datetime | None = None,
) -> list[CheckIn]:
    """Record several check-ins at once, all or none.

    Errors are keyed `<index>.<field>` (e.g. `2.value`) so a form or an API response can put
    each message beside the line it belongs to. A KR the actor may not see is reported as
    not found; one they may see but not check in on raises PermissionDenied.
    """
    at = at or timezone.now()
    ids = {entry.key_result_id for entry in entries}
    key_results = {
        kr.pk: kr
        for kr in KeyResult.objects.filter(
            organization=actor.organization, pk__in=ids
        ).select_related("objective")
    }
    errors: dict[str, list[str]] = {}
    denied = []
    for index, entry in enumerate(entries):
        kr = key_results.get(entry.key_result_id)
        if kr is None or not access.can_see_objective(
            actor,
            private=kr.objective.private,
            team_id=kr.objective.team_id,
            owner_id=kr.objective.owner_id,
        ):
            errors[f"{index}.key_result"] = [f"no key result with id {entry.key_result_id}"]
            continue
        for field, message in _entry_errors(entry, kr).items():
            errors[f"{index}.{field}"] = [message]
        objective = kr.objective
        if not access.can_check_in(
            actor,
            owner_id=kr.owner_id,
            objective_owner_id=objective.owner_id,
            team_id=objective.team_id,
        ):
            denied.append(kr.title)
    if errors:
        raise ValidationError(errors)
    if denied:
        raise PermissionDenied(f"you may not check in on: {', '.join(denied)}")
    rows = [
        CheckIn(
            organization=actor.organization,
            key_result_id=entry.key_result_id,
            value=entry.value,
            done=entry.done,
            confidence=entry.confidence,
            note=entry.note.strip(),
            author=actor.user,
            at=at,
            source=source,
        )
        for entry in entries
    ]
    with transaction.atomic():
        return CheckIn.objects.bulk_create(rows)
