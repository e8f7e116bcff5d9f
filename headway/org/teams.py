"""A team's page: rename it, move it in the tree, who is in it, delete it.

Admins and the team's leads rename and move it (a lead only below a team they lead); only
admins change who is in it and delete it, as with roles (org.actions). A team of another
organization is "not found".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from headway.audit import history_for
from headway.okrs.actions import StaleVersion
from headway.okrs.forms import posted_version, put_errors
from headway.org import access, actions
from headway.org.forms import TeamEditForm, TeamMemberForm
from headway.org.models import Membership, Team, TeamMembership, User
from headway.web.decorators import OrgRequest, org_required

CHANGES_SHOWN = 50


def _team(request: OrgRequest, team_id: int, *, admin: bool = False) -> Team:
    team = get_object_or_404(
        Team.objects.select_related("parent"), organization=request.org, pk=team_id
    )
    if admin and not request.actor.is_admin:
        raise PermissionDenied("only organization admins change who is in a team")
    if not request.actor.can_write or not request.actor.leads(team.pk):
        raise PermissionDenied("only admins and the team's leads change a team")
    return team


def _places(request: OrgRequest, team: Team) -> Any:
    """Where the team may move: not below itself, and for a lead only below a team they
    lead (its current place stays listed)."""
    parent_of = dict(Team.objects.filter(organization=request.org).values_list("id", "parent_id"))
    places = Team.objects.filter(organization=request.org).exclude(
        pk__in=access.subtree_ids(parent_of, [team.pk])
    )
    if not request.actor.is_admin:
        places = places.filter(pk__in=[*request.actor.led_team_ids, team.parent_id])
    return places.order_by("parent_id", "name")


def _page(
    request: OrgRequest,
    team: Team,
    form: TeamEditForm | None = None,
    member_form: TeamMemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    links = list(
        TeamMembership.objects.filter(team=team)
        .select_related("membership__user")
        .order_by("membership__user__email")
    )
    members = [link.membership for link in links]
    return render(
        request,
        "org/team.html",
        {
            "nav": "org",
            "title": team.name,
            "team": team,
            "members": members,
            "form": form
            or TeamEditForm(
                _places(request, team),
                company=team.is_company,
                initial={"name": team.name, "parent": team.parent_id},
            ),
            "member_form": member_form or TeamMemberForm(_outside(request, members)),
            "children": list(team.children.all()),
            "changes": history_for(team)[:CHANGES_SHOWN],
            "hide_as_of": True,
        },
        status=status,
    )


def _outside(request: OrgRequest, members: list[Membership]) -> Any:
    """People of the organization not in the team yet."""
    return User.objects.filter(memberships__organization=request.org).exclude(
        pk__in=[m.user_id for m in members]
    )


@org_required
def team_detail(request: OrgRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    if request.method != "POST":
        return _page(request, team)
    form = TeamEditForm(_places(request, team), request.POST, company=team.is_company)
    if request.htmx:  # inline validation as the form changes
        form.is_valid()
        return render(request, "web/_form_errors.html", {"form": form})
    if form.is_valid():
        parent = form.cleaned_data.get("parent")
        try:
            actions.update_team(
                request.actor,
                team,
                expected_version=posted_version(request.POST),
                name=form.cleaned_data["name"],
                parent=parent if parent is not None and parent.pk != team.parent_id else None,
            )
        except ValidationError as e:
            put_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
        except StaleVersion:
            form.add_error(
                None, "Someone changed this team while you were editing it. Reload to see it."
            )
        else:
            messages.success(request, f"Team {form.cleaned_data['name']} saved.")
            return redirect("org:team", team.pk)
    return _page(request, team, form=form, status=400)


@require_POST
@org_required
def member_add(request: OrgRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id, admin=True)
    members = list(Membership.objects.filter(teams=team))
    form = TeamMemberForm(_outside(request, members), request.POST)
    if form.is_valid():
        membership = Membership.objects.get(
            organization=request.org, user=form.cleaned_data["person"]
        )
        try:
            actions.add_to_team(request.actor, team, membership)
        except ValidationError as e:
            put_errors(form, e)
        else:
            messages.success(request, f"{form.cleaned_data['person']} joined {team.name}.")
            return redirect("org:team", team.pk)
    return _page(request, team, member_form=form, status=400)


@require_POST
@org_required
def member_remove(request: OrgRequest, team_id: int, person_id: int) -> HttpResponse:
    team = _team(request, team_id, admin=True)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organization=request.org, user_id=person_id
    )
    try:
        actions.remove_from_team(request.actor, team, membership)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    else:
        messages.success(request, f"{membership.user} left {team.name}.")
    return redirect("org:team", team.pk)


@org_required
def team_delete(request: OrgRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, organization=request.org, pk=team_id)
    if not request.actor.is_admin:
        raise PermissionDenied("only organization admins delete teams")
    if request.method == "POST":
        try:
            actions.delete_team(request.actor, team)
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
            return redirect("org:team", team.pk)
        messages.success(request, f"Team {team.name} deleted.")
        return redirect("org:people")
    counts = [
        (team.children.count(), "team below it", "teams below it"),
        (team.objectives.count(), "objective", "objectives"),
        (team.kpis.count(), "KPI", "KPIs"),
    ]
    blockers = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return render(
        request,
        "org/team_delete.html",
        {
            "nav": "org",
            "title": f"Delete {team.name}",
            "team": team,
            "blockers": blockers,
            "members": TeamMembership.objects.filter(team=team).count(),
            "hide_as_of": True,
        },
    )
