"""Feed pages: file upload with a dry-run preview, a KPI's sources, webhook and sync log."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from headway.feeds.files import Mapping, Plan, commit_import, plan_import
from headway.feeds.forms import BackfillForm, SourceForm, UploadForm
from headway.feeds.models import Source, SyncLog, Upload, Webhook
from headway.feeds.queue import enqueue_after_commit
from headway.feeds.schedule import next_run
from headway.kpis.actions import draft_recovery_objective
from headway.kpis.models import KPI
from headway.okrs.models import Cycle
from headway.org import access
from headway.reports.build import KPIOut
from headway.web.decorators import OrgRequest, org_required
from headway.web.views import kpi_for

MAX_UPLOAD = 50 * 1024 * 1024


def _editable_kpi(request: OrgRequest, ref: str) -> KPI:
    kpi = kpi_for(request, ref)
    if not access.can_edit_kpi(request.actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
        raise PermissionDenied(f"you may not change the feeds of {kpi.name}")
    return kpi


@org_required
def upload(request: OrgRequest) -> HttpResponse:
    kpis = [
        (k.ref, k.name)
        for k in KPI.objects.filter(organization=request.org)
        .filter(access.visible_kpis(request.actor))
        .only("ref", "name")
    ]
    form = UploadForm(request.POST or None, request.FILES or None, kpis=kpis)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        if file.size > MAX_UPLOAD:
            form.add_error("file", "the file is larger than 50 MB; use headway import-measurements")
        else:
            mapping = Mapping(
                time_column=form.cleaned_data["time_column"],
                value_column=form.cleaned_data["value_column"],
                kpi_ref=form.cleaned_data["kpi"],
                kpi_column=form.cleaned_data["kpi_column"],
                key_column=form.cleaned_data["key_column"],
                sheet=form.cleaned_data["sheet"],
            )
            saved = Upload.objects.create(
                organization=request.org,
                user=request.user,
                name=file.name,
                content=file.read(),
                mapping=mapping.as_dict(),
            )
            return redirect("feeds:preview", saved.pk)
    return render(
        request,
        "feeds/upload.html",
        {"form": form, "title": "Upload measurements", "nav": "kpis", "hide_as_of": True},
    )


# Problems come keyed by Mapping's fields; the page names them as the upload form does.
FIELD_LABELS = {
    "file": "File",
    "kpi": "KPI",
    "kpi_column": "KPI column",
    "time_column": "Time column",
    "value_column": "Value column",
    "key_column": "Key column",
    "sheet": "Sheet",
}


@org_required
def preview(request: OrgRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(Upload, pk=pk, organization=request.org, user=request.user)
    plan: Plan | None = None
    problem: dict[str, list[str]] = {}
    if saved.committed_at is not None:
        return render(
            request,
            "feeds/preview.html",
            {"upload": saved, "title": saved.name, "nav": "kpis", "hide_as_of": True},
        )
    try:
        plan = plan_import(
            request.actor, saved.name, bytes(saved.content), Mapping(**saved.mapping)
        )
    except ValidationError as e:
        problem = e.message_dict
    except PermissionDenied as e:
        problem = {"kpi": [str(e)]}
    if request.method == "POST" and plan is not None:
        try:
            results = commit_import(request.actor, plan)
        except ValidationError as e:
            problem = e.message_dict
        else:
            Upload.objects.filter(pk=saved.pk).update(committed_at=timezone.now(), content=b"")
            summary = ", ".join(
                f"{ref}: {r.created} new, {r.corrected} corrected, {r.duplicates} already there"
                for ref, r in results.items()
            )
            messages.success(request, f"Imported {saved.name}. {summary}.")
            return redirect("kpis:board")
    status = 400 if problem or (plan is not None and not plan.ok) else 200
    return render(
        request,
        "feeds/preview.html",
        {
            "upload": saved,
            "plan": plan,
            "problem": {FIELD_LABELS.get(k, k): v for k, v in problem.items()},
            "mapping_problem": bool(set(problem) - {"file"}),
            "count": sum(len(p) for p in plan.points.values()) if plan else 0,
            "title": f"Preview of {saved.name}",
            "nav": "kpis",
            "hide_as_of": True,
        },
        status=status,
    )


@org_required
def kpi_feeds(request: OrgRequest, ref: str) -> HttpResponse:
    kpi = _editable_kpi(request, ref)
    sources = list(Source.objects.filter(kpi=kpi))
    logs = list(
        SyncLog.objects.filter(source__kpi=kpi)
        .select_related("source")
        .order_by("-started_at")[:20]
    )
    hook = Webhook.objects.filter(kpi=kpi).first()
    return render(
        request,
        "feeds/kpi_feeds.html",
        {
            "kpi": kpi,
            "sources": sources,
            "logs": logs,
            "hook": hook,
            "hook_url": request.build_absolute_uri(f"/hooks/kpi/{hook.token}/") if hook else "",
            "new_secret": request.session.pop("feeds_new_secret", None),
            "backfill": BackfillForm(),
            "title": f"Feeds of {kpi.name}",
            "nav": "kpis",
            "hide_as_of": True,
        },
    )


@org_required
def source_edit(request: OrgRequest, ref: str, pk: int | None = None) -> HttpResponse:
    kpi = _editable_kpi(request, ref)
    source = get_object_or_404(Source, kpi=kpi, pk=pk) if pk else None
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.organization = request.org
        saved.kpi = kpi
        saved.next_run_at = next_run(saved, timezone.now()) if saved.enabled else None
        saved.save()
        when = "never"
        if saved.next_run_at is not None:
            when = f"{timezone.localtime(saved.next_run_at, request.org.tz):%Y-%m-%d %H:%M %Z}"
        messages.success(request, f"Source {saved.name} saved; next run {when}.")
        return redirect("feeds:kpi", kpi.ref)
    return render(
        request,
        "feeds/source_form.html",
        {
            "kpi": kpi,
            "form": form,
            "source": source,
            "title": "Edit source" if source else "New source",
            "nav": "kpis",
            "hide_as_of": True,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@org_required
def source_sync(request: OrgRequest, ref: str, pk: int) -> HttpResponse:
    from headway.feeds.tasks import sync_source

    kpi = _editable_kpi(request, ref)
    source = get_object_or_404(Source, kpi=kpi, pk=pk)
    if "since" in request.POST:
        form = BackfillForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Backfill not started: give a valid date range.")
            return redirect("feeds:kpi", kpi.ref)
        enqueue_after_commit(
            sync_source,
            source.pk,
            SyncLog.Trigger.BACKFILL.value,
            form.cleaned_data["since"].isoformat(),
            form.cleaned_data["until"].isoformat(),
        )
        messages.success(request, f"Backfill of {source.name} queued; see the sync log.")
    else:
        enqueue_after_commit(sync_source, source.pk, SyncLog.Trigger.MANUAL.value)
        messages.success(request, f"Sync of {source.name} queued; see the sync log.")
    return redirect("feeds:kpi", kpi.ref)


@require_POST
@org_required
def source_delete(request: OrgRequest, ref: str, pk: int) -> HttpResponse:
    kpi = _editable_kpi(request, ref)
    source = get_object_or_404(Source, kpi=kpi, pk=pk)
    source.delete()  # its measurements stay: they are the KPI's data now
    messages.success(request, f"Source {source.name} removed; its measurements stay.")
    return redirect("feeds:kpi", kpi.ref)


@require_POST
@org_required
def webhook(request: OrgRequest, ref: str) -> HttpResponse:
    kpi = _editable_kpi(request, ref)
    if request.POST.get("action") == "delete":
        Webhook.objects.filter(kpi=kpi).delete()
        messages.success(request, "Webhook removed.")
        return redirect("feeds:kpi", kpi.ref)
    secret = secrets.token_urlsafe(32)
    Webhook.objects.update_or_create(
        kpi=kpi, defaults={"organization": request.org, "secret": secret}
    )
    # Shown once, on the next page only.
    request.session["feeds_new_secret"] = secret
    messages.success(request, "Webhook ready. Copy the secret now: it is not shown again.")
    return redirect("feeds:kpi", kpi.ref)


@require_POST
@org_required
def recover(request: OrgRequest, ref: str) -> HttpResponse:
    kpi = kpi_for(request, ref)
    cycle = (
        Cycle.objects.filter(
            organization=request.org, start__lte=request.today, end__gte=request.today
        )
        .order_by("end")
        .first()
    )
    if cycle is None:
        messages.error(request, "No cycle covers today: create one first.")
        return redirect("kpis:detail", kpi.ref)
    try:
        objective = draft_recovery_objective(request.actor, kpi, cycle)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("kpis:detail", kpi.ref)
    messages.success(request, "Recovery objective drafted: edit it, then make it active.")
    return redirect("okrs:edit", objective.ref)


def kpi_actions_context(request: OrgRequest, kpi: KPI, numbers: KPIOut) -> dict[str, object]:
    """What feeds/_kpi_actions.html needs (the KPI page includes it with its report numbers)."""
    return {
        "offer_recovery": numbers["rag"] == "red" or numbers["deteriorating"],
        "can_edit_feeds": access.can_edit_kpi(
            request.actor, team_id=kpi.team_id, owner_id=kpi.owner_id
        ),
    }
