"""Helpers every endpoint shares: cursor pagination, versions (ETag / If-Match), amounts."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import HttpError
from pydantic import AfterValidator

from headway.fields import decimal_problem
from headway.reports.numbers_out import out_value

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_ID = 2**63 - 1  # ids are 64-bit: larger ones are refused, not sent to the database

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


def _amount(value: Decimal) -> Decimal:
    if problem := decimal_problem(value):
        raise ValueError(problem)
    return value


# A number sent as a JSON number or a string, kept exact (the parser never makes floats).
Amount = Annotated[Decimal, AfterValidator(_amount)]
Number = int | float


def number(value: Decimal | None) -> Number | None:
    """An amount as served everywhere (headway.reports.numbers_out)."""
    return out_value(value)


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _encode(pk: int) -> str:
    return base64.urlsafe_b64encode(f"id:{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, pk = text.partition(":")
        if kind != "id":
            raise ValueError
        return int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(400, "bad cursor: pass back the next_cursor of the previous page") from None


def paginate(
    queryset: QuerySet[M], cursor: str | None, limit: int | None
) -> tuple[list[M], str | None]:
    """One page in id order (one query): stable under inserts, unlike offsets."""
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit is from 1 to {MAX_LIMIT}")
    queryset = queryset.order_by("pk")
    if cursor:
        queryset = queryset.filter(pk__gt=_decode(cursor))
    rows = list(queryset[: limit + 1])
    if len(rows) > limit:
        return rows[:limit], _encode(rows[limit - 1].pk)
    return rows, None


def if_match(request: HttpRequest) -> int | None:
    """The version the client based its edit on (If-Match: "3"), or None to skip the check."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    try:
        return int(tag)
    except ValueError:
        raise HttpError(400, 'If-Match takes the ETag of the object, like "3"') from None


def etag(response: HttpResponse, obj: Any) -> None:
    response["ETag"] = f'"{obj.version}"'


def get_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    if any(isinstance(v, str) and "\x00" in v for v in lookup.values()):
        raise Http404("not found")  # no database stores NUL in text (a path with %00)
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("not found")
    return obj


def pick(payload: Schema, *names: str) -> dict[str, Any]:
    """The fields the client actually sent (PATCH semantics)."""
    sent = payload.model_fields_set
    return {name: getattr(payload, name) for name in names if name in sent}


def id_param(value: str) -> int:
    try:
        pk = int(value)
    except ValueError:
        raise Http404("not found") from None
    if not 0 < pk < 2**63:
        raise Http404("not found")
    return pk
