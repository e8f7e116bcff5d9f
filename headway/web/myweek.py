"""My week: every key result I own on one check-in form, and what needs me.

The numbers come from the cycle reports (headway.web.report); this module only decides
which rows are mine and turns the form into `record_checkins` entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Max, Q
from django.http import QueryDict

from headway.kpis.models import KPI
from headway.okrs.actions import CheckInEntry
from headway.okrs.models import CheckIn, Cycle, KeyResult, Objective
from headway.org import access
from headway.org.models import Team
from headway.reports.build import Report
from headway.reports.load import day_end
from headway.web.report import report_for


@dataclass
class Row:
    kr: KeyResult
    numbers: dict[str, Any]
    objective: dict[str, Any]
    last_checkin: date | None
    value: str = ""
    done: bool = False
    confidence: str = ""
    note: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def kpi_driven(self) -> bool:
        return self.kr.kpi_id is not None

    @property
    def milestone(self) -> bool:
        return self.kr.type == KeyResult.Type.MILESTONE


@dataclass
class Week:
    rows: list[Row]
    stale_rows: list[Row]
    objectives_at_risk: list[dict[str, Any]]
    kpis_needing_me: list[dict[str, Any]]
    reports: list[Report]
    week_start: date


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def my_key_results(actor: access.Actor, cycles: list[Cycle]) -> list[KeyResult]:
    """KRs I own (or whose objective I own when they have no owner) in active objectives."""
    user_id = actor.user_id
    return list(
        KeyResult.objects.filter(
            organization=actor.organization,
            objective__cycle__in=cycles,
            objective__state=Objective.State.ACTIVE,
        )
        .filter(Q(owner_id=user_id) | Q(owner__isnull=True, objective__owner_id=user_id))
        .select_related("objective", "kpi")
        .order_by(
            "objective__cycle__start", "objective__position", "objective_id", "position", "id"
        )
    )


def build_week(actor: access.Actor, cycles: list[Cycle], as_of: date) -> Week:
    # KPIs needing me come from the first report; the others need not list any.
    reports = [report_for(actor, cycle, as_of, kpis=i == 0) for i, cycle in enumerate(cycles)]
    objectives: dict[str, dict[str, Any]] = {}
    key_results: dict[str, dict[str, Any]] = {}
    for report in reports:
        for objective_out in report["objectives"]:
            objectives[objective_out["ref"]] = dict(objective_out)
            for kr_out in objective_out["key_results"]:
                key_results[kr_out["ref"]] = dict(kr_out)
    tz = actor.organization.tz
    mine = [kr for kr in my_key_results(actor, cycles) if kr.ref in key_results]
    last = dict(
        CheckIn.objects.filter(key_result__in=[kr.pk for kr in mine], at__lt=day_end(as_of, tz))
        .values("key_result_id")
        .annotate(last=Max("at"))
        .values_list("key_result_id", "last")
    )
    rows = []
    for kr in mine:
        numbers = key_results[kr.ref]
        last_at: datetime | None = last.get(kr.pk)
        row = Row(
            kr,
            numbers,
            objectives[kr.objective.ref],
            last_at.astimezone(tz).date() if last_at else None,
        )
        current = numbers.get("current")
        row.value = "" if current is None else str(current)
        row.done = numbers.get("progress") == 1 if row.milestone else False
        row.confidence = "" if numbers.get("confidence") is None else str(numbers["confidence"])
        rows.append(row)
    monday = week_start(as_of)
    stale_rows = [
        r for r in rows if not r.kpi_driven and (r.last_checkin is None or r.last_checkin < monday)
    ]

    my_team_names = (
        set(Team.objects.filter(pk__in=actor.team_ids).values_list("name", flat=True))
        if actor.team_ids
        else set()
    )
    email = actor.user.email if actor.user else None
    at_risk = [
        o
        for o in objectives.values()
        if o["status"] in ("at_risk", "off_track")
        and (o["owner"] == email or o["team"] in my_team_names)
    ]
    my_kpi_refs = set(
        KPI.objects.filter(organization=actor.organization, owner_id=actor.user_id).values_list(
            "ref", flat=True
        )
    )
    kpis_needing_me: list[dict[str, Any]] = []
    if reports:
        kpis_needing_me = [
            dict(k)
            for k in reports[0]["kpis"]
            if k["ref"] in my_kpi_refs and (k["rag"] == "red" or k["stale"] or k["deteriorating"])
        ]
    return Week(rows, stale_rows, at_risk, kpis_needing_me, reports, monday)


# A plain number, or one with thousands separators in groups of three ("90,000", "12 500").
_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?P<sep>[, _])\d{3}(?:(?P=sep)\d{3})*(?:\.\d*)?")


class DecimalComma(ValueError):
    """A separator that is not between thousands: "0,65" is 0.65 to many, not 65."""


def _parse_decimal(text: str) -> Decimal:
    cleaned = text.strip()
    if _GROUPED.fullmatch(cleaned):
        cleaned = re.sub(r"[, _]", "", cleaned)
    elif not _PLAIN.fullmatch(cleaned):
        if re.fullmatch(r"[+-]?[\d., _]*\d[\d., _]*", cleaned):
            raise DecimalComma
        raise InvalidOperation
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    return value


def read_form(rows: list[Row], data: QueryDict) -> list[CheckInEntry] | None:
    """Fill the rows with what was typed and return the entries, or None on a typing error
    (messages are then set on the rows)."""
    entries: list[CheckInEntry] = []
    ok = True
    for row in rows:
        pk = row.kr.pk
        row.value = data.get(f"value-{pk}", "").strip()
        row.done = data.get(f"done-{pk}") == "on"
        row.confidence = data.get(f"confidence-{pk}", "").strip()
        row.note = data.get(f"note-{pk}", "").strip()
        row.errors = {}
        value: Decimal | None = None
        confidence: int | None = None
        if not row.milestone and not row.kpi_driven:
            if not row.value:
                row.errors["value"] = "enter a number"
            else:
                try:
                    value = _parse_decimal(row.value)
                except DecimalComma:
                    row.errors["value"] = (
                        f"“{row.value}” is not a number: use a point for decimals (0.65) and "
                        "separate only thousands (12,500)"
                    )
                except (InvalidOperation, ValueError):
                    row.errors["value"] = f"“{row.value}” is not a number"
        if row.confidence:
            try:
                confidence = int(row.confidence)
            except ValueError:
                confidence = -1
            if not 0 <= confidence <= 10:
                row.errors["confidence"] = "confidence is a whole number from 0 to 10"
        if row.errors:
            ok = False
            continue
        entries.append(
            CheckInEntry(
                key_result_id=pk,
                value=value,
                done=row.done if row.milestone else None,
                confidence=confidence,
                note=row.note,
            )
        )
    return entries if ok else None


def set_action_errors(rows: list[Row], errors: dict[str, list[str]]) -> None:
    """Put `record_checkins` errors (keyed `<index>.<field>`) beside their rows."""
    for key, messages in errors.items():
        index, _, name = key.partition(".")
        if index.isdigit() and int(index) < len(rows):
            field_name = name if name in ("value", "done", "confidence", "note") else "value"
            rows[int(index)].errors[field_name] = " ".join(messages)
