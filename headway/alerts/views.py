"""A person's choice of the alerts they receive for one KPI."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from headway.alerts.models import AlertSubscription
from headway.web.decorators import OrgRequest, org_required
from headway.web.views import kpi_for


class PreferencesForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AlertSubscription
        fields = ("email", "on_red", "on_green", "on_stale", "on_deteriorating", "on_source_failed")
        labels = {
            "email": "Send me these alerts by email",
            "on_red": "it turns red",
            "on_green": "it comes back to green",
            "on_stale": "it becomes stale",
            "on_deteriorating": "it deteriorates",
            "on_source_failed": "a data source fails",
        }


@org_required
def preferences(request: OrgRequest, ref: str) -> HttpResponse:
    kpi = kpi_for(request, ref)
    mine = AlertSubscription.objects.filter(kpi=kpi, user=request.user).first()
    owner = kpi.owner_id == request.user.pk
    if mine is None:
        # Owners get everything until they choose; others start from "nothing".
        mine = AlertSubscription(organization=request.org, kpi=kpi, user=request.user, email=owner)
    form = PreferencesForm(request.POST or None, instance=mine)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "stop" and not owner:
            AlertSubscription.objects.filter(kpi=kpi, user=request.user).delete()
            messages.success(request, f"You no longer watch {kpi.name}.")
        else:
            form.save()
            messages.success(request, f"Alert choices for {kpi.name} saved.")
        return redirect("feeds:alerts", kpi.ref)
    return render(
        request,
        "alerts/preferences.html",
        {
            "kpi": kpi,
            "form": form,
            "owner": owner,
            "watching": mine.pk is not None,
            "title": f"Alerts of {kpi.name}",
            "nav": "kpis",
            "hide_as_of": True,
        },
    )
