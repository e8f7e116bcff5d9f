"""First run and people: sign up, organizations, the switcher, teams and invitations."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from headway.okrs.forms import put_errors
from headway.okrs.models import Cycle, Objective
from headway.org import actions
from headway.org.forms import AcceptForm, InviteForm, OrganizationForm, SignupForm, TeamForm
from headway.org.models import Membership, Team, User
from headway.web.decorators import SESSION_KEY, OrgRequest, org_required

BACKEND = "django.contrib.auth.backends.ModelBackend"


def signup(request: HttpRequest) -> HttpResponse:
    """A new person and their new organization, in one step."""
    if request.user.is_authenticated:
        return redirect("org:create")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    data["email"], data["password"], name=data["your_name"]
                )
                organization = actions.create_organization(
                    user, name=data["name"], time_zone=data["time_zone"]
                )
        except ValidationError as e:
            put_errors(form, e)
        else:
            login(request, user, backend=BACKEND)
            request.session[SESSION_KEY] = organization.pk
            messages.success(request, f"{organization.name} is ready. Add your teams next.")
            return redirect("org:people")
    return render(
        request,
        "org/signup.html",
        {"form": form, "title": "Create an organization"},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = actions.create_organization(
                cast(User, request.user),
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as e:
            put_errors(form, e)
        else:
            request.session[SESSION_KEY] = organization.pk
            messages.success(request, f"{organization.name} is ready. Add your teams next.")
            return redirect("org:people")
    return render(
        request,
        "org/organization_form.html",
        {"form": form, "title": "New organization"},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    membership = (
        Membership.objects.filter(
            user=cast(User, request.user), organization_id=request.POST.get("organization") or 0
        ).first()
        if (request.POST.get("organization") or "").isdigit()
        else None
    )
    if membership is None:
        raise Http404("no such organization")
    request.session[SESSION_KEY] = membership.organization_id
    return redirect("home")


def _teams(request: OrgRequest) -> object:
    return (
        Team.objects.filter(organization=request.org)
        .select_related("parent")
        .order_by("parent_id", "name")
    )


@org_required
def people(
    request: OrgRequest,
    team_form: TeamForm | None = None,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    teams = _teams(request)
    memberships = list(
        Membership.objects.filter(organization=request.org)
        .select_related("user")
        .prefetch_related("teams")
        .order_by("user__email")
    )
    # Someone who never set a password has not accepted the invitation yet: admins see them
    # apart, with the invitation's buttons; the others see the people who have joined.
    joined = [m for m in memberships if m.user.has_usable_password()]
    pending = [m for m in memberships if not m.user.has_usable_password()]
    actor = request.actor
    listed_teams = list(
        Team.objects.filter(organization=request.org)
        .select_related("parent")
        .annotate(people=Count("teammembership"))
        .order_by("parent_id", "name")
    )
    has_cycle = Cycle.objects.filter(organization=request.org).exists()
    has_objective = Objective.objects.filter(organization=request.org).exists()
    return render(
        request,
        "org/people.html",
        {
            "nav": "org",
            "title": "Team",
            "teams": listed_teams,
            "editable_teams": {t.pk for t in listed_teams if actor.can_write and actor.leads(t.pk)},
            "joined": joined,
            "pending": pending if actor.is_admin else [],
            "team_form": team_form
            or TeamForm(
                teams,
                initial={"parent": next((t for t in listed_teams if t.is_company), None)},
            ),
            "invite_form": invite_form or InviteForm(teams),
            "steps": [
                ("Add your teams", len(listed_teams) > 1),
                ("Invite people", len(memberships) > 1),
                ("Open the first cycle", has_cycle),
                ("Write the first objective", has_objective),
            ],
            "hide_as_of": True,
        },
        status=status,
    )


@require_POST
@org_required
def team_create(request: OrgRequest) -> HttpResponse:
    form = TeamForm(_teams(request), request.POST)
    if form.is_valid():
        try:
            team = actions.create_team(
                request.actor, name=form.cleaned_data["name"], parent=form.cleaned_data["parent"]
            )
        except ValidationError as e:
            put_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"Team {team.name} added.")
            return redirect("org:people")
    return people(request, team_form=form, status=400)


@require_POST
@org_required
def invite(request: OrgRequest) -> HttpResponse:
    if not request.actor.is_admin:
        raise PermissionDenied("only organization admins invite people")
    form = InviteForm(_teams(request), request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            membership = actions.invite_by_email(
                request.actor,
                email=data["email"],
                name=data["name"],
                role=data["role"],
                teams=list(data["teams"]),
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as e:
            put_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"Invitation sent to {membership.user.email}.")
            return redirect("org:people")
    return people(request, invite_form=form, status=400)


def accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = actions.invited_user(uidb64, token)
    if user is None:
        return render(
            request, "org/accept.html", {"invalid": True, "title": "Invitation"}, status=404
        )
    form = AcceptForm(request.POST or None, initial={"name": user.name})
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(
                uidb64,
                token,
                password=form.cleaned_data["password"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as e:
            put_errors(form, e)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, "Welcome to Headway. Here is your week.")
            return redirect("home")
    return render(
        request,
        "org/accept.html",
        {"form": form, "invited": user, "title": "Invitation"},
        status=400 if form.is_bound and form.errors else 200,
    )
