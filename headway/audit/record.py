"""Model signals that write the audit history of every audited model.

A pre_save snapshot of the stored row is compared with the saved one, so every save, from any
surface, records exactly the fields that changed. Paths that bypass signals (bulk_create of
check-ins and measurements) call `record_created` themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from headway.audit.context import current

IGNORED_FIELDS = frozenset({"created_at", "updated_at", "version", "password", "last_login"})


@dataclass(frozen=True)
class Audited:
    """How one model appears in the history."""

    object_type: str
    organization_id: Callable[[Any], int]
    label: Callable[[Any], str]
    # The object whose history the event belongs to (a check-in belongs to its KR's).
    scope: Callable[[Any], tuple[str, int]] | None = None
    hidden: frozenset[str] = frozenset()


REGISTRY: dict[type[models.Model], Audited] = {}


def register(model: type[models.Model], audited: Audited) -> None:
    REGISTRY[model] = audited
    uid = f"audit-{model._meta.label}"
    pre_save.connect(_snapshot, sender=model, dispatch_uid=uid)
    post_save.connect(_saved, sender=model, dispatch_uid=uid)
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid)


def _fields(instance: models.Model, audited: Audited) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in instance._meta.concrete_fields
        if f.name not in IGNORED_FIELDS and f.name not in audited.hidden and not f.primary_key
    ]


def _name(field: models.Field[Any, Any]) -> str:
    return field.name if not field.is_relation else field.attname


def to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _values(instance: models.Model, audited: Audited) -> dict[str, Any]:
    return {_name(f): getattr(instance, f.attname) for f in _fields(instance, audited)}


def _snapshot(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.pk is None:
        instance._audit_old = None  # type: ignore[attr-defined]
        return
    audited = REGISTRY[sender]
    names = [f.attname for f in _fields(instance, audited)]
    row = sender._base_manager.filter(pk=instance.pk).values(*names).first()
    if row is not None:
        by_attname = {f.attname: _name(f) for f in _fields(instance, audited)}
        row = {by_attname[k]: v for k, v in row.items()}
    instance._audit_old = row  # type: ignore[attr-defined]


def _saved(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    audited = REGISTRY[sender]
    new = _values(instance, audited)
    old: dict[str, Any] | None = getattr(instance, "_audit_old", None)
    if created or old is None:
        changes = {k: [None, to_json(v)] for k, v in new.items() if v not in (None, "")}
        _write([_event(instance, audited, "created", changes)])
        return
    changes = {k: [to_json(old[k]), to_json(v)] for k, v in new.items() if old.get(k) != v}
    if changes:
        _write([_event(instance, audited, "updated", changes)])


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    from headway.org.models import Organization

    if isinstance(kwargs.get("origin"), Organization):
        return  # the whole tenant is going, its history with it
    audited = REGISTRY[sender]
    changes = {
        k: [to_json(v), None] for k, v in _values(instance, audited).items() if v not in (None, "")
    }
    _write([_event(instance, audited, "deleted", changes)])


def _event(instance: models.Model, audited: Audited, action: str, changes: dict[str, Any]) -> Any:
    from headway.audit.models import AuditEvent

    acting = current()
    user = acting.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    label = str(user.email) if user is not None else ""
    if acting.label:
        label = f"{label} ({acting.label})" if label else acting.label
    scope_type, scope_id = (
        audited.scope(instance) if audited.scope else (audited.object_type, instance.pk)
    )
    return AuditEvent(
        organization_id=audited.organization_id(instance),
        actor_id=user.pk if user is not None else None,
        actor_label=label or acting.surface,
        surface=acting.surface,
        object_type=audited.object_type,
        object_id=instance.pk,
        object_label=audited.label(instance)[:300],
        scope_type=scope_type,
        scope_id=scope_id,
        action=action,
        changes=changes,
        at=timezone.now(),
    )


def _write(events: list[Any]) -> None:
    from headway.audit.models import AuditEvent

    AuditEvent.objects.bulk_create(events, batch_size=1000)


def record_created(rows: Iterable[models.Model]) -> None:
    """Record rows written with bulk_create, which sends no signals."""
    events = []
    for row in rows:
        audited = REGISTRY[type(row)]
        values = _values(row, audited)
        changes = {k: [None, to_json(v)] for k, v in values.items() if v not in (None, "")}
        events.append(_event(row, audited, "created", changes))
    _write(events)


def record_batch(
    *,
    organization_id: int,
    object_type: str,
    scope: tuple[str, int],
    label: str,
    changes: dict[str, Any],
    action: str = "created",
) -> None:
    """One event for a batch written without model instances (e.g. a measurement COPY).

    `changes` is {field: [old, new]}, e.g. {"measurements": [None, 120]}.
    """
    from headway.audit.models import AuditEvent

    acting = current()
    user = acting.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    actor_label = str(user.email) if user is not None else ""
    if acting.label:
        actor_label = f"{actor_label} ({acting.label})" if actor_label else acting.label
    AuditEvent.objects.create(
        organization_id=organization_id,
        actor_id=user.pk if user is not None else None,
        actor_label=actor_label or acting.surface,
        surface=acting.surface,
        object_type=object_type,
        object_id=scope[1],
        object_label=label[:300],
        scope_type=scope[0],
        scope_id=scope[1],
        action=action,
        changes={k: [to_json(a), to_json(b)] for k, (a, b) in changes.items()},
        at=timezone.now(),
    )
