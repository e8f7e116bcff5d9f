"""API: KPIs and their measurements (bulk, idempotent ingestion)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.params import functions as param_functions
from pydantic import Field, field_validator

from headway.api import serialize
from headway.api.auth import context, feed_auth
from headway.api.common import (
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
from headway.kpis import actions
from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import KPI, Measurement
from headway.org import access
from headway.org.models import Team, User

router = Router(tags=["kpis"])

REF = r"^[-a-zA-Z0-9_]{1,100}$"
Ref: Any = param_functions.Path(..., pattern=REF)
STALE = {412: serialize.StaleOut}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _actor(request: HttpRequest) -> access.Actor:
    return context(request).actor


def visible_kpis(request: HttpRequest) -> QuerySet[KPI]:
    actor = _actor(request)
    return KPI.objects.filter(organization=actor.organization).filter(access.visible_kpis(actor))


class KPIOut(Schema):
    ref: str
    name: str
    description: str
    team_id: int
    owner: str | None
    unit: str
    cadence: str
    aggregation: str
    direction: str
    target: Number | None
    red: Number | None
    low: Number | None
    high: Number | None
    tolerance: Number | None
    private: bool
    version: int


class KPIIn(Schema):
    ref: str = Field(..., pattern=REF)
    name: str = Field(..., min_length=1, max_length=200)
    team_id: int = Field(..., ge=1, le=2**63 - 1)
    description: str = ""
    owner: str | None = Field(None, max_length=254)
    unit: str = Field("", max_length=50)
    cadence: KPI.Cadence = KPI.Cadence.MONTHLY
    aggregation: KPI.Aggregation = KPI.Aggregation.LAST
    direction: KPI.Direction = KPI.Direction.HIGHER_IS_BETTER
    target: Amount | None = None
    red: Amount | None = None
    low: Amount | None = None
    high: Amount | None = None
    tolerance: Amount | None = None
    private: bool = False


class KPIPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    team_id: int | None = Field(None, ge=1, le=2**63 - 1)
    description: str | None = None
    owner: str | None = Field(None, max_length=254)
    unit: str | None = Field(None, max_length=50)
    cadence: KPI.Cadence | None = None
    aggregation: KPI.Aggregation | None = None
    direction: KPI.Direction | None = None
    target: Amount | None = None
    red: Amount | None = None
    low: Amount | None = None
    high: Amount | None = None
    tolerance: Amount | None = None
    private: bool | None = None


def kpi_out(k: KPI) -> dict[str, Any]:
    return {
        "ref": k.ref,
        "name": k.name,
        "description": k.description,
        "team_id": k.team_id,
        "owner": k.owner.email if k.owner else None,
        "unit": k.unit,
        "cadence": k.cadence,
        "aggregation": k.aggregation,
        "direction": k.direction,
        "target": number(k.target),
        "red": number(k.red),
        "low": number(k.low),
        "high": number(k.high),
        "tolerance": number(k.tolerance),
        "private": k.private,
        "version": k.version,
    }


serialize.register(KPI, kpi_out)


def _kpi_fields(request: HttpRequest, payload: Schema) -> dict[str, Any]:
    fields = pick(
        payload,
        "name",
        "description",
        "unit",
        "cadence",
        "aggregation",
        "direction",
        "target",
        "red",
        "low",
        "high",
        "tolerance",
        "private",
    )
    for name in ("name", "description", "unit", "cadence", "aggregation", "direction", "private"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: "cannot be empty"})
    sent = payload.model_fields_set
    organization = _actor(request).organization
    if "team_id" in sent:
        team = Team.objects.filter(organization=organization, pk=payload.team_id).first()  # type: ignore[attr-defined]
        if team is None:
            raise ValidationError({"team_id": "no such team"})
        fields["team"] = team
    if "owner" in sent:
        email = payload.owner  # type: ignore[attr-defined]
        owner = None
        if email:
            owner = User.objects.filter(
                email=email.lower(), memberships__organization=organization
            ).first()
            if owner is None:
                raise ValidationError({"owner": f"no person {email} in this organization"})
        fields["owner"] = owner
    return fields


@router.get("/kpis", response={200: Page[KPIOut], **ERRORS})
def list_kpis(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int | None = None,
    team_id: int | None = None,
    owner: str | None = None,
    cadence: KPI.Cadence | None = None,
) -> dict[str, Any]:
    kpis = visible_kpis(request).select_related("owner")
    if team_id is not None:
        kpis = kpis.filter(team_id=team_id)
    if owner is not None:
        kpis = kpis.filter(owner__email=owner.lower())
    if cadence is not None:
        kpis = kpis.filter(cadence=cadence)
    rows, next_cursor = paginate(kpis, cursor, limit)
    return {"items": [kpi_out(k) for k in rows], "next_cursor": next_cursor}


@router.post("/kpis", response={201: KPIOut, **ERRORS})
def create_kpi(request: HttpRequest, payload: KPIIn) -> Any:
    kpi = actions.create_kpi(_actor(request), ref=payload.ref, **_kpi_fields(request, payload))
    return Status(201, kpi_out(kpi))


@router.get("/kpis/{ref}", response={200: KPIOut, **ERRORS})
def get_kpi(request: HttpRequest, response: HttpResponse, ref: str = Ref) -> Any:
    kpi = get_or_404(visible_kpis(request).select_related("owner"), ref=ref)
    etag(response, kpi)
    return kpi_out(kpi)


@router.patch("/kpis/{ref}", response={200: KPIOut, **STALE, **ERRORS})
def patch_kpi(
    request: HttpRequest, response: HttpResponse, payload: KPIPatch, ref: str = Ref
) -> Any:
    kpi = get_or_404(visible_kpis(request), ref=ref)
    kpi = actions.update_kpi(
        _actor(request),
        kpi,
        expected_version=if_match(request),
        **_kpi_fields(request, payload),
    )
    etag(response, kpi)
    return kpi_out(kpi)


@router.delete("/kpis/{ref}", response={204: None, **STALE, **ERRORS})
def delete_kpi(request: HttpRequest, ref: str = Ref) -> Any:
    kpi = get_or_404(visible_kpis(request), ref=ref)
    actions.delete_kpi(_actor(request), kpi, expected_version=if_match(request))
    return Status(204, None)


@router.get("/kpis/{ref}/history", response={200: Page[EventOut], **ERRORS})
def kpi_history(
    request: HttpRequest, ref: str = Ref, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Changes of the KPI and of its measurements."""
    return history_page(get_or_404(visible_kpis(request), ref=ref), cursor, limit)


# --- measurements ---------------------------------------------------------------------------


class MeasurementOut(Schema):
    id: int
    kpi: str
    at: dt.datetime
    value: Number | None
    source: str
    key: str | None
    superseded: bool


class PointIn(Schema):
    at: dt.datetime | dt.date = Field(..., description="a time with its zone, or a date")

    @field_validator("at", mode="before")
    @classmethod
    def _date_stays_a_date(cls, value: Any) -> Any:
        # "2026-11-02" is a calendar day (noon in the organization's zone), not a naive time.
        if not isinstance(value, str):
            # JSON has no time type; a number would be read as seconds since 1970.
            raise ValueError("send the time as text: 2026-11-02 or 2026-11-02T09:00:00+00:00")
        if len(value) == 10:
            return dt.date.fromisoformat(value) if _DAY.fullmatch(value) else value
        return value

    value: Amount
    key: str | None = Field(
        None, min_length=1, max_length=200, description="idempotency key: a retry never duplicates"
    )


class PointsIn(Schema):
    points: list[PointIn] = Field(..., min_length=1, max_length=10000)


class IngestOut(Schema):
    created: int
    duplicates: int
    corrected: int


def measurement_out(m: Measurement, ref: str) -> dict[str, Any]:
    return {
        "id": m.pk,
        "kpi": ref,
        "at": m.at,
        "value": number(m.value),
        "source": m.source,
        "key": m.idempotency_key,
        "superseded": getattr(m, "superseded_at", None) is not None,
    }


@router.get("/kpis/{ref}/measurements", response={200: Page[MeasurementOut], **ERRORS})
def list_measurements(
    request: HttpRequest,
    ref: str = Ref,
    cursor: str | None = None,
    limit: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    history: bool = False,
) -> dict[str, Any]:
    """The KPI's live measurements; `history=true` adds the corrected (superseded) ones."""
    kpi = get_or_404(visible_kpis(request), ref=ref)
    measurements = Measurement.objects.filter(organization=kpi.organization_id, kpi=kpi)
    if not history:
        measurements = measurements.filter(superseded_at=None)
    if since is not None:
        measurements = measurements.filter(at__gte=since)
    if until is not None:
        measurements = measurements.filter(at__lte=until)
    rows, next_cursor = paginate(measurements, cursor, limit)
    return {"items": [measurement_out(m, kpi.ref) for m in rows], "next_cursor": next_cursor}


def _as_instant(value: dt.datetime | dt.date, tz: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(12), tzinfo=tz)


@router.post("/kpis/{ref}/measurements", response={201: IngestOut, **ERRORS}, auth=feed_auth())
def add_measurements(request: HttpRequest, payload: PointsIn, ref: str = Ref) -> Any:
    """Record a list of points; a point whose key was already recorded is not duplicated.

    Also accepted from a team's feed credential, for that team's KPIs only.
    """
    ctx = context(request)
    kpi = get_or_404(visible_kpis(request), ref=ref)
    if ctx.token is not None and ctx.token.team_id is not None and kpi.team_id != ctx.token.team_id:
        raise PermissionDenied("this feed credential only writes its own team's KPIs")
    tz = ctx.organization.tz
    points = [
        MeasurementInput(at=_as_instant(p.at, tz), value=p.value, key=p.key) for p in payload.points
    ]
    try:
        result = record_measurements(
            ctx.actor,
            kpi,
            points,
            source=Measurement.Source.FEED
            if ctx.token and ctx.token.team_id
            else Measurement.Source.API,
        )
    except ValidationError as e:
        raise ValidationError({f"points.{k}": v for k, v in e.message_dict.items()}) from None
    counts = {
        "created": result.created,
        "duplicates": result.duplicates,
        "corrected": getattr(result, "corrected", 0),
    }
    return Status(201, counts)
