"""The small decorator every page of the site goes through (healthchecks style).

``org_required`` signs the visitor in, loads their current organization (chosen with the
switcher and kept in the session) and the permission-layer actor for it, and parses the
one shared query parameter, ``?as_of=YYYY-MM-DD``. A person who is not a member of the
organization gets a 404, never a 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from headway.org import access
from headway.org.models import Membership, Organization, User
from headway.reports.build import today_in

SESSION_KEY = "organization_id"

View = Callable[..., HttpResponse]


class OrgRequest(HttpRequest):
    """What ``org_required`` adds to the request (for type checkers)."""

    user: User
    org: Organization
    actor: access.Actor
    today: date
    as_of: date
    as_of_given: bool
    htmx: Any  # django_htmx's HtmxDetails


def current_organization(request: HttpRequest) -> Organization | None:
    """The organization in the session, else the person's first one (None: they have none)."""
    user = cast(User, request.user)
    memberships = Membership.objects.filter(user=user).select_related("organization")
    chosen = request.session.get(SESSION_KEY)
    membership = None
    if chosen is not None:
        membership = memberships.filter(organization_id=chosen).first()
    if membership is None:
        membership = memberships.order_by("organization__name").first()
    if membership is None:
        return None
    request.session[SESSION_KEY] = membership.organization_id
    return membership.organization


def parse_as_of(text: str | None, today: date) -> tuple[date, str | None]:
    """The as-of day from the query string, and an error message for a bad one."""
    if not text:
        return today, None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return today, f"“{text}” is not a date like 2026-11-15; showing today instead."
    if day > today:
        return today, "Headway cannot show the future; showing today instead."
    return day, None


def org_required(view: View) -> View:
    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        organization = current_organization(request)
        if organization is None:
            return redirect("org:create")
        actor = access.actor_for(cast(User, request.user), organization)
        if not actor.is_member:
            raise Http404("not a member of this organization")
        today = today_in(organization)
        as_of, error = parse_as_of(request.GET.get("as_of"), today)
        if error:
            return render(
                request,
                "web/bad_as_of.html",
                {"message": error, "path": request.path, "org": organization},
                status=400,
            )
        org_request = cast(OrgRequest, request)
        org_request.org = organization
        org_request.actor = actor
        org_request.today = today
        org_request.as_of = as_of
        org_request.as_of_given = as_of != today
        # Times on pages are shown in the organization's zone, whatever the server's is.
        with timezone.override(organization.tz):
            return view(org_request, *args, **kwargs)

    return wrapper
