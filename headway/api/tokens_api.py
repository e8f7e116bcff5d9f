"""API: personal tokens and feed credentials (only from a signed-in session)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.params import functions as param_functions
from pydantic import Field

from headway.api import actions
from headway.api.auth import SessionAuth, context
from headway.api.common import MAX_ID, Page, get_or_404, paginate
from headway.api.errors import ERRORS
from headway.api.models import ApiToken
from headway.api.ratelimit import check_rate
from headway.org.models import Team

# A token never mints tokens: creating and revoking needs the person's own session.
router = Router(tags=["tokens"], auth=[SessionAuth()])

TOKEN_ID: Any = param_functions.Path(..., ge=1, le=MAX_ID)
TOKEN_RATE = {"limit": 20, "per": 3600}


class TokenOut(Schema):
    id: int
    name: str
    kind: str
    team_id: int | None
    hint: str
    read_only: bool
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewTokenOut(TokenOut):
    secret: str = Field(..., description="shown once: store it now")


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    read_only: bool = False
    team_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="a feed credential for this team's KPIs"
    )


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "kind": token.kind,
        "team_id": token.team_id,
        "hint": token.hint,
        "read_only": token.read_only,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/tokens", response={200: Page[TokenOut], **ERRORS})
def list_tokens(
    request: HttpRequest, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    rows, next_cursor = paginate(actions.tokens_for(context(request).actor), cursor, limit)
    return {"items": [token_out(t) for t in rows], "next_cursor": next_cursor}


@router.post("/tokens", response={201: NewTokenOut, **ERRORS})
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    actor = context(request).actor
    check_rate("token", str(actor.user_id), **TOKEN_RATE)
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(organization=actor.organization, pk=payload.team_id).first()
        if team is None:
            raise ValidationError({"team_id": "no such team"})
    token, secret = actions.create_token(
        actor, name=payload.name, read_only=payload.read_only, team=team
    )
    return Status(201, {**token_out(token), "secret": secret})


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS})
def revoke_token(request: HttpRequest, token_id: int = TOKEN_ID) -> Any:
    actor = context(request).actor
    check_rate("token", str(actor.user_id), **TOKEN_RATE)
    token = get_or_404(actions.tokens_for(actor), pk=token_id)
    actions.revoke_token(actor, token)
    return Status(204, None)
