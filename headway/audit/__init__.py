"""Audit history of every change: `history_for(obj)`, `acting(user, surface)`, exports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headway.audit.context import Surface, acting, current

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from headway.audit.models import AuditEvent

__all__ = ["Surface", "acting", "current", "history_for"]


def history_for(obj: Model) -> QuerySet[AuditEvent]:
    """Every recorded change of `obj` (and of its check-ins, measurements, links), newest first.

    Works for any audited model; the caller has already checked the actor may see `obj`.
    """
    from django.db.models import Q

    from headway.audit.models import AuditEvent
    from headway.audit.record import REGISTRY

    audited = REGISTRY[type(obj)]
    organization_id: Any = audited.organization_id(obj)
    own = Q(object_type=audited.object_type, object_id=obj.pk)
    scoped = Q(scope_type=audited.object_type, scope_id=obj.pk)
    return AuditEvent.objects.filter(own | scoped, organization_id=organization_id).select_related(
        "actor"
    )
