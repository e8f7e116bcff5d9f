"""How each model is shown in a 412 answer's `current` (registered by each domain's api.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Schema


class StaleOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
    current: dict[str, Any]


SERIALIZERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def register(model: type, serializer: Callable[[Any], dict[str, Any]]) -> None:
    SERIALIZERS[model] = serializer


def serialize_current(obj: Any) -> dict[str, Any]:
    serializer = SERIALIZERS.get(type(obj))
    if serializer is None:
        return {"id": obj.pk, "version": getattr(obj, "version", None)}
    return serializer(obj)
