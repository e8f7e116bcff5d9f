"""Small builders for report tests, straight on the ORM (values given as strings/ints)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from headway.kpis.models import KPI, Measurement
from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective
from headway.org.models import Organization, Team

UTC = ZoneInfo("UTC")


def D(value: str | int) -> Decimal:
    return Decimal(str(value))


def maybe_D(value: str | int | None) -> Decimal | None:
    return None if value is None else D(value)


def at(day: str, hour: int = 12, minute: int = 0, tz: ZoneInfo = UTC) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=tz)


def cycle(org: Organization, name: str, start: str, end: str) -> Cycle:
    return Cycle.objects.create(
        organization=org, name=name, start=date.fromisoformat(start), end=date.fromisoformat(end)
    )


def objective(cycle: Cycle, team: Team, ref: str, **extra: Any) -> Objective:
    extra.setdefault("title", ref.replace("-", " ").capitalize())
    extra.setdefault("position", Objective.objects.filter(cycle=cycle).count())
    return Objective.objects.create(
        organization=cycle.organization, cycle=cycle, team=team, ref=ref, **extra
    )


def align(child: Objective, parent: Objective, weight: str | int = 1) -> Alignment:
    return Alignment.objects.create(
        organization=child.organization, child=child, parent=parent, weight=D(weight)
    )


def kr(
    objective: Objective,
    ref: str,
    start: str | int | None = 0,
    target: str | int | None = 100,
    **extra: Any,
) -> KeyResult:
    extra.setdefault("title", ref.replace("-", " ").capitalize())
    extra.setdefault("position", KeyResult.objects.filter(objective=objective).count())
    for name in ("weight", "score_override"):
        if name in extra:
            extra[name] = maybe_D(extra[name])
    return KeyResult.objects.create(
        organization=objective.organization,
        objective=objective,
        ref=ref,
        start=maybe_D(start),
        target=maybe_D(target),
        **extra,
    )


def checkin(
    key_result: KeyResult,
    when: datetime | str,
    value: str | int | None = None,
    *,
    done: bool | None = None,
    confidence: int | None = None,
) -> CheckIn:
    return CheckIn.objects.create(
        organization=key_result.organization,
        key_result=key_result,
        at=at(when) if isinstance(when, str) else when,
        value=maybe_D(value),
        done=done,
        confidence=confidence,
    )


def kpi(org: Organization, team: Team, ref: str, **extra: Any) -> KPI:
    extra.setdefault("name", ref.replace("-", " ").capitalize())
    for name in ("target", "red", "low", "high", "tolerance"):
        if name in extra:
            extra[name] = maybe_D(extra[name])
    return KPI.objects.create(organization=org, team=team, ref=ref, **extra)


def measure(kpi: KPI, when: datetime | str, value: str | int) -> Measurement:
    return Measurement.objects.create(
        organization=kpi.organization,
        kpi=kpi,
        at=at(when) if isinstance(when, str) else when,
        value=D(value),
    )
