"""Fixed-window rate limits kept in Django's cache (the database cache: shared by workers).

`@rate_limited("signin", limit=10, per=60)` on a view limits its POSTs per client address;
API endpoints call `check_rate` directly.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

F = TypeVar("F", bound=Callable[..., HttpResponse])


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many attempts: try again in {retry_after} seconds")


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by clients too, and would let them pick a key.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def check_rate(scope: str, key: str, *, limit: int, per: int) -> None:
    """Count one attempt; raise RateLimited past `limit` attempts in the current window."""
    window = int(time.time() // per)
    cache_key = f"rl:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=per + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=per + 1)
            count = 1
    if count > limit:
        raise RateLimited(retry_after=per - int(time.time()) % per)


def rate_limited(scope: str, *, limit: int = 10, per: int = 60) -> Callable[[F], F]:
    """Limit POSTs to a view per client address; over the limit the answer is a 429."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                try:
                    check_rate(scope, client_address(request), limit=limit, per=per)
                except RateLimited as e:
                    response = HttpResponse(str(e), status=429, content_type="text/plain")
                    response["Retry-After"] = str(e.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


# POSTs limited per client address, whichever view serves the path (scope, limit, seconds).
LIMITED_POSTS: dict[str, tuple[str, int, int]] = {
    "/login/": ("signin", 10, 60),
    "/password-reset/": ("password-reset", 5, 3600),
    "/signup/": ("signup", 10, 3600),
}


class SignInRateLimitMiddleware:
    """Rate-limit sign-in, password reset and sign-up POSTs without touching their views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rule = LIMITED_POSTS.get(request.path) if request.method == "POST" else None
        if rule is not None:
            scope, limit, per = rule
            try:
                check_rate(scope, client_address(request), limit=limit, per=per)
            except RateLimited as e:
                response = HttpResponse(str(e), status=429, content_type="text/plain")
                response["Retry-After"] = str(e.retry_after)
                return response
        return self.get_response(request)
