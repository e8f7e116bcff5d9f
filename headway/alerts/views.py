"""A person's choice of the alerts they receive for one KPI."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from headway.alerts.models import AlertChannel, AlertSubscription
from headway.feeds import outbound
from headway.org import access
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


class ChannelForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(max_length=1000, assume_scheme="https", label="URL")

    class Meta:
        model = AlertChannel
        fields = (
            "kind",
            "url",
            "secret",
            "on_red",
            "on_green",
            "on_stale",
            "on_deteriorating",
            "on_source_failed",
        )
        widgets = {"secret": forms.PasswordInput(render_value=False)}
        help_texts = {"secret": "signed webhooks only: X-Headway-Signature is sent with it"}

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            outbound.check_url(url)  # checked again at each delivery
        except outbound.OutboundError as e:
            raise forms.ValidationError(str(e)) from None
        return url


@org_required
def preferences(request: OrgRequest, ref: str) -> HttpResponse:
    kpi = kpi_for(request, ref)
    can_edit = access.can_edit_kpi(request.actor, team_id=kpi.team_id, owner_id=kpi.owner_id)
    channel_form = ChannelForm(prefix="channel")
    if request.method == "POST" and can_edit and "channel-kind" in request.POST:
        channel_form = ChannelForm(request.POST, prefix="channel")
        if channel_form.is_valid():
            channel = channel_form.save(commit=False)
            channel.organization = request.org
            channel.kpi = kpi
            channel.save()
            messages.success(request, "Channel added.")
            return redirect("feeds:alerts", kpi.ref)
    if request.method == "POST" and can_edit and "remove-channel" in request.POST:
        AlertChannel.objects.filter(kpi=kpi, pk=request.POST["remove-channel"]).delete()
        messages.success(request, "Channel removed.")
        return redirect("feeds:alerts", kpi.ref)
    mine = AlertSubscription.objects.filter(kpi=kpi, user=request.user).first()
    owner = kpi.owner_id == request.user.pk
    if mine is None:
        # Unsaved: owners get everything until they choose, others nothing until they watch.
        # The form starts with email ticked: it is the only way an alert reaches a person.
        mine = AlertSubscription(organization=request.org, kpi=kpi, user=request.user, email=True)
    posted = request.POST if "channel-kind" not in request.POST else None
    form = PreferencesForm(posted or None, instance=mine)
    if request.method == "POST" and posted and form.is_valid():
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
            "can_edit": can_edit,
            "channels": list(AlertChannel.objects.filter(kpi=kpi)) if can_edit else [],
            "channel_form": channel_form,
            "title": f"Alerts of {kpi.name}",
            "nav": "kpis",
            "hide_as_of": True,
        },
    )
