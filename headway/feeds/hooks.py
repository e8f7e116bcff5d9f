"""Inbound KPI webhooks: POST /hooks/kpi/<token>/, signed with the hook's secret.

Header ``X-Headway-Signature: sha256=<hex HMAC-SHA256 of the raw body>``; JSON body
``{"points": [{"at": ..., "value": ..., "key": ...}]}`` or one point on its own.
A bad signature is 401 and writes nothing; a bad payload is 400 with field messages.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from headway.feeds.models import Webhook
from headway.feeds.parse import ParseError, parse_time, parse_value
from headway.kpis.measurements import MeasurementInput, derived_key, record_measurements
from headway.kpis.models import Measurement
from headway.org.access import system_actor

MAX_POINTS = 10_000


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _error(status: int, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "fields": fields or {}}, status=status)


def _points(payload: Any, hook: Webhook) -> tuple[list[MeasurementInput], dict[str, list[str]]]:
    if isinstance(payload, dict) and "points" in payload:
        items = payload["points"]
        prefix = "points."
    else:
        items, prefix = [payload], "points."
    errors: dict[str, list[str]] = {}
    if not isinstance(items, list) or not items:
        return [], {"points": ["send a non-empty list of points"]}
    if len(items) > MAX_POINTS:
        return [], {"points": [f"send at most {MAX_POINTS} points per call"]}
    tz = hook.kpi.organization.tz
    points = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"{prefix}{index}"] = ["a point is an object with at and value"]
            continue
        at = value = None
        try:
            at = parse_time(item.get("at"), tz) if item.get("at") is not None else None
            if at is None:
                errors[f"{prefix}{index}.at"] = ["give the time of the point"]
        except ParseError as e:
            errors[f"{prefix}{index}.at"] = [str(e)]
        try:
            value = parse_value(item.get("value"))
        except ParseError as e:
            errors[f"{prefix}{index}.value"] = [str(e)]
        key = item.get("key")
        if key is not None and not isinstance(key, str):
            errors[f"{prefix}{index}.key"] = ["a key is a string"]
            continue
        if at is not None and value is not None:
            points.append(MeasurementInput(at, value, key=key or derived_key(hook.kpi, at)))
    return points, errors


@csrf_exempt
@require_POST
def kpi_hook(request: HttpRequest, token: str) -> JsonResponse:
    hook = Webhook.objects.select_related("kpi__organization").filter(token=token).first()
    if hook is None:
        return _error(404, "no such webhook")
    given = request.headers.get("X-Headway-Signature", "")
    if not hmac.compare_digest(given.encode(), signature(hook.secret, request.body).encode()):
        return _error(401, "bad or missing X-Headway-Signature")
    try:
        payload = json.loads(request.body)
    except ValueError:
        return _error(400, "the body is not JSON")
    points, errors = _points(payload, hook)
    if errors:
        return _error(400, "invalid points", errors)
    try:
        result = record_measurements(
            system_actor(hook.kpi.organization), hook.kpi, points, source=Measurement.Source.FEED
        )
    except ValidationError as e:
        fields = {f"points.{k}": v for k, v in e.message_dict.items()}
        return _error(400, "invalid points", fields)
    except PermissionDenied as e:  # pragma: no cover - the system actor may always measure
        return _error(403, str(e))
    Webhook.objects.filter(pk=hook.pk).update(last_used_at=timezone.now())
    return JsonResponse(
        {
            "created": result.created,
            "duplicates": result.duplicates,
            "corrected": result.corrected,
        }
    )
