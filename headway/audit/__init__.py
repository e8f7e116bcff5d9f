"""Audit history of every change: `history_for(obj)`, `acting(user, surface)`, exports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headway.audit.context import Surface, acting, current

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from headway.audit.models import AuditEvent

__all__ = ["Surface", "acting", "current", "history_for"]


def history_for(*objects: Model) -> QuerySet[AuditEvent]:
    """Every recorded change of `objects` (and of their check-ins, measurements, links),
    newest first, in one query.

    Works for any audited model; the caller has already checked the actor may see them, and
    they belong to one organization.
    """
    from django.db.models import Q

    from headway.audit.models import AuditEvent
    from headway.audit.record import REGISTRY

    if not objects:
        raise ValueError("history_for needs at least one object")
    matches = Q(pk__in=[])
    for obj in objects:
        audited = REGISTRY[type(obj)]
        own = Q(object_type=audited.object_type, object_id=obj.pk)
        scoped = Q(scope_type=audited.object_type, scope_id=obj.pk)
        matches |= own | scoped
    organization_id: Any = REGISTRY[type(objects[0])].organization_id(objects[0])
    return AuditEvent.objects.filter(matches, organization_id=organization_id).select_related(
        "actor"
    )
