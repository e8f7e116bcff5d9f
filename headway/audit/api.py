"""API: each object's history, and the organization's audit log for admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from headway.api.auth import context
from headway.api.common import Page, paginate
from headway.api.errors import ERRORS
from headway.audit import history_for
from headway.audit.export import export_csv, export_json
from headway.audit.models import AuditEvent

router = Router(tags=["audit"])


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    surface: str
    object_type: str
    object_id: int
    object_label: str
    action: str
    changes: dict[str, list[Any]]


def event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.at,
        "actor": event.actor_label,
        "surface": event.surface,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "action": event.action,
        "changes": event.changes,
    }


def history_page(obj: Model, cursor: str | None, limit: int | None) -> dict[str, Any]:
    """One page of an object's history, oldest first (the caller checked visibility)."""
    rows, next_cursor = paginate(history_for(obj), cursor, limit)
    return {"items": [event_out(e) for e in rows], "next_cursor": next_cursor}


def _admin_events(request: HttpRequest) -> Any:
    from django.core.exceptions import PermissionDenied

    actor = context(request).actor
    if not actor.is_admin:
        raise PermissionDenied("only organization admins read the audit log")
    return AuditEvent.objects.filter(organization=actor.organization)


@router.get("/audit", response={200: Page[EventOut], **ERRORS})
def audit_log(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int | None = None,
    object_type: str | None = None,
    since: dt.datetime | None = None,
) -> dict[str, Any]:
    """The organization's audit log, oldest first (admins)."""
    events = _admin_events(request)
    if object_type:
        events = events.filter(object_type=object_type)
    if since is not None:
        events = events.filter(at__gte=since)
    rows, next_cursor = paginate(events, cursor, limit)
    return {"items": [event_out(e) for e in rows], "next_cursor": next_cursor}


@router.get(
    "/audit/export",
    response=ERRORS,
    openapi_extra={
        "responses": {
            "200": {
                "description": "the whole log as CSV or JSON",
                "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {}},
            }
        }
    },
)
def audit_export(request: HttpRequest, format: str = "csv") -> HttpResponse:
    """The whole audit log as a CSV or JSON download (admins)."""
    from ninja.errors import HttpError

    events = _admin_events(request)
    if format == "csv":
        response = HttpResponse(export_csv(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        return response
    if format == "json":
        return HttpResponse(export_json(events), content_type="application/json")
    raise HttpError(400, "format is csv or json")
