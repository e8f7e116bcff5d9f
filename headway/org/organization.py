"""The organization's settings page (admins): its name, time zone and rules."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from headway.audit import history_for
from headway.okrs.forms import put_errors
from headway.org import actions
from headway.org.forms import SettingsForm
from headway.web.decorators import OrgRequest, org_required

CHANGES_SHOWN = 50
FIELDS = sorted(actions.ORGANIZATION_FIELDS)


def _shown(value: object) -> object:
    # PostgreSQL hands back numeric(30, 10): 0.1000000000 reads better as 0.1.
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


@org_required
def settings(request: OrgRequest) -> HttpResponse:
    if not request.actor.is_admin:
        raise PermissionDenied("only organization admins change the organization's settings")
    org = request.org
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if request.htmx:  # inline validation as the form changes
            form.is_valid()
            return render(request, "web/_form_errors.html", {"form": form})
        if form.is_valid():
            try:
                actions.update_organization(request.actor, **form.cleaned_data)
            except ValidationError as e:
                put_errors(form, e)
            else:
                messages.success(request, "Settings saved.")
                return redirect("org:settings")
    else:
        form = SettingsForm(initial={name: _shown(getattr(org, name)) for name in FIELDS})
    return render(
        request,
        "org/settings.html",
        {
            "nav": "settings",
            "title": "Organization settings",
            "form": form,
            "changes": history_for(org)[:CHANGES_SHOWN],
            "hide_as_of": True,
        },
        status=400 if form.is_bound else 200,
    )
