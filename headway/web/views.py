from __future__ import annotations

from csp.decorators import csp_exempt
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_POST

from headway.kpis.models import KPI
from headway.okrs.actions import record_checkins
from headway.okrs.models import KeyResult
from headway.org import access
from headway.web import charts, myweek
from headway.web import gallery as gallery_data
from headway.web.decorators import OrgRequest, org_required
from headway.web.report import choose_cycle, current_cycles, cycles_of
from headway.web.series import kpi_series, kr_series

SVG = "image/svg+xml"


@org_required
def home(request: OrgRequest) -> HttpResponse:
    cycles = current_cycles(cycles_of(request.actor), request.as_of)
    week = myweek.build_week(request.actor, cycles, request.as_of)
    can_check_in = not request.as_of_given and request.actor.can_write
    status = 200
    saved = False
    if request.method == "POST":
        if not can_check_in:
            raise PermissionDenied("check-ins are recorded for today only")
        entries = myweek.read_form(week.rows, request.POST)
        if entries is not None:
            try:
                record_checkins(request.actor, entries, at=timezone.now())
            except ValidationError as e:
                myweek.set_action_errors(week.rows, e.message_dict)
                status = 400
            except PermissionDenied as e:
                messages.error(request, str(e))
                status = 403
            else:
                saved = True
                if not request.htmx:
                    messages.success(request, f"Checked in on {len(entries)} key results.")
                    return redirect("home")
                week = myweek.build_week(request.actor, cycles, request.as_of)
        else:
            status = 400
    context = {
        "nav": "home",
        "title": "My week",
        "week": week,
        "cycles": cycles,
        "can_check_in": can_check_in,
        "saved": saved,
        "error_count": sum(1 for row in week.rows if row.errors),
    }
    if request.htmx and request.method == "POST":
        # htmx swaps the form and the "needs me" list with fresh numbers; keep 200 so it swaps.
        return render(request, "web/_my_week.html", context)
    return render(request, "web/home.html", context, status=status)


def _kr_for(request: OrgRequest, ref: str) -> KeyResult:
    kr = get_object_or_404(
        KeyResult.objects.select_related("objective__cycle", "objective__organization", "kpi"),
        organization=request.org,
        ref=ref,
    )
    objective = kr.objective
    if not access.can_see_objective(
        request.actor,
        private=objective.private,
        team_id=objective.team_id,
        owner_id=objective.owner_id,
    ):
        raise Http404("no such key result")
    return kr


@csp_exempt()
@org_required
def kr_chart(request: OrgRequest, ref: str) -> HttpResponse:
    kr = _kr_for(request, ref)
    s = kr_series(kr, request.as_of)
    svg = charts.kr_chart(s.title, s.unit, s.points, s.expected, s.target)
    return HttpResponse(svg, content_type=SVG)


def kpi_for(request: OrgRequest, ref: str) -> KPI:
    kpi = get_object_or_404(
        KPI.objects.select_related("organization", "team", "owner"),
        organization=request.org,
        ref=ref,
    )
    if not access.can_see_kpi(
        request.actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
    ):
        raise Http404("no such KPI")
    return kpi


@csp_exempt()
@org_required
def kpi_chart(request: OrgRequest, ref: str) -> HttpResponse:
    kpi = kpi_for(request, ref)
    s = kpi_series(kpi, request.as_of)
    svg = charts.kpi_chart(
        s.name, s.unit, s.direction, s.periods, target=s.target, red=s.red, low=s.low, high=s.high
    )
    return HttpResponse(svg, content_type=SVG)


@org_required
def gallery(request: OrgRequest) -> HttpResponse:
    cycle = choose_cycle(cycles_of(request.actor), None, request.today)
    return render(
        request,
        "web/gallery.html",
        {
            "title": "Examples",
            "examples": gallery_data.EXAMPLES,
            "cycle": cycle,
            "hide_as_of": True,
        },
    )


@require_POST
@org_required
def gallery_copy(request: OrgRequest, slug: str) -> HttpResponse:
    example = gallery_data.BY_SLUG.get(slug)
    if example is None:
        raise Http404("no such example")
    cycle = choose_cycle(cycles_of(request.actor), None, request.today)
    if cycle is None:
        messages.error(request, "Open a cycle first: examples are copied into the current cycle.")
        return redirect("okrs:cycle_create")
    try:
        created = gallery_data.copy_example(request.actor, example, cycle)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
        return redirect("gallery")
    messages.success(
        request,
        f"Copied “{example.title}” into {cycle.name} as drafts: edit them and make them active.",
    )
    if created.objectives:
        return redirect("okrs:detail", created.objectives[0])
    return redirect("kpis:board")


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's, for one).
    return redirect(static("web/favicon.svg"), permanent=True)
