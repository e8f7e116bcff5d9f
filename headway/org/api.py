"""API: the caller, the organization's settings, teams, people and their memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.params import functions as param_functions
from pydantic import Field

from headway.api import serialize
from headway.api.auth import context
from headway.api.common import (
    MAX_ID,
    Amount,
    Number,
    Page,
    etag,
    get_or_404,
    if_match,
    number,
    paginate,
    pick,
)
from headway.api.errors import ERRORS
from headway.audit.api import EventOut, history_page
from headway.org import actions
from headway.org.models import Membership, Organization, Role, Team, TeamMembership

router = Router(tags=["organization"])

TeamId: Any = param_functions.Path(..., ge=1, le=MAX_ID)


class MeOut(Schema):
    email: str | None
    name: str | None
    organization_id: int
    organization: str
    role: str | None
    team_ids: list[int]
    token: str | None = Field(None, description="the token's name when called with a token")
    read_only: bool


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> dict[str, Any]:
    ctx = context(request)
    actor = ctx.actor
    return {
        "email": actor.user.email if actor.user else None,
        "name": actor.user.name if actor.user else None,
        "organization_id": actor.organization.pk,
        "organization": actor.organization.name,
        "role": actor.role,
        "team_ids": sorted(actor.team_ids),
        "token": ctx.token.name if ctx.token else None,
        "read_only": bool(ctx.token and ctx.token.read_only) or not actor.can_write,
    }


class OrganizationOut(Schema):
    id: int
    name: str
    time_zone: str
    on_track_max: Number
    at_risk_max: Number
    band_yellow_from: Number
    band_green_from: Number
    deteriorating_count: int


class OrganizationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    time_zone: str | None = Field(None, max_length=64)
    on_track_max: Amount | None = None
    at_risk_max: Amount | None = None
    band_yellow_from: Amount | None = None
    band_green_from: Amount | None = None
    deteriorating_count: int | None = Field(None, ge=1, le=100)


def organization_out(org: Organization) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "time_zone": org.time_zone,
        "on_track_max": number(org.on_track_max),
        "at_risk_max": number(org.at_risk_max),
        "band_yellow_from": number(org.band_yellow_from),
        "band_green_from": number(org.band_green_from),
        "deteriorating_count": org.deteriorating_count,
    }


@router.get("/organization", response={200: OrganizationOut, **ERRORS})
def get_organization(request: HttpRequest) -> dict[str, Any]:
    return organization_out(context(request).organization)


@router.patch("/organization", response={200: OrganizationOut, **ERRORS})
def patch_organization(request: HttpRequest, payload: OrganizationPatch) -> dict[str, Any]:
    fields = {k: v for k, v in pick(payload, *OrganizationPatch.model_fields).items()}
    if any(v is None for v in fields.values()):
        from django.core.exceptions import ValidationError

        raise ValidationError({k: "cannot be empty" for k, v in fields.items() if v is None})
    return organization_out(actions.update_organization(context(request).actor, **fields))


class TeamOut(Schema):
    id: int
    name: str
    parent_id: int | None
    is_company: bool
    version: int


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    parent_id: int = Field(..., ge=1, le=MAX_ID)


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    parent_id: int | None = Field(None, ge=1, le=MAX_ID)


def team_out(team: Team) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "parent_id": team.parent_id,
        "is_company": team.is_company,
        "version": team.version,
    }


serialize.register(Team, team_out)


def _teams(request: HttpRequest) -> Any:
    return Team.objects.filter(organization=context(request).organization)


def _team_field(request: HttpRequest, pk: int | None, field: str) -> Team | None:
    from django.core.exceptions import ValidationError

    if pk is None:
        return None
    team: Team | None = _teams(request).filter(pk=pk).first()
    if team is None:
        raise ValidationError({field: f"no team with id {pk}"})
    return team


@router.get("/teams", response={200: Page[TeamOut], **ERRORS})
def list_teams(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int | None = None,
    parent_id: int | None = None,
) -> dict[str, Any]:
    teams = _teams(request)
    if parent_id is not None:
        teams = teams.filter(parent_id=parent_id)
    rows, next_cursor = paginate(teams, cursor, limit)
    return {"items": [team_out(t) for t in rows], "next_cursor": next_cursor}


@router.post("/teams", response={201: TeamOut, **ERRORS})
def create_team(request: HttpRequest, payload: TeamIn) -> Any:
    parent = _team_field(request, payload.parent_id, "parent_id")
    assert parent is not None
    team = actions.create_team(context(request).actor, name=payload.name, parent=parent)
    return Status(201, team_out(team))


@router.get("/teams/{team_id}", response={200: TeamOut, **ERRORS})
def get_team(request: HttpRequest, response: HttpResponse, team_id: int = TeamId) -> Any:
    team = get_or_404(_teams(request), pk=team_id)
    etag(response, team)
    return team_out(team)


@router.patch("/teams/{team_id}", response={200: TeamOut, 412: serialize.StaleOut, **ERRORS})
def patch_team(
    request: HttpRequest, response: HttpResponse, payload: TeamPatch, team_id: int = TeamId
) -> Any:
    team = get_or_404(_teams(request), pk=team_id)
    team = actions.update_team(
        context(request).actor,
        team,
        expected_version=if_match(request),
        name=payload.name,
        parent=_team_field(request, payload.parent_id, "parent_id"),
    )
    etag(response, team)
    return team_out(team)


@router.delete("/teams/{team_id}", response={204: None, 412: serialize.StaleOut, **ERRORS})
def delete_team(request: HttpRequest, team_id: int = TeamId) -> Any:
    team = get_or_404(_teams(request), pk=team_id)
    actions.delete_team(context(request).actor, team, expected_version=if_match(request))
    return Status(204, None)


class PersonOut(Schema):
    id: int = Field(..., description="the person's user id")
    email: str
    name: str
    role: str
    team_ids: list[int]


class PersonIn(Schema):
    email: str = Field(..., min_length=3, max_length=254)
    name: str = Field("", max_length=150)
    role: Role = Role.MEMBER
    team_ids: list[int] = []


class PersonPatch(Schema):
    role: Role | None = None
    team_ids: list[int] | None = None


def person_out(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.user_id,
        "email": membership.user.email,
        "name": membership.user.name,
        "role": membership.role,
        "team_ids": sorted(link.team_id for link in membership.team_links),  # type: ignore[attr-defined]
    }


def _memberships(request: HttpRequest) -> Any:
    return (
        Membership.objects.filter(organization=context(request).organization)
        .select_related("user")
        .prefetch_related(
            Prefetch("teammembership_set", TeamMembership.objects.all(), to_attr="team_links")
        )
    )


def _team_list(request: HttpRequest, ids: list[int] | None) -> list[Team] | None:
    from django.core.exceptions import ValidationError

    if ids is None:
        return None
    teams = list(_teams(request).filter(pk__in=[i for i in ids if 0 < i <= MAX_ID]))
    missing = set(ids) - {t.pk for t in teams}
    if missing:
        raise ValidationError({"team_ids": f"no team with id {min(missing)}"})
    return teams


@router.get("/people", response={200: Page[PersonOut], **ERRORS})
def list_people(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int | None = None,
    role: Role | None = None,
    team_id: int | None = None,
) -> dict[str, Any]:
    people = _memberships(request)
    if role is not None:
        people = people.filter(role=role)
    if team_id is not None:
        people = people.filter(teams__id=team_id)
    rows, next_cursor = paginate(people, cursor, limit)
    return {"items": [person_out(m) for m in rows], "next_cursor": next_cursor}


@router.post("/people", response={201: PersonOut, **ERRORS})
def add_person(request: HttpRequest, payload: PersonIn) -> Any:
    membership = actions.invite_person(
        context(request).actor,
        email=str(payload.email),
        name=payload.name,
        role=payload.role,
        teams=_team_list(request, payload.team_ids) or [],
    )
    return Status(201, person_out(get_or_404(_memberships(request), pk=membership.pk)))


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS})
def get_person(request: HttpRequest, person_id: int = TeamId) -> dict[str, Any]:
    return person_out(get_or_404(_memberships(request), user_id=person_id))


@router.patch("/people/{person_id}", response={200: PersonOut, **ERRORS})
def patch_person(
    request: HttpRequest, payload: PersonPatch, person_id: int = TeamId
) -> dict[str, Any]:
    membership = get_or_404(_memberships(request), user_id=person_id)
    actions.update_membership(
        context(request).actor,
        membership,
        role=payload.role,
        teams=_team_list(request, payload.team_ids),
    )
    return person_out(get_or_404(_memberships(request), pk=membership.pk))


@router.delete("/people/{person_id}", response={204: None, **ERRORS})
def remove_person(request: HttpRequest, person_id: int = TeamId) -> Any:
    membership = get_or_404(_memberships(request), user_id=person_id)
    actions.remove_membership(context(request).actor, membership)
    return Status(204, None)


@router.get("/teams/{team_id}/history", response={200: Page[EventOut], **ERRORS})
def team_history(
    request: HttpRequest, team_id: int = TeamId, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    return history_page(get_or_404(_teams(request), pk=team_id), cursor, limit)


@router.get("/people/{person_id}/history", response={200: Page[EventOut], **ERRORS})
def person_history(
    request: HttpRequest,
    person_id: int = TeamId,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Changes of the person's role and teams in this organization."""
    return history_page(get_or_404(_memberships(request), user_id=person_id), cursor, limit)


@router.get("/organization/history", response={200: Page[EventOut], **ERRORS})
def organization_history(
    request: HttpRequest, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Changes of the organization's settings."""
    return history_page(context(request).organization, cursor, limit)
