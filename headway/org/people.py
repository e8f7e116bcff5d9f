"""People pages for admins: a person's role and teams, removing them, pending invitations.

Everyone in the organization sees who is in it on the Team page (the directory); only
admins open these pages, change roles and teams, remove people or resend invitations.
A person of another organization is "not found", never "not allowed".
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from headway.audit import history_for
from headway.kpis.models import KPI
from headway.okrs.forms import put_errors
from headway.okrs.models import KeyResult, Objective
from headway.org import actions
from headway.org.forms import MembershipForm
from headway.org.models import Membership, Team
from headway.web.decorators import OrgRequest, org_required

CHANGES_SHOWN = 50


def _membership(request: OrgRequest, person_id: int) -> Membership:
    """The person's membership here (404 for anyone else), for admins only (403)."""
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organization"),
        organization=request.org,
        user_id=person_id,
    )
    if not request.actor.is_admin:
        raise PermissionDenied("only organization admins manage people")
    return membership


def _teams(request: OrgRequest) -> object:
    return Team.objects.filter(organization=request.org).order_by("parent_id", "name")


@org_required
def person(request: OrgRequest, person_id: int) -> HttpResponse:
    membership = _membership(request, person_id)
    last_admin = actions.is_last_admin(membership)
    if request.method == "POST":
        form = MembershipForm(_teams(request), request.POST, last_admin=last_admin)
        if request.htmx:  # inline validation as the form changes
            form.is_valid()
            return render(request, "web/_form_errors.html", {"form": form})
        if form.is_valid():
            try:
                actions.update_membership(
                    request.actor,
                    membership,
                    role=form.cleaned_data["role"],
                    teams=list(form.cleaned_data["teams"]),
                )
            except ValidationError as e:
                put_errors(form, e)
            except PermissionDenied as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, f"{membership.user} saved.")
                # Back to the list: an admin who stepped down may not open this page any more.
                return redirect("org:people")
    else:
        form = MembershipForm(
            _teams(request),
            last_admin=last_admin,
            initial={"role": membership.role, "teams": list(membership.teams.all())},
        )
    return render(
        request,
        "org/person.html",
        {
            "nav": "org",
            "title": str(membership.user),
            "m": membership,
            "form": form,
            "pending": actions.is_pending(membership),
            "last_admin": last_admin,
            "changes": history_for(membership)[:CHANGES_SHOWN],
            "hide_as_of": True,
        },
        status=400 if form.is_bound else 200,
    )


def _owned(membership: Membership) -> list[str]:
    """What the person owns here ("1 objective", "6 key results"): they stay its owner."""
    org, user = membership.organization_id, membership.user_id
    counts = [
        (Objective.objects.filter(organization_id=org, owner_id=user).count(), "objective"),
        (KeyResult.objects.filter(organization_id=org, owner_id=user).count(), "key result"),
        (KPI.objects.filter(organization_id=org, owner_id=user).count(), "KPI"),
    ]
    return [f"{n} {what}{'' if n == 1 else 's'}" for n, what in counts if n]


@org_required
def person_remove(request: OrgRequest, person_id: int) -> HttpResponse:
    membership = _membership(request, person_id)
    if request.method == "POST":
        try:
            actions.remove_membership(request.actor, membership)
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
            return redirect("org:person", person_id)
        messages.success(request, f"{membership.user} no longer belongs to {request.org.name}.")
        if membership.user_id == request.user.pk:
            return redirect("home")  # they left: home takes them to another organization
        return redirect("org:people")
    teams = membership.teams.values_list("name", flat=True)
    return render(
        request,
        "org/person_remove.html",
        {
            "nav": "org",
            "title": f"Remove {membership.user}",
            "m": membership,
            "teams": list(teams),
            "owns": _owned(membership),
            "last_admin": actions.is_last_admin(membership),
            "yourself": membership.user_id == request.user.pk,
            "hide_as_of": True,
        },
    )


@require_POST
@org_required
def invitation_resend(request: OrgRequest, person_id: int) -> HttpResponse:
    membership = _membership(request, person_id)
    try:
        actions.resend_invitation(
            request.actor, membership, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    else:
        messages.success(request, f"Invitation sent again to {membership.user.email}.")
    return redirect("org:people")


@require_POST
@org_required
def invitation_revoke(request: OrgRequest, person_id: int) -> HttpResponse:
    membership = _membership(request, person_id)
    try:
        actions.revoke_invitation(request.actor, membership)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    else:
        messages.success(request, f"Invitation of {membership.user.email} revoked.")
    return redirect("org:people")
