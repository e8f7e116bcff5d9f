"""Cycle pages: every cycle with its dates and objectives; edit and delete (admins).

Everyone in the organization sees the list (the cycle picker shows the same names); only
admins open, edit and delete cycles. A cycle has no state of its own: it is upcoming,
running or over by its dates, and its objectives are closed one by one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from headway.audit import history_for
from headway.okrs import actions
from headway.okrs.forms import CycleForm, posted_version, put_errors
from headway.okrs.models import Cycle, Objective
from headway.org import access
from headway.web.decorators import OrgRequest, org_required

CHANGES_SHOWN = 50


def phase(cycle: Cycle, today: date) -> str:
    if today < cycle.start:
        return "upcoming"
    if today > cycle.end:
        return "over"
    return f"running, day {(today - cycle.start).days + 1} of {(cycle.end - cycle.start).days + 1}"


@require_GET
@org_required
def cycle_list(request: OrgRequest) -> HttpResponse:
    cycles = list(
        Cycle.objects.filter(organization=request.org)
        .select_related("parent")
        .order_by("-start", "name")
    )
    # Objectives the reader may see: a private objective is not even counted for others.
    counts = dict(
        Objective.objects.filter(organization=request.org)
        .filter(access.visible_objectives(request.actor))
        .order_by()
        .values("cycle_id")
        .annotate(n=Count("pk"))
        .values_list("cycle_id", "n")
    )
    rows = [
        {
            "cycle": c,
            "objectives": counts.get(c.pk, 0),
            "phase": phase(c, request.today),
            "days": (c.end - c.start).days + 1,
        }
        for c in cycles
    ]
    return render(
        request,
        "okrs/cycles.html",
        {"nav": "settings", "title": "Cycles", "rows": rows, "hide_as_of": True},
    )


def _cycle(request: OrgRequest, cycle_id: int) -> Cycle:
    cycle = get_object_or_404(Cycle, organization=request.org, pk=cycle_id)
    if not request.actor.is_admin:
        raise PermissionDenied("only organization admins change cycles")
    return cycle


@org_required
def cycle_edit(request: OrgRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    if request.method == "POST":
        form = CycleForm(request.POST, organization=request.org, cycle=cycle)
        if request.htmx:  # inline validation as the form changes
            form.is_valid()
            return render(request, "web/_form_errors.html", {"form": form})
        if form.is_valid():
            try:
                saved = actions.update_cycle(
                    request.actor,
                    cycle,
                    expected_version=posted_version(request.POST),
                    **form.cleaned_data,
                )
            except ValidationError as e:
                put_errors(form, e)
            except actions.StaleVersion:
                form.add_error(
                    None,
                    "Someone changed this cycle while you were editing it. Reload the page "
                    "to see their changes; your text is still below.",
                )
            else:
                messages.success(request, f"Cycle {saved.name} saved.")
                return redirect("okrs:cycles")
    else:
        initial: dict[str, Any] = {
            "name": cycle.name,
            "start": cycle.start,
            "end": cycle.end,
            "parent": cycle.parent_id,
        }
        form = CycleForm(organization=request.org, cycle=cycle, initial=initial)
    return render(
        request,
        "okrs/cycle_form.html",
        {
            "nav": "settings",
            "title": f"Edit {cycle.name}",
            "form": form,
            "cycle": cycle,
            "changes": history_for(cycle)[:CHANGES_SHOWN],
            "hide_as_of": True,
        },
        status=400 if form.is_bound else 200,
    )


@org_required
def cycle_delete(request: OrgRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    if request.method == "POST":
        try:
            actions.delete_cycle(request.actor, cycle)
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
            return redirect("okrs:cycle_edit", cycle.pk)
        messages.success(request, f"Cycle {cycle.name} deleted.")
        return redirect("okrs:cycles")
    return render(
        request,
        "okrs/cycle_delete.html",
        {
            "nav": "settings",
            "title": f"Delete {cycle.name}",
            "cycle": cycle,
            "objectives": cycle.objectives.count(),
            "children": list(cycle.children.values_list("name", flat=True)),
            "hide_as_of": True,
        },
    )
