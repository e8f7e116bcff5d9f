"""API: cycles, objectives (with alignment), key results, check-ins, initiatives, reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.params import functions as param_functions
from pydantic import Field

from headway.api import serialize
from headway.api.auth import context
from headway.api.common import (
    MAX_ID,
    Amount,
    Number,
    Page,
    etag,
    get_or_404,
    if_match,
    number,
    paginate,
    pick,
)
from headway.api.errors import ERRORS
from headway.audit.api import EventOut, history_page
from headway.kpis.models import KPI
from headway.okrs import actions
from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org import access
from headway.org.models import User
from headway.reports.build import ReportError, build_report

router = Router(tags=["okrs"])

REF = r"^[-a-zA-Z0-9_]{1,100}$"
Ref: Any = param_functions.Path(..., pattern=REF)
CycleName: Any = param_functions.Path(..., pattern=r"^[^/]{1,100}$")
Id: Any = param_functions.Path(..., ge=1, le=MAX_ID)
STALE = {412: serialize.StaleOut}


# --- lookups, always scoped to the caller's organization and visibility ---------------------


def _actor(request: HttpRequest) -> access.Actor:
    return context(request).actor


def visible_objectives(request: HttpRequest) -> QuerySet[Objective]:
    actor = _actor(request)
    return Objective.objects.filter(organization=actor.organization).filter(
        access.visible_objectives(actor)
    )


def visible_key_results(request: HttpRequest) -> QuerySet[KeyResult]:
    return KeyResult.objects.filter(
        organization=_actor(request).organization, objective__in=visible_objectives(request)
    )


def _cycles(request: HttpRequest) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organization=_actor(request).organization)


def _person(request: HttpRequest, email: str | None, field: str = "owner") -> User | None:
    if not email:
        return None
    user = User.objects.filter(
        email=email.strip().lower(), memberships__organization=_actor(request).organization
    ).first()
    if user is None:
        raise ValidationError({field: f"no person {email} in this organization"})
    return user


def _named(queryset: QuerySet[Any], field: str, **lookup: Any) -> Any:
    obj = queryset.filter(**lookup).first()
    if obj is None:
        value = next(iter(lookup.values()))
        raise ValidationError({field: f"no {field.replace('_', ' ')} {value!r}"})
    return obj


# --- cycles ---------------------------------------------------------------------------------


class CycleOut(Schema):
    name: str
    start: dt.date
    end: dt.date
    parent: str | None
    version: int


class CycleIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, pattern=r"^[^/]+$")
    start: dt.date
    end: dt.date
    parent: str | None = None


class CyclePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100, pattern=r"^[^/]+$")
    start: dt.date | None = None
    end: dt.date | None = None
    parent: str | None = None


def cycle_out(cycle: Cycle) -> dict[str, Any]:
    return {
        "name": cycle.name,
        "start": cycle.start,
        "end": cycle.end,
        "parent": cycle.parent.name if cycle.parent_id and cycle.parent else None,
        "version": cycle.version,
    }


serialize.register(Cycle, cycle_out)


@router.get("/cycles", response={200: Page[CycleOut], **ERRORS})
def list_cycles(
    request: HttpRequest, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    rows, next_cursor = paginate(_cycles(request).select_related("parent"), cursor, limit)
    return {"items": [cycle_out(c) for c in rows], "next_cursor": next_cursor}


@router.post("/cycles", response={201: CycleOut, **ERRORS})
def create_cycle(request: HttpRequest, payload: CycleIn) -> Any:
    parent = _named(_cycles(request), "parent", name=payload.parent) if payload.parent else None
    cycle = actions.create_cycle(
        _actor(request), name=payload.name, start=payload.start, end=payload.end, parent=parent
    )
    return Status(201, cycle_out(cycle))


@router.get("/cycles/{name}", response={200: CycleOut, **ERRORS})
def get_cycle(request: HttpRequest, response: HttpResponse, name: str = CycleName) -> Any:
    cycle = get_or_404(_cycles(request).select_related("parent"), name=name)
    etag(response, cycle)
    return cycle_out(cycle)


@router.patch("/cycles/{name}", response={200: CycleOut, **STALE, **ERRORS})
def patch_cycle(
    request: HttpRequest, response: HttpResponse, payload: CyclePatch, name: str = CycleName
) -> Any:
    cycle = get_or_404(_cycles(request), name=name)
    fields = pick(payload, "name", "start", "end")
    if any(v is None for v in fields.values()):
        raise ValidationError({k: "cannot be empty" for k, v in fields.items() if v is None})
    if "parent" in payload.model_fields_set:
        fields["parent"] = (
            _named(_cycles(request), "parent", name=payload.parent) if payload.parent else None
        )
    cycle = actions.update_cycle(
        _actor(request), cycle, expected_version=if_match(request), **fields
    )
    etag(response, cycle)
    return cycle_out(cycle)


@router.delete("/cycles/{name}", response={204: None, **STALE, **ERRORS})
def delete_cycle(request: HttpRequest, name: str = CycleName) -> Any:
    cycle = get_or_404(_cycles(request), name=name)
    actions.delete_cycle(_actor(request), cycle, expected_version=if_match(request))
    return Status(204, None)


@router.get("/cycles/{name}/report", response={200: dict[str, Any], **ERRORS})
def cycle_report(
    request: HttpRequest, name: str = CycleName, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The cycle's report (objectives, KRs, KPIs with every number), as of a day."""
    actor = _actor(request)
    cycle = get_or_404(_cycles(request), name=name)
    try:
        return dict(
            build_report(
                actor.organization,
                cycle,
                as_of,
                objective_filter=access.visible_objectives(actor),
                kpi_filter=access.visible_kpis(actor),
            )
        )
    except ReportError as e:
        raise ValidationError({"report": str(e)}) from e


@router.get("/cycles/{name}/history", response={200: Page[EventOut], **ERRORS})
def cycle_history(
    request: HttpRequest, name: str = CycleName, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    return history_page(get_or_404(_cycles(request), name=name), cursor, limit)


# --- objectives -----------------------------------------------------------------------------


class ParentLink(Schema):
    ref: str = Field(..., pattern=REF)
    weight: Amount = Decimal(1)


class ObjectiveOut(Schema):
    ref: str
    title: str
    description: str
    cycle: str
    team_id: int
    owner: str | None
    level: str
    kind: str
    state: str
    private: bool
    progress_mode: str
    position: int
    parents: list[dict[str, Any]]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ObjectiveIn(Schema):
    ref: str = Field(..., pattern=REF)
    title: str = Field(..., min_length=1, max_length=300)
    cycle: str = Field(..., min_length=1, max_length=100)
    team_id: int = Field(..., ge=1, le=MAX_ID)
    owner: str | None = Field(None, description="the owner's email", max_length=254)
    description: str = ""
    level: Objective.Level = Objective.Level.TEAM
    kind: Objective.Kind = Objective.Kind.ASPIRATIONAL
    state: Objective.State = Objective.State.ACTIVE
    private: bool = False
    progress_mode: Objective.ProgressMode = Objective.ProgressMode.KEY_RESULTS
    position: int = Field(0, ge=0, le=2**31 - 1)
    parents: list[ParentLink] = []


class ObjectivePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    cycle: str | None = Field(None, min_length=1, max_length=100)
    team_id: int | None = Field(None, ge=1, le=MAX_ID)
    owner: str | None = Field(None, max_length=254)
    description: str | None = None
    level: Objective.Level | None = None
    kind: Objective.Kind | None = None
    state: Objective.State | None = None
    private: bool | None = None
    progress_mode: Objective.ProgressMode | None = None
    position: int | None = Field(None, ge=0, le=2**31 - 1)
    parents: list[ParentLink] | None = Field(None, description="replaces every alignment link")


def objective_out(o: Objective) -> dict[str, Any]:
    links = getattr(o, "visible_parent_links", None)
    if links is None:
        links = list(o.parent_links.select_related("parent"))
    return {
        "ref": o.ref,
        "title": o.title,
        "description": o.description,
        "cycle": o.cycle.name,
        "team_id": o.team_id,
        "owner": o.owner.email if o.owner else None,
        "level": o.level,
        "kind": o.kind,
        "state": o.state,
        "private": o.private,
        "progress_mode": o.progress_mode,
        "position": o.position,
        "parents": [{"ref": link.parent.ref, "weight": number(link.weight)} for link in links],
        "version": o.version,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    }


serialize.register(Objective, objective_out)


def _objectives_full(request: HttpRequest) -> QuerySet[Objective]:
    visible = visible_objectives(request)
    return visible.select_related("cycle", "owner").prefetch_related(
        Prefetch(
            "parent_links",
            Alignment.objects.filter(parent__in=visible).select_related("parent"),
            to_attr="visible_parent_links",
        )
    )


def _parents(request: HttpRequest, links: list[ParentLink]) -> list[tuple[Objective, Decimal]]:
    found = {o.ref: o for o in visible_objectives(request).filter(ref__in=[p.ref for p in links])}
    errors = {
        f"parents.{i}.ref": f"no objective {p.ref!r}"
        for i, p in enumerate(links)
        if p.ref not in found
    }
    if errors:
        raise ValidationError(errors)
    return [(found[p.ref], p.weight) for p in links]


def _objective_fields(request: HttpRequest, payload: Schema) -> dict[str, Any]:
    names = ("title", "description", "level", "kind", "state", "private", "progress_mode")
    fields = pick(payload, *names, "position")
    empty = [k for k, v in fields.items() if v is None]
    if empty:
        raise ValidationError({k: "cannot be empty" for k in empty})
    sent = payload.model_fields_set
    if "cycle" in sent:
        fields["cycle"] = _named(_cycles(request), "cycle", name=payload.cycle)  # type: ignore[attr-defined]
    if "team_id" in sent:
        from headway.org.models import Team

        fields["team"] = _named(
            Team.objects.filter(organization=_actor(request).organization),
            "team_id",
            pk=payload.team_id,  # type: ignore[attr-defined]
        )
    if "owner" in sent:
        fields["owner"] = _person(request, payload.owner)  # type: ignore[attr-defined]
    return fields


@router.get("/objectives", response={200: Page[ObjectiveOut], **ERRORS})
def list_objectives(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int | None = None,
    cycle: str | None = None,
    team_id: int | None = None,
    owner: str | None = None,
    level: Objective.Level | None = None,
    state: Objective.State | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    """Objectives the caller may see, filtered by cycle, team, owner email, level, state, parent."""
    objectives = _objectives_full(request)
    if cycle is not None:
        objectives = objectives.filter(cycle__name=cycle)
    if team_id is not None:
        objectives = objectives.filter(team_id=team_id)
    if owner is not None:
        objectives = objectives.filter(owner__email=owner.lower())
    if level is not None:
        objectives = objectives.filter(level=level)
    if state is not None:
        objectives = objectives.filter(state=state)
    if parent is not None:
        objectives = objectives.filter(parent_links__parent__ref=parent)
    rows, next_cursor = paginate(objectives, cursor, limit)
    return {"items": [objective_out(o) for o in rows], "next_cursor": next_cursor}


@router.post("/objectives", response={201: ObjectiveOut, **ERRORS})
def create_objective(request: HttpRequest, payload: ObjectiveIn) -> Any:
    fields = _objective_fields(request, payload)
    objective = actions.create_objective(
        _actor(request),
        ref=payload.ref,
        parents=_parents(request, payload.parents),
        **fields,
    )
    return Status(201, objective_out(get_or_404(_objectives_full(request), pk=objective.pk)))


@router.get("/objectives/{ref}", response={200: ObjectiveOut, **ERRORS})
def get_objective(request: HttpRequest, response: HttpResponse, ref: str = Ref) -> Any:
    objective = get_or_404(_objectives_full(request), ref=ref)
    etag(response, objective)
    return objective_out(objective)


@router.patch("/objectives/{ref}", response={200: ObjectiveOut, **STALE, **ERRORS})
def patch_objective(
    request: HttpRequest, response: HttpResponse, payload: ObjectivePatch, ref: str = Ref
) -> Any:
    objective = get_or_404(visible_objectives(request), ref=ref)
    fields = _objective_fields(request, payload)
    parents = None if payload.parents is None else _parents(request, payload.parents)
    actions.update_objective(
        _actor(request),
        objective,
        expected_version=if_match(request),
        parents=parents,
        **fields,
    )
    objective = get_or_404(_objectives_full(request), pk=objective.pk)
    etag(response, objective)
    return objective_out(objective)


@router.delete("/objectives/{ref}", response={204: None, **STALE, **ERRORS})
def delete_objective(request: HttpRequest, ref: str = Ref) -> Any:
    objective = get_or_404(visible_objectives(request), ref=ref)
    actions.delete_objective(_actor(request), objective, expected_version=if_match(request))
    return Status(204, None)


class DuplicateIn(Schema):
    cycle: str = Field(..., min_length=1, max_length=100)
    ref: str | None = Field(None, pattern=REF)


@router.post("/objectives/{ref}/duplicate", response={201: ObjectiveOut, **ERRORS})
def duplicate_objective(request: HttpRequest, payload: DuplicateIn, ref: str = Ref) -> Any:
    """Copy the objective and its key results (fresh refs, no check-ins) into a cycle."""
    objective = get_or_404(visible_objectives(request), ref=ref)
    cycle = _named(_cycles(request), "cycle", name=payload.cycle)
    copy = actions.duplicate_objective(_actor(request), objective, cycle=cycle, ref=payload.ref)
    return Status(201, objective_out(get_or_404(_objectives_full(request), pk=copy.pk)))


@router.get("/objectives/{ref}/history", response={200: Page[EventOut], **ERRORS})
def objective_history(
    request: HttpRequest, ref: str = Ref, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    return history_page(get_or_404(visible_objectives(request), ref=ref), cursor, limit)


# --- key results ----------------------------------------------------------------------------


class KeyResultOut(Schema):
    ref: str
    objective: str
    title: str
    type: str
    start: Number | None
    target: Number | None
    bound: str
    unit: str
    weight: Number | None
    owner: str | None
    kpi: str | None
    kpi_value: str
    score_override: Number | None
    score_reason: str
    position: int
    version: int


class KeyResultIn(Schema):
    ref: str = Field(..., pattern=REF)
    objective: str = Field(..., pattern=REF)
    title: str = Field(..., min_length=1, max_length=300)
    type: KeyResult.Type = KeyResult.Type.METRIC
    start: Amount | None = None
    target: Amount | None = None
    bound: KeyResult.Bound | None = None
    unit: str = Field("", max_length=50)
    weight: Amount = Decimal(1)
    owner: str | None = Field(None, max_length=254)
    kpi: str | None = Field(None, pattern=REF)
    kpi_value: KeyResult.KPIValue | None = None
    position: int = Field(0, ge=0, le=2**31 - 1)


class KeyResultPatch(Schema):
    objective: str | None = Field(None, pattern=REF, description="move under this objective")
    title: str | None = Field(None, min_length=1, max_length=300)
    type: KeyResult.Type | None = None
    start: Amount | None = None
    target: Amount | None = None
    bound: KeyResult.Bound | None = None
    unit: str | None = Field(None, max_length=50)
    weight: Amount | None = None
    owner: str | None = Field(None, max_length=254)
    kpi: str | None = Field(None, pattern=REF)
    kpi_value: KeyResult.KPIValue | None = None
    score_override: Amount | None = None
    score_reason: str | None = None
    position: int | None = Field(None, ge=0, le=2**31 - 1)


def key_result_out(kr: KeyResult) -> dict[str, Any]:
    return {
        "ref": kr.ref,
        "objective": kr.objective.ref,
        "title": kr.title,
        "type": kr.type,
        "start": number(kr.start),
        "target": number(kr.target),
        "bound": kr.bound,
        "unit": kr.unit,
        "weight": number(kr.weight),
        "owner": kr.owner.email if kr.owner else None,
        "kpi": kr.kpi.ref if kr.kpi else None,
        "kpi_value": kr.kpi_value,
        "score_override": number(kr.score_override),
        "score_reason": kr.score_reason,
        "position": kr.position,
        "version": kr.version,
    }


serialize.register(KeyResult, key_result_out)


def _krs_full(request: HttpRequest) -> QuerySet[KeyResult]:
    return visible_key_results(request).select_related("objective", "owner", "kpi")


def _kr_fields(request: HttpRequest, payload: Schema) -> dict[str, Any]:
    sent = payload.model_fields_set
    fields = pick(payload, "title", "type", "start", "target", "unit", "weight", "position")
    fields.update(pick(payload, "score_override", "score_reason"))
    for name in ("title", "type", "unit", "weight", "position", "score_reason"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: "cannot be empty"})
    if "bound" in sent:
        fields["bound"] = payload.bound or ""  # type: ignore[attr-defined]
    if "kpi_value" in sent:
        fields["kpi_value"] = payload.kpi_value or ""  # type: ignore[attr-defined]
    if "owner" in sent:
        fields["owner"] = _person(request, payload.owner)  # type: ignore[attr-defined]
    if "kpi" in sent:
        kpi_ref = payload.kpi  # type: ignore[attr-defined]
        actor = _actor(request)
        fields["kpi"] = (
            _named(
                KPI.objects.filter(organization=actor.organization).filter(
                    access.visible_kpis(actor)
                ),
                "kpi",
                ref=kpi_ref,
            )
            if kpi_ref
            else None
        )
    return fields


@router.get("/key-results", response={200: Page[KeyResultOut], **ERRORS})
def list_key_results(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int | None = None,
    objective: str | None = None,
    cycle: str | None = None,
    owner: str | None = None,
    kpi: str | None = None,
) -> dict[str, Any]:
    krs = _krs_full(request)
    if objective is not None:
        krs = krs.filter(objective__ref=objective)
    if cycle is not None:
        krs = krs.filter(objective__cycle__name=cycle)
    if owner is not None:
        krs = krs.filter(owner__email=owner.lower())
    if kpi is not None:
        krs = krs.filter(kpi__ref=kpi)
    rows, next_cursor = paginate(krs, cursor, limit)
    return {"items": [key_result_out(kr) for kr in rows], "next_cursor": next_cursor}


@router.post("/key-results", response={201: KeyResultOut, **ERRORS})
def create_key_result(request: HttpRequest, payload: KeyResultIn) -> Any:
    objective = _named(visible_objectives(request), "objective", ref=payload.objective)
    fields = _kr_fields(request, payload)
    kr = actions.create_key_result(_actor(request), objective=objective, ref=payload.ref, **fields)
    return Status(201, key_result_out(get_or_404(_krs_full(request), pk=kr.pk)))


@router.get("/key-results/{ref}", response={200: KeyResultOut, **ERRORS})
def get_key_result(request: HttpRequest, response: HttpResponse, ref: str = Ref) -> Any:
    kr = get_or_404(_krs_full(request), ref=ref)
    etag(response, kr)
    return key_result_out(kr)


@router.patch("/key-results/{ref}", response={200: KeyResultOut, **STALE, **ERRORS})
def patch_key_result(
    request: HttpRequest, response: HttpResponse, payload: KeyResultPatch, ref: str = Ref
) -> Any:
    """Change a key result; `objective` moves it (with its check-ins) to another objective."""
    kr = get_or_404(visible_key_results(request), ref=ref)
    actor = _actor(request)
    version = if_match(request)
    fields = _kr_fields(request, payload)
    if payload.objective is not None:
        target = _named(visible_objectives(request), "objective", ref=payload.objective)
        if target.pk != kr.objective_id:
            kr = actions.move_key_result(actor, kr, target, expected_version=version)
            version = kr.version
    if fields:
        actions.update_key_result(actor, kr, expected_version=version, **fields)
    kr = get_or_404(_krs_full(request), pk=kr.pk)
    etag(response, kr)
    return key_result_out(kr)


@router.delete("/key-results/{ref}", response={204: None, **STALE, **ERRORS})
def delete_key_result(request: HttpRequest, ref: str = Ref) -> Any:
    kr = get_or_404(visible_key_results(request), ref=ref)
    actions.delete_key_result(_actor(request), kr, expected_version=if_match(request))
    return Status(204, None)


@router.get("/key-results/{ref}/history", response={200: Page[EventOut], **ERRORS})
def key_result_history(
    request: HttpRequest, ref: str = Ref, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Changes of the key result, its check-ins and its initiatives."""
    return history_page(get_or_404(visible_key_results(request), ref=ref), cursor, limit)


# --- check-ins (append-only: a correction is a new check-in) -------------------------------


class CheckInOut(Schema):
    id: int
    key_result: str
    value: Number | None
    done: bool | None
    confidence: int | None
    note: str
    author: str | None
    at: dt.datetime
    source: str


class CheckInIn(Schema):
    value: Amount | None = None
    done: bool | None = None
    confidence: int | None = Field(None, ge=0, le=10)
    note: str = Field("", max_length=10000)


class CheckInLine(CheckInIn):
    key_result: str = Field(..., pattern=REF)


class CheckInBatch(Schema):
    checkins: list[CheckInLine] = Field(..., min_length=1, max_length=500)
    at: dt.datetime | None = Field(None, description="when the readings were true (default now)")


def checkin_out(c: CheckIn, ref: str) -> dict[str, Any]:
    return {
        "id": c.pk,
        "key_result": ref,
        "value": number(c.value),
        "done": c.done,
        "confidence": c.confidence,
        "note": c.note,
        "author": c.author.email if c.author else None,
        "at": c.at,
        "source": c.source,
    }


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    if at is not None and at.tzinfo is None:
        raise ValidationError({"at": "give a time zone, like 2026-11-02T09:00:00+00:00"})
    return at


@router.get("/key-results/{ref}/checkins", response={200: Page[CheckInOut], **ERRORS})
def list_checkins(
    request: HttpRequest,
    ref: str = Ref,
    cursor: str | None = None,
    limit: int | None = None,
    since: dt.datetime | None = None,
) -> dict[str, Any]:
    kr = get_or_404(visible_key_results(request), ref=ref)
    checkins = CheckIn.objects.filter(key_result=kr).select_related("author")
    if since is not None:
        checkins = checkins.filter(at__gte=since)
    rows, next_cursor = paginate(checkins, cursor, limit)
    return {"items": [checkin_out(c, kr.ref) for c in rows], "next_cursor": next_cursor}


@router.post("/key-results/{ref}/checkins", response={201: CheckInOut, **ERRORS})
def check_in(request: HttpRequest, payload: CheckInIn, ref: str = Ref) -> Any:
    kr = get_or_404(visible_key_results(request), ref=ref)
    entry = actions.CheckInEntry(
        kr.pk,
        value=payload.value,
        done=payload.done,
        confidence=payload.confidence,
        note=payload.note,
    )
    try:
        (row,) = actions.record_checkins(_actor(request), [entry], source=CheckIn.Source.API)
    except ValidationError as e:
        raise ValidationError(
            {k.removeprefix("0."): v for k, v in e.message_dict.items()}
        ) from None
    return Status(201, checkin_out(row, kr.ref))


@router.post("/checkins", response={201: list[CheckInOut], **ERRORS})
def check_in_many(request: HttpRequest, payload: CheckInBatch) -> Any:
    """Several check-ins at once, all or none (errors keyed `checkins.<line>.<field>`)."""
    refs = {line.key_result for line in payload.checkins}
    found = dict(visible_key_results(request).filter(ref__in=refs).values_list("ref", "id"))
    missing = {
        f"checkins.{i}.key_result": [f"no key result {line.key_result!r}"]
        for i, line in enumerate(payload.checkins)
        if line.key_result not in found
    }
    if missing:
        raise ValidationError(missing)
    entries = [
        actions.CheckInEntry(
            found[line.key_result],
            value=line.value,
            done=line.done,
            confidence=line.confidence,
            note=line.note,
        )
        for line in payload.checkins
    ]
    try:
        rows = actions.record_checkins(
            _actor(request), entries, source=CheckIn.Source.API, at=_aware(payload.at)
        )
    except ValidationError as e:
        raise ValidationError({f"checkins.{k}": v for k, v in e.message_dict.items()}) from None
    refs_by_id = {pk: ref for ref, pk in found.items()}
    return Status(201, [checkin_out(row, refs_by_id[row.key_result_id]) for row in rows])


# --- initiatives ----------------------------------------------------------------------------


class InitiativeOut(Schema):
    id: int
    key_result: str
    title: str
    status: str
    owner: str | None
    url: str
    version: int


class InitiativeIn(Schema):
    key_result: str = Field(..., pattern=REF)
    title: str = Field(..., min_length=1, max_length=300)
    status: Initiative.Status = Initiative.Status.PLANNED
    owner: str | None = Field(None, max_length=254)
    url: str = Field("", max_length=200)


class InitiativePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    status: Initiative.Status | None = None
    owner: str | None = Field(None, max_length=254)
    url: str | None = Field(None, max_length=200)


def initiative_out(i: Initiative) -> dict[str, Any]:
    return {
        "id": i.pk,
        "key_result": i.key_result.ref,
        "title": i.title,
        "status": i.status,
        "owner": i.owner.email if i.owner else None,
        "url": i.url,
        "version": i.version,
    }


serialize.register(Initiative, initiative_out)


def _initiatives(request: HttpRequest) -> QuerySet[Initiative]:
    return Initiative.objects.filter(
        organization=_actor(request).organization, key_result__in=visible_key_results(request)
    ).select_related("key_result", "owner")


def _initiative_fields(request: HttpRequest, payload: Schema) -> dict[str, Any]:
    fields = pick(payload, "title", "status", "url")
    if any(v is None for v in fields.values()):
        raise ValidationError({k: "cannot be empty" for k, v in fields.items() if v is None})
    if "owner" in payload.model_fields_set:
        fields["owner"] = _person(request, payload.owner)  # type: ignore[attr-defined]
    return fields


@router.get("/initiatives", response={200: Page[InitiativeOut], **ERRORS})
def list_initiatives(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int | None = None,
    key_result: str | None = None,
    status: Initiative.Status | None = None,
) -> dict[str, Any]:
    initiatives = _initiatives(request)
    if key_result is not None:
        initiatives = initiatives.filter(key_result__ref=key_result)
    if status is not None:
        initiatives = initiatives.filter(status=status)
    rows, next_cursor = paginate(initiatives, cursor, limit)
    return {"items": [initiative_out(i) for i in rows], "next_cursor": next_cursor}


@router.post("/initiatives", response={201: InitiativeOut, **ERRORS})
def create_initiative(request: HttpRequest, payload: InitiativeIn) -> Any:
    kr = _named(
        visible_key_results(request).select_related("objective"),
        "key_result",
        ref=payload.key_result,
    )
    initiative = actions.create_initiative(
        _actor(request), key_result=kr, **_initiative_fields(request, payload)
    )
    return Status(201, initiative_out(get_or_404(_initiatives(request), pk=initiative.pk)))


@router.get("/initiatives/{initiative_id}", response={200: InitiativeOut, **ERRORS})
def get_initiative(request: HttpRequest, response: HttpResponse, initiative_id: int = Id) -> Any:
    initiative = get_or_404(_initiatives(request), pk=initiative_id)
    etag(response, initiative)
    return initiative_out(initiative)


@router.patch("/initiatives/{initiative_id}", response={200: InitiativeOut, **STALE, **ERRORS})
def patch_initiative(
    request: HttpRequest,
    response: HttpResponse,
    payload: InitiativePatch,
    initiative_id: int = Id,
) -> Any:
    initiative = get_or_404(_initiatives(request), pk=initiative_id)
    actions.update_initiative(
        _actor(request),
        initiative,
        expected_version=if_match(request),
        **_initiative_fields(request, payload),
    )
    initiative = get_or_404(_initiatives(request), pk=initiative_id)
    etag(response, initiative)
    return initiative_out(initiative)


@router.delete("/initiatives/{initiative_id}", response={204: None, **STALE, **ERRORS})
def delete_initiative(request: HttpRequest, initiative_id: int = Id) -> Any:
    initiative = get_or_404(_initiatives(request), pk=initiative_id)
    actions.delete_initiative(_actor(request), initiative, expected_version=if_match(request))
    return Status(204, None)


@router.get("/initiatives/{initiative_id}/history", response={200: Page[EventOut], **ERRORS})
def initiative_history(
    request: HttpRequest,
    initiative_id: int = Id,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    return history_page(get_or_404(_initiatives(request), pk=initiative_id), cursor, limit)
