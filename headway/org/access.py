"""Who may see and change what: the one permission layer behind pages, API, CLI and reports.

Rules (issue: roles and rules):
- admins see and change everything in their organization;
- a lead leads the teams they belong to and every team below them;
- members plan their own personal objectives and check in on their teams' KRs;
- viewers only read;
- a private objective or KPI is visible only to its owner, members of its team and admins.
An actor outside the organization sees nothing: callers turn that into 404, never 403, so
that the existence of another tenant's objects is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q

from headway.org.models import Membership, Organization, Role, Team, User


@dataclass(frozen=True)
class Actor:
    organization: Organization
    user: User | None
    role: str | None  # None: not a member of the organization
    team_ids: frozenset[int] = field(default_factory=frozenset)
    led_team_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEAD, Role.MEMBER)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user else None

    def leads(self, team_id: int) -> bool:
        return self.is_admin or team_id in self.led_team_ids

    def belongs_to(self, team_id: int) -> bool:
        return team_id in self.team_ids


def subtree_ids(parent_of: Mapping[int, int | None], roots: Iterable[int]) -> frozenset[int]:
    """The given teams and every team below them, from a child -> parent map."""
    children: dict[int, list[int]] = {}
    for child, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        team = stack.pop()
        if team not in seen:
            seen.add(team)
            stack.extend(children.get(team, ()))
    return frozenset(seen)


def actor_for(user: User | None, organization: Organization) -> Actor:
    """The actor for a signed-in person in one organization (two queries)."""
    if user is None or not user.is_authenticated:
        return Actor(organization, None, None)
    membership = (
        Membership.objects.filter(organization=organization, user=user)
        .prefetch_related("teams")
        .first()
    )
    if membership is None:
        return Actor(organization, user, None)
    team_ids = frozenset(team.pk for team in membership.teams.all())
    led: frozenset[int] = frozenset()
    if membership.role == Role.LEAD and team_ids:
        parent_of = dict(
            Team.objects.filter(organization=organization).values_list("id", "parent_id")
        )
        led = subtree_ids(parent_of, team_ids)
    return Actor(organization, user, membership.role, team_ids, led)


def system_actor(organization: Organization) -> Actor:
    """The operator at the command line of the server: an admin of every organization."""
    return Actor(organization, None, Role.ADMIN)


def _private_filter(actor: Actor, team_field: str, owner_field: str) -> Q:
    if not actor.is_member:
        return Q(pk__in=[])
    if actor.is_admin:
        return Q()
    visible = Q(private=False) | Q(**{f"{team_field}__in": actor.team_ids})
    if actor.user_id is not None:
        visible |= Q(**{owner_field: actor.user_id})
    return visible


def visible_objectives(actor: Actor) -> Q:
    """Filter for Objective querysets (already scoped to the actor's organization)."""
    return _private_filter(actor, "team_id", "owner_id")


def visible_kpis(actor: Actor) -> Q:
    return _private_filter(actor, "team_id", "owner_id")


def can_see_objective(actor: Actor, *, private: bool, team_id: int, owner_id: int | None) -> bool:
    if not actor.is_member:
        return False
    return (
        actor.is_admin
        or not private
        or actor.belongs_to(team_id)
        or (owner_id is not None and owner_id == actor.user_id)
    )


can_see_kpi = can_see_objective


def can_plan(actor: Actor, *, level: str, team_id: int, owner_id: int | None) -> bool:
    """May the actor create or edit an objective (and its KRs) at this level?"""
    if not actor.can_write:
        return False
    if actor.is_admin:
        return True
    if level == "personal":
        own = owner_id is not None and owner_id == actor.user_id and actor.belongs_to(team_id)
        return own or actor.leads(team_id)
    # Company objectives belong to the company team, so only its leads (and admins) plan them.
    return actor.leads(team_id)


def can_check_in(
    actor: Actor, *, owner_id: int | None, objective_owner_id: int | None, team_id: int
) -> bool:
    """Its owner and members of its team check in on a KR (plus leads above it and admins)."""
    if not actor.can_write:
        return False
    responsible = owner_id if owner_id is not None else objective_owner_id
    return (
        actor.is_admin
        or (responsible is not None and responsible == actor.user_id)
        or actor.belongs_to(team_id)
        or actor.leads(team_id)
    )


def can_edit_kpi(actor: Actor, *, team_id: int, owner_id: int | None) -> bool:
    if not actor.can_write:
        return False
    return actor.leads(team_id) or (owner_id is not None and owner_id == actor.user_id)


def can_measure(actor: Actor, *, team_id: int, owner_id: int | None) -> bool:
    if not actor.can_write:
        return False
    return (
        actor.leads(team_id)
        or actor.belongs_to(team_id)
        or (owner_id is not None and owner_id == actor.user_id)
    )
