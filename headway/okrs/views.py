"""Objective pages: list, alignment map, detail, and the plan forms."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from headway.audit import history_for
from headway.okrs import actions
from headway.okrs.forms import (
    CycleForm,
    InitiativeForm,
    KeyResultForm,
    ObjectiveForm,
    free_ref,
    put_errors,
)
from headway.okrs.models import CheckIn, Cycle, KeyResult, Objective
from headway.okrs.pages import (
    VIEWS,
    alignment_tree,
    filter_objectives,
    list_rows,
    map_rows,
    objective_facts,
    team_names,
)
from headway.org import access
from headway.reports.load import day_end
from headway.web import charts
from headway.web.decorators import OrgRequest, org_required
from headway.web.report import by_ref, choose_cycle, cycles_of, report_for
from headway.web.series import kr_series
from headway.web.templatetags.headway import page_url, ref_links


def _cycle_page(request: OrgRequest) -> tuple[list[Cycle], Cycle | None]:
    cycles = cycles_of(request.actor)
    return cycles, choose_cycle(cycles, request.GET.get("cycle"), request.as_of)


# The list draws this many objectives, then a "show more" that adds as many again: a
# large organization's thousands of rows are a slow page and a list nobody reads.
LIST_PAGE = 200
CHANGES_SHOWN = 50  # the full record: the API's history endpoints and the audit export
# The map unfolds every branch up to this many objectives; beyond, only the top level's
# children are shown and deeper branches start folded.
MAP_UNFOLDED = 150


def _shown(value: str | None) -> int:
    """How many rows of the list to draw: ``?shown=``, a multiple of LIST_PAGE."""
    try:
        shown = int(value or LIST_PAGE)
    except ValueError:
        return LIST_PAGE
    return max(1, -(-shown // LIST_PAGE)) * LIST_PAGE


@org_required
def objective_list(request: OrgRequest) -> HttpResponse:
    cycles, cycle = _cycle_page(request)
    if cycle is None:
        return render(request, "okrs/no_cycle.html", {"nav": "objectives", "title": "Objectives"})
    report = report_for(request.actor, cycle, request.as_of, kpis=False)
    facts = objective_facts(request.actor, cycle)
    view = request.GET.get("view", "all")
    if view not in dict(VIEWS):
        view = "all"
    params = {name: request.GET.get(name, "") for name in ("team", "owner", "status", "kind")}
    objectives = filter_objectives(report, facts, view, params)
    shown = _shown(request.GET.get("shown"))
    keep_query = {k: v for k, v in {"cycle": cycle.name, "view": view, **params}.items() if v}
    more = request.htmx and request.htmx.target == "more-objectives"
    # "Show more" asks for the rows it adds only; a plain link draws the page up to them.
    first = shown - LIST_PAGE if more else 0
    context = {
        "rows": list_rows(objectives[first:shown], ref_links(request, "okrs:detail")),
        "total": len(objectives),
        "hidden": max(0, len(objectives) - shown),
        "next_page": min(LIST_PAGE, len(objectives) - shown),
        "more_url": page_url(request, "okrs:list", **keep_query, shown=shown + LIST_PAGE),
        "all_url": page_url(request, "okrs:list", **keep_query, shown=len(objectives)),
    }
    if more:
        return render(request, "okrs/_rows.html", context)
    owners = sorted(
        {
            (o["owner"], o.get("owner_name") or o["owner"])
            for o in filter_objectives(report, facts, "all", {})
            if o["owner"]
        },
        key=lambda p: p[1],
    )
    context |= {
        "nav": "objectives",
        "title": f"Objectives {cycle.name}",
        "cycles": cycles,
        "cycle": cycle,
        "report": report,
        "view": view,
        "views": VIEWS,
        "params": params,
        "teams": team_names(request.actor),
        "owners": owners,
        "statuses": ("on_track", "at_risk", "off_track", "no_data", "draft", "closed"),
        "keep_query": keep_query,
    }
    template = (
        "okrs/_list.html"
        if request.htmx and request.htmx.target == "objective-list"
        else "okrs/list.html"
    )
    return render(request, template, context)


@org_required
def alignment_map(request: OrgRequest) -> HttpResponse:
    cycles, cycle = _cycle_page(request)
    if cycle is None:
        return render(request, "okrs/no_cycle.html", {"nav": "map", "title": "Alignment map"})
    report = report_for(request.actor, cycle, request.as_of, kpis=False)
    tree = alignment_tree(report, objective_facts(request.actor, cycle))
    open_depth = sys.maxsize if len(report["objectives"]) <= MAP_UNFOLDED else 1
    return render(
        request,
        "okrs/map.html",
        {
            "nav": "map",
            "title": f"Alignment map {cycle.name}",
            "cycles": cycles,
            "cycle": cycle,
            "nodes": map_rows(tree, ref_links(request, "okrs:detail"), open_depth),
            "folded": open_depth != sys.maxsize,
            "report": report,
            "keep_query": {"cycle": cycle.name},
        },
    )


def visible_objective(request: OrgRequest, ref: str) -> Objective:
    objective = get_object_or_404(
        Objective.objects.select_related("cycle", "team", "owner", "organization"),
        organization=request.org,
        ref=ref,
    )
    if not access.can_see_objective(
        request.actor,
        private=objective.private,
        team_id=objective.team_id,
        owner_id=objective.owner_id,
    ):
        raise Http404("no such objective")
    return objective


def _can_plan(actor: access.Actor, objective: Objective) -> bool:
    return access.can_plan(
        actor, level=objective.level, team_id=objective.team_id, owner_id=objective.owner_id
    )


@org_required
def objective_detail(request: OrgRequest, ref: str) -> HttpResponse:
    objective = visible_objective(request, ref)
    report = report_for(request.actor, objective.cycle, request.as_of, kpis=False)
    listed = by_ref(report["objectives"])
    numbers = listed.get(objective.ref)
    if numbers is None:  # visible but filtered out: cannot happen with the same filter
        raise Http404("no such objective")
    key_results = list(
        objective.key_results.select_related("owner", "kpi").prefetch_related("initiatives")
    )
    kr_numbers = by_ref(numbers["key_results"])
    krs = []
    for kr in key_results:
        series = kr_series(kr, request.as_of)
        summary = charts.kr_summary(series.title, series.unit, series.points, series.target)
        krs.append(
            {"kr": kr, "numbers": kr_numbers.get(kr.ref, {}), "series": series, "summary": summary}
        )
    parents = list(
        Objective.objects.filter(organization=request.org, ref__in=numbers["parents"])
        .filter(access.visible_objectives(request.actor))
        .select_related("cycle")
        .values("ref", "title", "cycle__name")
    )
    weights = dict(objective.parent_links.values_list("parent__ref", "weight"))
    children = [o for o in report["objectives"] if objective.ref in o["parents"]]
    history = list(
        CheckIn.objects.filter(
            key_result__objective=objective, at__lt=day_end(request.as_of, request.org.tz)
        )
        .select_related("author", "key_result")
        .order_by("-at", "-id")[:100]
    )
    later_cycles = [c for c in cycles_of(request.actor) if c.pk != objective.cycle_id]
    changes = history_for(objective, *key_results).filter(
        at__lt=day_end(request.as_of, request.org.tz)
    )[:CHANGES_SHOWN]
    return render(
        request,
        "okrs/detail.html",
        {
            "nav": "objectives",
            "title": objective.title,
            "objective": objective,
            "numbers": numbers,
            "krs": krs,
            "parents": parents,
            "weights": weights,
            "children": children,
            "history": history,
            "changes": changes,
            "can_plan": _can_plan(request.actor, objective),
            "cycles": later_cycles,
            "expected": report["expected"],
            "move_targets": [o for o in report["objectives"] if o["ref"] != objective.ref],
        },
    )


def _save_objective(
    request: OrgRequest, form: ObjectiveForm, objective: Objective | None
) -> Objective | None:
    if not form.is_valid():
        form.check()  # the rest of what the inline check said, beside the other fields
        return None
    fields = form.objective_fields()
    parents = form.cleaned_data["parents"]
    try:
        if objective is None:
            return actions.create_objective(
                request.actor,
                ref=free_ref(Objective, request.actor, fields["title"]),
                parents=parents,
                **fields,
            )
        version = int(request.POST.get("version") or objective.version)
        return actions.update_objective(
            request.actor, objective, expected_version=version, parents=parents, **fields
        )
    except (ValidationError, PermissionDenied) as e:
        form.add_action_error(e)
    except actions.StaleVersion:
        form.add_error(
            None,
            "Someone changed this objective while you were editing it. "
            "Reload the page to see their changes; your text is still below.",
        )
    return None


def _checked(request: OrgRequest, form: ObjectiveForm) -> HttpResponse:
    """The inline check (htmx, as the form changes): each field's message, nothing saved."""
    form.is_valid()
    form.check()
    return render(request, "web/_form_errors.html", {"form": form})


@org_required
def objective_create(request: OrgRequest) -> HttpResponse:
    _, cycle = _cycle_page(request)
    if cycle is None:
        messages.info(request, "Open a cycle first.")
        return redirect("okrs:cycle_create")
    initial: dict[str, Any] = {"cycle": cycle.name, "owner": request.user.pk}
    if request.actor.team_ids:
        initial["team"] = min(request.actor.team_ids)
    if request.GET.get("parent"):
        initial["parent_0"] = request.GET["parent"]
    if request.method == "POST":
        # With the initial values, so the inline check can tell a field emptied by hand.
        form = ObjectiveForm(request.actor, request.POST, initial=initial)
        if request.htmx:
            return _checked(request, form)
        created = _save_objective(request, form, None)
        if created is not None:
            messages.success(request, "Objective created. Add its key results below.")
            return redirect("okrs:detail", created.ref)
    else:
        form = ObjectiveForm(request.actor, initial=initial)
    return render(
        request,
        "okrs/objective_form.html",
        {"nav": "objectives", "title": "New objective", "form": form, "hide_as_of": True},
        status=400 if form.is_bound else 200,
    )


@org_required
def objective_edit(request: OrgRequest, ref: str) -> HttpResponse:
    objective = visible_objective(request, ref)
    if not _can_plan(request.actor, objective):
        raise PermissionDenied("you may not plan this objective")
    initial = {
        "title": objective.title,
        "description": objective.description,
        "cycle": objective.cycle.name,
        "team": objective.team_id,
        "owner": objective.owner_id,
        "level": objective.level,
        "kind": objective.kind,
        "state": objective.state,
        "progress_mode": objective.progress_mode,
        "private": objective.private,
    }
    if request.method == "POST":
        form = ObjectiveForm(request.actor, request.POST, objective=objective, initial=initial)
        if request.htmx:
            return _checked(request, form)
        saved = _save_objective(request, form, objective)
        if saved is not None:
            messages.success(request, "Objective saved.")
            return redirect("okrs:detail", saved.ref)
    else:
        form = ObjectiveForm(request.actor, objective=objective, initial=initial)
    return render(
        request,
        "okrs/objective_form.html",
        {
            "nav": "objectives",
            "title": f"Edit {objective.title}",
            "form": form,
            "objective": objective,
            "hide_as_of": True,
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
@org_required
def objective_duplicate(request: OrgRequest, ref: str) -> HttpResponse:
    objective = visible_objective(request, ref)
    cycle = Cycle.objects.filter(organization=request.org, name=request.POST.get("cycle")).first()
    if cycle is None:
        messages.error(request, "Choose the cycle to copy it into.")
        return redirect("okrs:detail", objective.ref)
    try:
        copy = actions.duplicate_objective(request.actor, objective, cycle=cycle)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
        return redirect("okrs:detail", objective.ref)
    except PermissionDenied as e:
        messages.error(request, str(e))
        return redirect("okrs:detail", objective.ref)
    messages.success(request, f"Copied into {cycle.name} with every field and key result.")
    return redirect("okrs:detail", copy.ref)


@org_required
def cycle_create(request: OrgRequest) -> HttpResponse:
    if not request.actor.is_admin:
        raise PermissionDenied("only organization admins open cycles")
    from headway.numbers import quarter_bounds, quarter_name, quarter_of

    if request.method == "POST":
        form = CycleForm(request.POST, organization=request.org)
        if request.htmx:  # inline validation as the form changes
            form.is_valid()
            return render(request, "web/_form_errors.html", {"form": form})
        if form.is_valid():
            try:
                cycle = actions.create_cycle(request.actor, **form.cleaned_data)
            except ValidationError as e:
                put_errors(form, e)
            else:
                messages.success(request, f"Cycle {cycle.name} is open. Write its first objective.")
                return redirect(f"{_url('okrs:create')}?cycle={cycle.name}")
    else:
        # Suggest the current quarter, or the first quarter that has no cycle yet.
        taken = set(Cycle.objects.filter(organization=request.org).values_list("name", flat=True))
        day = request.today
        while quarter_name(day) in taken:
            day = quarter_bounds(*quarter_of(day))[1] + timedelta(days=1)
        start, end = quarter_bounds(*quarter_of(day))
        form = CycleForm(
            organization=request.org,
            initial={"name": quarter_name(day), "start": start, "end": end},
        )
    return render(
        request,
        "okrs/cycle_form.html",
        {"nav": "settings", "title": "Open a cycle", "form": form, "hide_as_of": True},
        status=400 if form.is_bound else 200,
    )


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def _kr_form_page(
    request: OrgRequest, form: KeyResultForm, objective: Objective, kr: KeyResult | None
) -> HttpResponse:
    return render(
        request,
        "okrs/kr_form.html",
        {
            "nav": "objectives",
            "title": f"Edit {kr.title}" if kr else "New key result",
            "form": form,
            "objective": objective,
            "kr": kr,
            "hide_as_of": True,
        },
        status=400 if form.is_bound else 200,
    )


def _save_kr(
    request: OrgRequest, form: KeyResultForm, objective: Objective, kr: KeyResult | None
) -> KeyResult | None:
    if not form.is_valid():
        return None
    fields = form.kr_fields()
    try:
        if kr is None:
            position = objective.key_results.count()
            return actions.create_key_result(
                request.actor,
                objective=objective,
                ref=free_ref(KeyResult, request.actor, fields["title"]),
                position=position,
                **fields,
            )
        version = int(request.POST.get("version") or kr.version)
        return actions.update_key_result(request.actor, kr, expected_version=version, **fields)
    except ValidationError as e:
        put_errors(form, e)
    except PermissionDenied as e:
        form.add_error(None, str(e) or "you may not plan this key result")
    except actions.StaleVersion:
        form.add_error(
            None,
            "Someone changed this key result while you were editing it. "
            "Reload to see their changes; your text is still below.",
        )
    return None


@org_required
def kr_create(request: OrgRequest, ref: str) -> HttpResponse:
    objective = visible_objective(request, ref)
    if not _can_plan(request.actor, objective):
        raise PermissionDenied("you may not plan this objective")
    if request.method == "POST":
        form = KeyResultForm(request.actor, request.POST)
        created = _save_kr(request, form, objective, None)
        if created is not None:
            messages.success(request, f"Key result “{created.title}” added.")
            if "add_another" in request.POST:
                return redirect("okrs:kr_create", objective.ref)
            return redirect("okrs:detail", objective.ref)
    else:
        form = KeyResultForm(request.actor, initial={"owner": objective.owner_id, "weight": 1})
    return _kr_form_page(request, form, objective, None)


def _visible_kr(request: OrgRequest, ref: str) -> KeyResult:
    kr = get_object_or_404(
        KeyResult.objects.select_related("objective__cycle", "kpi", "owner"),
        organization=request.org,
        ref=ref,
    )
    o = kr.objective
    if not access.can_see_objective(
        request.actor, private=o.private, team_id=o.team_id, owner_id=o.owner_id
    ):
        raise Http404("no such key result")
    return kr


@org_required
def kr_edit(request: OrgRequest, ref: str) -> HttpResponse:
    kr = _visible_kr(request, ref)
    if not _can_plan(request.actor, kr.objective):
        raise PermissionDenied("you may not plan this objective")
    if request.method == "POST":
        form = KeyResultForm(request.actor, request.POST)
        saved = _save_kr(request, form, kr.objective, kr)
        if saved is not None:
            messages.success(request, "Key result saved.")
            return redirect("okrs:detail", kr.objective.ref)
    else:
        form = KeyResultForm(
            request.actor,
            initial={
                "title": kr.title,
                "type": kr.type,
                "start": kr.start,
                "target": kr.target,
                "bound": kr.bound,
                "unit": kr.unit,
                "weight": kr.weight,
                "owner": kr.owner_id,
                "kpi": kr.kpi.ref if kr.kpi else None,
                "kpi_value": kr.kpi_value,
            },
        )
    return _kr_form_page(request, form, kr.objective, kr)


@require_POST
@org_required
def kr_validate(request: OrgRequest) -> HttpResponse:
    """htmx: check the key result form as it is typed; answer with each field's message."""
    form = KeyResultForm(request.actor, request.POST)
    form.is_valid()
    return render(request, "web/_form_errors.html", {"form": form})


@require_POST
@org_required
def kr_move(request: OrgRequest, ref: str) -> HttpResponse:
    kr = _visible_kr(request, ref)
    target = (
        Objective.objects.filter(organization=request.org, ref=request.POST.get("objective"))
        .filter(access.visible_objectives(request.actor))
        .first()
    )
    if target is None:
        messages.error(request, "Choose the objective to move it to.")
        return redirect("okrs:detail", kr.objective.ref)
    try:
        actions.move_key_result(request.actor, kr, target)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, "; ".join(getattr(e, "messages", [str(e)])))
        return redirect("okrs:detail", kr.objective.ref)
    messages.success(request, f"Moved “{kr.title}” to {target.title}.")
    return redirect("okrs:detail", target.ref)


@require_POST
@org_required
def initiative_add(request: OrgRequest, ref: str) -> HttpResponse:
    """Add an initiative (the work planned to move a KR; never counted in progress)."""
    kr = _visible_kr(request, ref)
    form = InitiativeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "An initiative needs a title (and a valid link, if any).")
    else:
        try:
            actions.create_initiative(request.actor, key_result=kr, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, "; ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, f"Initiative added to “{kr.title}”.")
    return redirect(f"{_url('okrs:detail', kr.objective.ref)}#kr-{kr.ref}")
