"""Who is changing things, and through which surface, for the audit history.

Set once at the edge (web middleware, API authentication, management commands) and read by
the model signals, so no write path can forget to say who did it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


class Surface:
    WEB = "web"
    API = "api"
    CLI = "cli"
    IMPORT = "import"
    FEED = "feed"
    ADMIN = "admin"
    SYSTEM = "system"

    choices = [
        (WEB, "web"),
        (API, "API"),
        (CLI, "command line"),
        (IMPORT, "import"),
        (FEED, "feed"),
        (ADMIN, "admin"),
        (SYSTEM, "system"),
    ]


@dataclass
class Acting:
    """Mutable on purpose: the API authenticates after the middleware has set the surface."""

    user: Any  # a User, an AnonymousUser, a lazy request.user, or None
    surface: str
    label: str = ""  # e.g. the token or feed name, kept beside the user


_current: ContextVar[Acting | None] = ContextVar("headway_audit_acting", default=None)


def current() -> Acting:
    return _current.get() or Acting(None, Surface.SYSTEM)


@contextmanager
def acting(user: Any, surface: str, label: str = "") -> Iterator[Acting]:
    """Attribute every change made inside the block to `user` through `surface`."""
    state = Acting(user, surface, label)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)
