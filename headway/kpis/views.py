"""KPI pages: the board of tiles, a KPI's page with its measurements, and the KPI form."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from headway.audit import history_for
from headway.kpis import actions
from headway.kpis.forms import CorrectionForm, KPIForm, MeasurementForm
from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import KPI, Measurement
from headway.okrs.actions import StaleVersion
from headway.okrs.forms import free_ref, posted_version, put_errors
from headway.org import access
from headway.reports.load import day_end
from headway.web import charts
from headway.web.decorators import OrgRequest, org_required
from headway.web.report import by_ref, kpi_report
from headway.web.series import kpi_series
from headway.web.views import kpi_for

CHANGES_SHOWN = 50  # the full record: the API's history endpoints and the audit export


@org_required
def board(request: OrgRequest) -> HttpResponse:
    report = kpi_report(request.actor, request.as_of, objectives=False)
    refs = [k["ref"] for k in report["kpis"]]
    kpis = {
        k.ref: k
        for k in KPI.objects.filter(organization=request.org, ref__in=refs).select_related("team")
    }
    team = request.GET.get("team", "")
    rag = request.GET.get("rag", "")
    tiles = []
    for numbers in report["kpis"]:
        kpi = kpis[numbers["ref"]]
        if team and kpi.team.name != team:
            continue
        if rag and (numbers["rag"] or "none") != rag:
            continue
        spark = numbers["recent"]
        tiles.append(
            {
                "n": numbers,
                "kpi": kpi,
                "spark": charts.sparkline(spark, label=f"{kpi.name}: last {len(spark)} periods"),
            }
        )
    teams = sorted({k.team.name for k in kpis.values()})
    return render(
        request,
        "kpis/board.html",
        {
            "nav": "kpis",
            "title": "KPIs",
            "tiles": tiles,
            "teams": teams,
            "team": team,
            "rag": rag,
            "keep_query": {k: v for k, v in {"team": team, "rag": rag}.items() if v},
        },
    )


def _measurement_at(request: OrgRequest, day: object) -> datetime:
    if day == request.today:
        return timezone.now()
    # A past day: noon in the organization's zone stays on that day whatever DST does.
    return datetime.combine(day, time(12), tzinfo=request.org.tz)  # type: ignore[arg-type]


def _detail(
    request: OrgRequest, kpi: KPI, form: MeasurementForm | None = None, status: int = 200
) -> HttpResponse:
    report = kpi_report(request.actor, request.as_of)
    numbers = by_ref(report["kpis"]).get(kpi.ref)
    series = kpi_series(kpi, request.as_of)
    live = Measurement.objects.filter(
        kpi=kpi, superseded_at=None, at__lt=day_end(request.as_of, request.org.tz)
    )
    older = _offset(request.GET.get("older"))
    measurements = list(live.order_by("-at", "-id")[older : older + MEASUREMENTS_SHOWN])
    total = older + len(measurements)
    if len(measurements) == MEASUREMENTS_SHOWN or older:
        total = live.count()
    kr_numbers = {kr["ref"]: kr for o in report["objectives"] for kr in o["key_results"]}
    driven = [
        {"kr": kr, "n": kr_numbers.get(kr.ref)}
        for kr in kpi.key_results.select_related("objective__cycle").filter(
            objective__in=kpi.organization.objectives.filter(
                access.visible_objectives(request.actor)
            )
        )
    ]
    can_measure = access.can_measure(request.actor, team_id=kpi.team_id, owner_id=kpi.owner_id)
    return render(
        request,
        "kpis/detail.html",
        {
            "nav": "kpis",
            "title": kpi.name,
            "kpi": kpi,
            "n": numbers,
            "series": series,
            "summary": charts.kpi_summary(series.unit, series.periods, series.target, series.red),
            "measurements": measurements,
            "pages": _measurement_pages(request, older, len(measurements), total),
            "driven": driven,
            "can_measure": can_measure and not request.as_of_given,
            "can_edit": access.can_edit_kpi(
                request.actor, team_id=kpi.team_id, owner_id=kpi.owner_id
            ),
            "form": form or MeasurementForm(today=request.today, initial={"day": request.today}),
            "changes": history_for(kpi).filter(at__lt=day_end(request.as_of, request.org.tz))[
                :CHANGES_SHOWN
            ],
        },
        status=status,
    )


MEASUREMENTS_SHOWN = 60


def _offset(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 10 else 0


def _measurement_pages(request: OrgRequest, older: int, shown: int, total: int) -> dict[str, Any]:
    """Where the listed measurements sit among all of them, and links to the older and newer
    ones: a mistyped old reading must stay reachable to be corrected or deleted."""
    date = f"&as_of={request.as_of.isoformat()}" if request.as_of_given else ""
    newer = max(0, older - MEASUREMENTS_SHOWN)
    return {
        "first": older + 1,
        "last": older + shown,
        "total": total,
        "paged": total > shown,
        "older": f"?older={older + shown}{date}" if older + shown < total else None,
        "newer": (f"?older={newer}{date}" if newer else request.path + date.replace("&", "?"))
        if older
        else None,
    }


@org_required
def kpi_detail(request: OrgRequest, ref: str) -> HttpResponse:
    return _detail(request, kpi_for(request, ref))


@require_POST
@org_required
def measurement_add(request: OrgRequest, ref: str) -> HttpResponse:
    kpi = kpi_for(request, ref)
    form = MeasurementForm(request.POST, today=request.today)
    if form.is_valid():
        point = MeasurementInput(
            at=_measurement_at(request, form.cleaned_data["day"]), value=form.cleaned_data["value"]
        )
        try:
            record_measurements(request.actor, kpi, [point])
        except ValidationError as e:
            for key, msgs in e.message_dict.items():
                field = key.split(".")[-1]
                form.add_error(field if field in form.fields else None, msgs)
        except PermissionDenied as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"Measurement of {kpi.name} recorded.")
            return redirect("kpis:detail", kpi.ref)
    return _detail(request, kpi, form, status=400)


def _live_measurement(kpi: KPI, pk: int) -> Measurement:
    return get_object_or_404(
        Measurement.objects.select_related("kpi__organization"), kpi=kpi, pk=pk, superseded_at=None
    )


@require_POST
@org_required
def measurement_correct(request: OrgRequest, ref: str, pk: int) -> HttpResponse:
    kpi = kpi_for(request, ref)
    measurement = _live_measurement(kpi, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            actions.correct_measurement(
                request.actor, measurement, value=form.cleaned_data["value"]
            )
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, "; ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, "Measurement corrected; the old value is kept in history.")
    else:
        messages.error(request, f"Correction not saved: {form.errors['value'][0]}")
    return redirect("kpis:detail", kpi.ref)


@org_required
def measurement_delete(request: OrgRequest, ref: str, pk: int) -> HttpResponse:
    kpi = kpi_for(request, ref)
    measurement = _live_measurement(kpi, pk)
    if request.method == "POST":
        try:
            actions.delete_measurement(request.actor, measurement)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, "; ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, "Measurement deleted.")
        return redirect("kpis:detail", kpi.ref)
    return render(
        request,
        "kpis/confirm_delete.html",
        {
            "nav": "kpis",
            "title": "Delete measurement",
            "kpi": kpi,
            "m": measurement,
            "hide_as_of": True,
        },
    )


def _save(request: OrgRequest, form: KPIForm, kpi: KPI | None) -> KPI | None:
    if not form.is_valid():
        return None
    fields = form.kpi_fields()
    try:
        if kpi is None:
            return actions.create_kpi(
                request.actor, ref=free_ref(KPI, request.actor, fields["name"]), **fields
            )
        version = int(request.POST.get("version") or kpi.version)
        return actions.update_kpi(request.actor, kpi, expected_version=version, **fields)
    except ValidationError as e:
        put_errors(form, e)
    except PermissionDenied as e:
        form.add_error(None, str(e))
    except StaleVersion:
        form.add_error(
            None,
            "Someone changed this KPI while you were editing it. Reload to see "
            "their changes; your text is still below.",
        )
    return None


@org_required
def kpi_create(request: OrgRequest) -> HttpResponse:
    form = KPIForm(
        request.actor,
        request.POST or None,
        initial={
            "owner": request.user.pk,
            "team": min(request.actor.team_ids) if request.actor.team_ids else None,
        },
    )
    if request.method == "POST":
        created = _save(request, form, None)
        if created is not None:
            messages.success(request, f"KPI {created.name} created. Record its first measurement.")
            return redirect("kpis:detail", created.ref)
    return render(
        request,
        "kpis/form.html",
        {"nav": "kpis", "title": "New KPI", "form": form, "hide_as_of": True},
        status=400 if form.is_bound else 200,
    )


@org_required
def kpi_edit(request: OrgRequest, ref: str) -> HttpResponse:
    kpi = kpi_for(request, ref)
    if not access.can_edit_kpi(request.actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
        raise PermissionDenied("you may not change this KPI")
    form = KPIForm(request.actor, request.POST or None, instance=KPI.objects.get(pk=kpi.pk))
    if request.method == "POST":
        saved = _save(request, form, kpi)
        if saved is not None:
            messages.success(request, "KPI saved.")
            return redirect("kpis:detail", saved.ref)
    return render(
        request,
        "kpis/form.html",
        {"nav": "kpis", "title": f"Edit {kpi.name}", "form": form, "kpi": kpi, "hide_as_of": True},
        status=400 if form.is_bound else 200,
    )


@org_required
def kpi_delete(request: OrgRequest, ref: str) -> HttpResponse:
    """Delete a KPI, after a page that says what goes with it and what stands in the way."""
    kpi = kpi_for(request, ref)
    if not access.can_edit_kpi(request.actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
        raise PermissionDenied("you may not delete this KPI")
    if request.method == "POST":
        live = kpi.measurements.filter(superseded_at=None).count()
        try:
            actions.delete_kpi(request.actor, kpi, expected_version=posted_version(request.POST))
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, "; ".join(getattr(e, "messages", [str(e)])))
            return redirect("kpis:kpi_delete", kpi.ref)
        except StaleVersion:
            messages.error(request, "Someone changed this KPI meanwhile: check it and try again.")
            return redirect("kpis:kpi_delete", kpi.ref)
        messages.success(request, f"KPI {kpi.name} deleted with its {live} measurements.")
        return redirect("kpis:board")
    key_results = list(
        kpi.key_results.select_related("objective__cycle").order_by("objective__title", "title")
    )
    visible = [
        kr
        for kr in key_results
        if access.can_see_objective(
            request.actor,
            private=kr.objective.private,
            team_id=kr.objective.team_id,
            owner_id=kr.objective.owner_id,
        )
    ]
    return render(
        request,
        "kpis/kpi_delete.html",
        {
            "nav": "kpis",
            "title": f"Delete {kpi.name}",
            "kpi": kpi,
            "key_results": visible,
            "hidden_key_results": len(key_results) - len(visible),
            "measurements": kpi.measurements.filter(superseded_at=None).count(),
            "history_rows": kpi.measurements.exclude(superseded_at=None).count(),
            "sources": list(kpi.sources.values_list("name", flat=True)),
            "webhook": KPI.objects.filter(pk=kpi.pk, webhook__isnull=False).exists(),
            "watchers": kpi.alert_subscriptions.count() + kpi.alert_channels.count(),
            "hide_as_of": True,
        },
    )
