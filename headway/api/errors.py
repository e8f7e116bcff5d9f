"""One error shape for every API response that is not a success.

    {"detail": "what went wrong", "errors": {"field": ["message", ...]}}

`errors` keys name the field (`value`, `2.value` for line 2 of a list); it is empty when the
problem is not about one field. A stale edit (412) adds `current`, the object as it is now.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from headway.okrs.actions import StaleVersion

if TYPE_CHECKING:
    from ninja import NinjaAPI


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


# Every operation documents these, so clients (and schemathesis) know the error shape.
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    429: ErrorOut,
}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


class DecimalParser(Parser):
    """JSON numbers become Decimals, never binary floats; bad JSON is a 400."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body, parse_float=Decimal, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise HttpError(400, f"the body is not valid JSON: {e}") from None
        _reject_nul(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for values in data.lists():
            _reject_nul(values)
        return super().parse_querydict(data, list_fields, request)


def _reject_nul(data: Any) -> None:
    """No database stores NUL characters in text (PostgreSQL rejects them): refuse early."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise HttpError(400, "text may not contain NUL characters")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    return api.create_response(
        request, {"detail": detail, "errors": errors or {}, **extra}, status=status
    )


def _field_key(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else ["body"]
    elif parts:
        parts = parts[1:] or parts
    return ".".join(str(p) for p in parts)


def _add(api: NinjaAPI, exc_class: type[Exception], handler: Callable[..., HttpResponse]) -> None:
    api.add_exception_handler(exc_class, handler)


def install(api: NinjaAPI) -> None:
    """Route every exception through the one error shape."""
    _add(
        api,
        IntegrityError,
        lambda request, exc: error_response(
            api, request, 409, "conflict with another change: retry"
        ),
    )
    from headway.api.ratelimit import RateLimited
    from headway.api.serialize import serialize_current

    def validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            # Pydantic prefixes the messages our validators raise; the field key says enough.
            message = str(error["msg"]).removeprefix("Value error, ")
            errors.setdefault(_field_key(error.get("loc", ())), []).append(message)
        return error_response(api, request, 400, "invalid input", errors)

    def django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            errors = {("body" if k == "__all__" else k): v for k, v in errors.items()}
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
            return error_response(api, request, 400, detail, errors)
        return error_response(api, request, 400, " ".join(exc.messages))

    def denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, str(exc) or "you may not do this")

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, str(exc) or "not found")

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        if isinstance(exc.__cause__, HttpError):
            # django-ninja wraps DecimalParser's message in "Cannot parse request body".
            detail = str(exc.__cause__)
        if isinstance(exc, AuthenticationError):
            detail = "sign in, or send a token: Authorization: Bearer hw_..."
        response = error_response(api, request, exc.status_code, detail)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response

    def stale(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
        current = serialize_current(exc.current)
        response = error_response(
            api,
            request,
            412,
            f"the object changed since version {exc.expected}: it is now at version "
            f"{exc.current.version}; review the current state and send your edit again",
            current=current,
        )
        response["ETag"] = f'"{exc.current.version}"'
        return response

    def limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = error_response(api, request, 429, str(exc))
        response["Retry-After"] = str(exc.retry_after)
        return response

    _add(api, NinjaValidationError, validation)
    _add(api, ValidationError, django_validation)
    _add(api, PermissionDenied, denied)
    _add(api, Http404, not_found)
    _add(api, HttpError, http_error)
    _add(api, StaleVersion, stale)
    _add(api, RateLimited, limited)
