"""Who is calling the API, and in which organization.

The organization is chosen by the credential: a token is bound to one; a browser session uses
the `X-Headway-Organization` header (an organization id), else the session's current
organization, else the person's only one. Every handler then works with `request.auth`,
an ApiContext holding the Actor of headway.org.access.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from headway.api.models import ApiToken, hash_token
from headway.audit import Surface, current
from headway.org import access
from headway.org.models import Membership, Organization, Role, User

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# last_used_at is a hint, not a log: write it at most this often per token.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class ApiContext:
    actor: access.Actor
    token: ApiToken | None = None

    @property
    def organization(self) -> Organization:
        return self.actor.organization


def context(request: HttpRequest) -> ApiContext:
    auth: Any = getattr(request, "auth", None)
    assert isinstance(auth, ApiContext)
    return auth


def _set_audit(user: User | None, surface: str, label: str = "") -> None:
    state = current()
    state.user = user
    state.surface = surface
    state.label = label


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hw_...`: a personal token, or a team's feed credential."""

    def __init__(self, *, allow_feed: bool = False) -> None:
        self.allow_feed = allow_feed
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiContext | None:
        row = (
            ApiToken.objects.select_related("organization", "user", "team")
            .filter(token_hash=hash_token(token.strip()), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        if row.kind == ApiToken.Kind.FEED:
            if not self.allow_feed:
                raise HttpError(403, "a feed credential may only send measurements")
            assert row.team is not None
            # The feed acts as a member of its team, so the permission layer lets it measure
            # exactly that team's KPIs; the endpoint also checks the KPI's team.
            actor = access.Actor(row.organization, None, Role.MEMBER, frozenset({row.team.pk}))
            _set_audit(row.user, Surface.FEED, f"feed {row.name}")
            return ApiContext(actor, row)
        if row.read_only and request.method not in SAFE_METHODS:
            raise HttpError(403, "this token is read-only")
        actor = access.actor_for(row.user, row.organization)
        if not actor.is_member:
            return None  # the person has left the organization since
        _set_audit(row.user, Surface.API, f"token {row.name}")
        return ApiContext(actor, row)


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (the web pages' own calls); CSRF is checked."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF only matters for a signed-in session; anonymous calls get a plain 401.
        if (
            request.user.is_authenticated
            and request.method not in SAFE_METHODS
            and check_csrf(request)
        ):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiContext | None:
        user = request.user
        if not user.is_authenticated:
            return None
        assert isinstance(user, User)
        organization = session_organization(request, user)
        actor = access.actor_for(user, organization)
        _set_audit(user, Surface.API)
        return ApiContext(actor)


def session_organization(request: HttpRequest, user: User) -> Organization:
    memberships = Membership.objects.filter(user=user).select_related("organization")
    chosen = request.headers.get("X-Headway-Organization") or request.session.get("organization_id")
    if chosen:
        try:
            membership = memberships.filter(organization_id=int(chosen)).first()
        except (TypeError, ValueError):
            raise HttpError(400, "X-Headway-Organization must be an organization id") from None
        if membership is None:
            raise HttpError(404, "no such organization")
        return membership.organization
    found = list(memberships[:2])
    if not found:
        raise HttpError(403, "you are not a member of any organization")
    if len(found) > 1:
        raise HttpError(
            400, "you belong to several organizations: choose one with X-Headway-Organization"
        )
    return found[0].organization


def default_auth() -> list[Any]:
    return [TokenAuth(), SessionAuth()]


def feed_auth() -> list[Any]:
    return [TokenAuth(allow_feed=True), SessionAuth()]
