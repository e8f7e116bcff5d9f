"""Create and revoke API tokens and feed credentials (web page and API)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from headway.api.models import ApiToken, hash_token, new_secret
from headway.org import access
from headway.org.models import Team

MAX_ACTIVE_TOKENS = 50


def tokens_for(actor: access.Actor) -> QuerySet[ApiToken]:
    """The caller's own tokens, plus every feed credential of the teams they lead."""
    mine = Q(user_id=actor.user_id, kind=ApiToken.Kind.PERSONAL)
    if actor.is_admin:
        feeds = Q(kind=ApiToken.Kind.FEED)
    else:
        feeds = Q(kind=ApiToken.Kind.FEED, team_id__in=actor.led_team_ids)
    return ApiToken.objects.filter(organization=actor.organization).filter(mine | feeds)


def create_token(
    actor: access.Actor, *, name: str, read_only: bool = False, team: Team | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is shown once and only its hash is kept.

    With `team`, a feed credential: it may only write measurements of that team's KPIs.
    """
    if actor.user is None or not actor.is_member:
        raise PermissionDenied("sign in to create a token")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "name the token (1 to 100 characters), e.g. 'CI'"})
    if team is not None:
        if team.organization_id != actor.organization.pk:
            raise ValidationError({"team": "no such team"})
        if not actor.can_write or not actor.leads(team.pk):
            raise PermissionDenied("only admins and leads of the team create its feed credentials")
    active = ApiToken.objects.filter(user=actor.user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError({"name": f"at most {MAX_ACTIVE_TOKENS} active tokens: revoke some"})
    secret = new_secret()
    token = ApiToken.objects.create(
        organization=actor.organization,
        user=actor.user,
        kind=ApiToken.Kind.FEED if team is not None else ApiToken.Kind.PERSONAL,
        team=team,
        name=name,
        token_hash=hash_token(secret),
        hint=secret[:7],
        read_only=read_only and team is None,
    )
    return token, secret


def revoke_token(actor: access.Actor, token: ApiToken) -> None:
    if not tokens_for(actor).filter(pk=token.pk).exists():
        raise PermissionDenied("you may not revoke this token")
    if token.revoked_at is None:
        token.revoke()
