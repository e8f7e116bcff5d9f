"""The audit log as CSV or JSON (the API download and `headway audit-export`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from headway.audit.models import AuditEvent

COLUMNS = [
    "id",
    "at",
    "actor",
    "surface",
    "object_type",
    "object_id",
    "object_label",
    "action",
    "changes",
]


def _row(event: AuditEvent) -> dict[str, object]:
    return {
        "id": event.pk,
        "at": event.at.isoformat(),
        "actor": event.actor_label,
        "surface": event.surface,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "action": event.action,
        "changes": event.changes,
    }


def export_csv(events: Iterable[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS)
    writer.writeheader()
    for event in _ordered(events):
        row = _row(event)
        row["changes"] = json.dumps(event.changes, sort_keys=True)
        writer.writerow(row)
    return out.getvalue()


def export_json(events: Iterable[AuditEvent]) -> str:
    return json.dumps([_row(e) for e in _ordered(events)], indent=1)


def _ordered(events: Iterable[AuditEvent]) -> Iterable[AuditEvent]:
    order_by = getattr(events, "order_by", None)
    if order_by is not None:
        return order_by("at", "id").iterator(chunk_size=2000)  # type: ignore[no-any-return]
    return events
