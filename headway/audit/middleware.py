"""Attribute changes made while serving a request to the signed-in person."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from headway.audit.context import Surface, acting


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            surface = Surface.API
        elif request.path.startswith("/admin/"):
            surface = Surface.ADMIN
        else:
            surface = Surface.WEB
        # request.user stays lazy: the API's token authentication may replace it later.
        with acting(getattr(request, "user", None), surface):
            return self.get_response(request)
