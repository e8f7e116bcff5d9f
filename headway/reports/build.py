"""The cycle report: every objective, key result and KPI of a cycle with its numbers.

``build_report`` is what the CLI prints and what the API serves. It reads the rows through
headway.reports.load (a fixed number of queries; measurements and check-ins streamed one KPI
or key result at a time, computed and dropped), computes every number with headway.numbers
at full precision (statuses, bands and flags included) and only then rounds for display
through headway.reports.numbers_out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.db.models import Q
from django.utils import timezone

from headway.kpis.convert import kpi_spec
from headway.kpis.models import KPI
from headway.numbers import (
    CheckInPoint,
    KPIResult,
    KPISpec,
    KRResult,
    MeasurementPoint,
    ObjectiveSpec,
    Period,
    Rules,
    SpecError,
    expected_progress,
    kpi_result,
    kr_result,
    objective_progress,
    objective_score,
    period_values,
    score_band,
    score_note,
    status_for,
    suggested_score,
    validate_kr,
)
from headway.numbers.keyresults import LATEST
from headway.okrs.convert import kr_spec
from headway.okrs.models import Cycle, KeyResult, Objective
from headway.org.models import Organization
from headway.reports.load import (
    ReportRows,
    checkin_groups,
    driving_kpis,
    load_report_rows,
    measurement_groups,
)
from headway.reports.numbers_out import out_ratio, out_value

Number = int | float

RECENT_PERIODS = 12  # period values listed per KPI: a year of months, a quarter of weeks


class ReportError(ValueError):
    """Stored data the numbers engine rejects (a key result or KPI that fails validation,
    alignment links that form a cycle)."""


class CycleOut(TypedDict):
    name: str
    start: str
    end: str


class KeyResultOut(TypedDict):
    ref: str
    title: str
    type: str
    unit: str
    start: Number | None
    target: Number | None
    current: Number | None
    progress: float | None
    raw_progress: float | None
    gap: Number | None
    gap_pct: float | None
    confidence: int | None
    status: str
    weight: Number | None
    score: float | None


class ObjectiveOut(TypedDict):
    ref: str
    title: str
    team: str
    owner: str | None
    kind: str
    state: str
    parents: list[str]
    progress: float | None
    status: str
    score: float | None
    score_band: str | None
    score_note: str | None
    key_results: list[KeyResultOut]


class KPIOut(TypedDict):
    ref: str
    name: str
    unit: str
    current: Number | None
    previous: Number | None
    partial: bool
    rag: str | None
    gap: Number | None
    gap_pct: float | None
    stale: bool
    delta: Number | None
    trend: str | None
    deteriorating: bool
    recent: list[Number]  # the last RECENT_PERIODS period values, oldest first (sparklines)


class Report(TypedDict):
    organization: str
    cycle: CycleOut
    as_of: str
    expected: float | None
    objectives: list[ObjectiveOut]
    kpis: list[KPIOut]


def rules_for(organization: Organization) -> Rules:
    """The organization's adjustable rules (semantics.md defaults for a new one)."""
    return Rules(
        on_track_max=organization.on_track_max,
        at_risk_max=organization.at_risk_max,
        band_yellow_from=organization.band_yellow_from,
        band_green_from=organization.band_green_from,
        deteriorating_count=organization.deteriorating_count,
    )


def today_in(organization: Organization) -> date:
    """Today's date in the organization's time zone."""
    return timezone.now().astimezone(organization.tz).date()


def build_report(
    organization: Organization,
    cycle: Cycle,
    as_of: date | None = None,
    *,
    objective_filter: Q | None = None,
    kpi_filter: Q | None = None,
    with_kpis: bool = True,
) -> Report:
    """The report of ``cycle`` as it was at the end of ``as_of`` (default: today, org time).

    Data recorded after ``as_of`` (a calendar day in the organization's time zone) is
    ignored. Scores are given once the cycle has ended (``as_of >= cycle.end``).
    ``objective_filter``/``kpi_filter`` (Q objects on Objective/KPI) narrow what is listed,
    for a permission layer; they never change a number. ``with_kpis=False`` lists no KPI,
    for a page that shows none: only the measurements of the KPIs that drive key results are
    read (in the same number of queries), and no number changes. Raises ReportError when
    stored data fails the engine's validation (a key result, a KPI, an alignment cycle).
    """
    if cycle.organization_id != organization.pk:
        raise ValueError(f"cycle {cycle.name!r} belongs to another organization")
    if as_of is None:
        as_of = today_in(organization)
    rules = rules_for(organization)
    rows = load_report_rows(
        organization,
        cycle,
        objective_filter=objective_filter,
        kpi_filter=kpi_filter,
        with_kpis=with_kpis,
    )
    kpis = _compute_kpis(organization, rows, as_of, rules)
    results, scores = _compute_key_results(organization, cycle, rows, kpis, as_of)
    kr_progress: dict[int, list[tuple[Decimal, Decimal]]] = {
        objective_id: [(kr.weight, results[kr.pk].progress) for kr in key_results]
        for objective_id, key_results in rows.key_results.items()
    }
    try:
        progress = objective_progress(
            {oid: ObjectiveSpec(oid, o.progress_mode) for oid, o in rows.objectives.items()},
            kr_progress,
            rows.edges,
        )
    except ValueError as e:  # an alignment cycle, a negative weight, an unknown mode
        raise ReportError(f"objectives: {e}") from e

    expected = expected_progress(as_of, cycle.start, cycle.end)
    ended = as_of >= cycle.end
    objectives_out: list[ObjectiveOut] = []
    for objective_id in rows.listed:
        objective = rows.objectives[objective_id]
        active = objective.state == Objective.State.ACTIVE
        key_results = rows.key_results.get(objective_id, [])
        value = progress[objective_id]
        score = (
            objective_score([(kr.weight, scores[kr.pk]) for kr in key_results]) if ended else None
        )
        objectives_out.append(
            {
                "ref": objective.ref,
                "title": objective.title,
                "team": objective.team.name,
                "owner": objective.owner.email if objective.owner else None,
                "kind": objective.kind,
                "state": objective.state,
                "parents": rows.parent_refs.get(objective_id, []),
                "progress": out_ratio(value),
                "status": status_for(expected, value, rules) if active else objective.state,
                "score": out_ratio(score),
                "score_band": score_band(score, rules),
                "score_note": score_note(objective.kind, score),
                "key_results": [
                    _kr_out(
                        kr,
                        results[kr.pk],
                        (
                            status_for(expected, results[kr.pk].progress, rules)
                            if active
                            else objective.state
                        ),
                        scores.get(kr.pk),
                    )
                    for kr in key_results
                ],
            }
        )

    return {
        "organization": organization.name,
        "cycle": {
            "name": cycle.name,
            "start": cycle.start.isoformat(),
            "end": cycle.end.isoformat(),
        },
        "as_of": as_of.isoformat(),
        "expected": out_ratio(expected),
        "objectives": objectives_out,
        "kpis": [
            _kpi_out(rows.kpis[kpi_id], kpis.results[kpi_id], kpis.recent.get(kpi_id, []))
            for kpi_id in rows.listed_kpis
        ],
    }


Values = list[tuple[Period, Decimal]]


@dataclass
class _KPIs:
    specs: dict[int, KPISpec]
    # Results of the listed KPIs, and their last period values.
    results: dict[int, KPIResult]
    recent: dict[int, list[Number]]
    # Measurements of the KPIs that drive key results (the others are dropped once computed).
    points: dict[int, list[MeasurementPoint]]
    # Period values by (KPI id, as-of day), computed once for every key result a KPI drives.
    values: dict[tuple[int, date], Values] = field(default_factory=dict)

    def values_for(self, kpi_id: int, day: date) -> Values:
        """``period_values`` of a driving KPI as of ``day``, computed on first use."""
        key = (kpi_id, day)
        if key not in self.values:
            self.values[key] = period_values(self.specs[kpi_id], self.points.get(kpi_id, []), day)
        return self.values[key]


def _compute_kpis(organization: Organization, rows: ReportRows, as_of: date, rules: Rules) -> _KPIs:
    """Every listed KPI's result, one KPI's measurements in memory at a time."""
    specs = {kpi_id: kpi_spec(kpi) for kpi_id, kpi in rows.kpis.items()}
    drivers = {kr.kpi_id for krs in rows.key_results.values() for kr in krs if kr.kpi_id}
    listed = set(rows.listed_kpis)
    kpis = _KPIs(specs, {}, {}, {})
    # Without listed KPIs, only the drivers' measurements are needed (a third of the time of
    # a page without KPIs went to reading the others).
    only = None if rows.listed_kpis else driving_kpis(organization, rows.cycle_ids)
    for kpi_id, points in measurement_groups(organization, as_of, rows.counts, only_kpis=only):
        if kpi_id in listed:
            kpi = rows.kpis[kpi_id]
            values = _kpi_values(kpi, specs[kpi_id], points, as_of)
            kpis.results[kpi_id] = _kpi_result(kpi, specs[kpi_id], points, as_of, rules, values)
            kpis.recent[kpi_id] = [
                shown
                for _, value in values[-RECENT_PERIODS:]
                if (shown := out_value(value)) is not None
            ]
            if kpi_id in drivers:
                kpis.values[kpi_id, as_of] = values
        if kpi_id in drivers:
            kpis.points[kpi_id] = points
    for kpi_id in listed - kpis.results.keys():  # no measurement yet
        kpi = rows.kpis[kpi_id]
        kpis.results[kpi_id] = _kpi_result(kpi, specs[kpi_id], [], as_of, rules, None)
    return kpis


def _kpi_values(kpi: KPI, spec: KPISpec, points: list[MeasurementPoint], as_of: date) -> Values:
    try:
        return period_values(spec, points, as_of)
    except SpecError as e:
        raise ReportError(f"KPI {kpi.ref}: {e}") from e


def _kpi_result(
    kpi: KPI,
    spec: KPISpec,
    points: list[MeasurementPoint],
    as_of: date,
    rules: Rules,
    values: Values | None,
) -> KPIResult:
    try:
        return kpi_result(spec, points, as_of, rules, values=values)
    except SpecError as e:
        raise ReportError(f"KPI {kpi.ref}: {e}") from e


def _compute_key_results(
    organization: Organization, cycle: Cycle, rows: ReportRows, kpis: _KPIs, as_of: date
) -> tuple[dict[int, KRResult], dict[int, Decimal]]:
    """Every loaded key result's result, and once ``cycle`` has ended the scores of those
    of its listed objectives; one key result's check-ins in memory at a time."""
    owners = {kr.pk: (kr, oid) for oid, krs in rows.key_results.items() for kr in krs}
    scored = set(rows.listed) if as_of >= cycle.end else set()
    results: dict[int, KRResult] = {}
    scores: dict[int, Decimal] = {}

    def compute(kr: KeyResult, objective_id: int, checkins: list[CheckInPoint]) -> None:
        spec = kr_spec(kr)
        kpi, measurements = None, []
        if kr.kpi_id is not None:
            kpi, measurements = kpis.specs.get(kr.kpi_id), kpis.points.get(kr.kpi_id, [])

        def shared_values(day: date) -> Values | None:
            # A key result that follows its KPI's latest period value shares the KPI's period
            # values with the others it drives. Only a valid one: an invalid key result still
            # fails with the engine's own message.
            if kr.kpi_id is None or kpi is None or spec.kpi_value != LATEST or validate_kr(spec):
                return None
            return kpis.values_for(kr.kpi_id, day)

        own_cycle = rows.objectives[objective_id].cycle
        try:
            results[kr.pk] = kr_result(
                spec,
                checkins,
                as_of,
                kpi=kpi,
                measurements=measurements,
                cycle_start=own_cycle.start,
                cycle_end=own_cycle.end,
                kpi_values=shared_values(as_of),
            )
            if objective_id in scored:
                override: Decimal | None = kr.score_override
                scores[kr.pk] = (
                    override
                    if override is not None
                    else suggested_score(
                        spec,
                        checkins,
                        cycle.end,
                        kpi=kpi,
                        measurements=measurements,
                        cycle_start=cycle.start,
                        kpi_values=shared_values(cycle.end),
                    )
                )
        except SpecError as e:
            raise ReportError(f"key result {kr.ref}: {e}") from e

    for kr_id, checkins in checkin_groups(organization, rows.cycle_ids, as_of, rows.counts):
        kr, objective_id = owners[kr_id]
        compute(kr, objective_id, checkins)
    for kr_id, (kr, objective_id) in owners.items():
        if kr_id not in results:  # no check-in yet
            compute(kr, objective_id, [])
    return results, scores


def _kr_out(kr: KeyResult, result: KRResult, status: str, score: Decimal | None) -> KeyResultOut:
    return {
        "ref": kr.ref,
        "title": kr.title,
        "type": kr.type,
        "unit": kr.unit,
        "start": out_value(kr.start),
        "target": out_value(kr.target),
        "current": out_value(result.current),
        "progress": out_ratio(result.progress),
        "raw_progress": out_ratio(result.raw_progress),
        "gap": out_value(result.gap),
        "gap_pct": out_ratio(result.gap_pct),
        "confidence": result.confidence,
        "status": status,
        "weight": out_value(kr.weight),
        "score": out_ratio(score),
    }


def _kpi_out(kpi: KPI, result: KPIResult, recent: list[Number]) -> KPIOut:
    return {
        "ref": kpi.ref,
        "name": kpi.name,
        "unit": kpi.unit,
        "current": out_value(result.current),
        "previous": out_value(result.previous),
        "partial": result.partial,
        "rag": result.rag,
        "gap": out_value(result.gap),
        "gap_pct": out_ratio(result.gap_pct),
        "stale": result.stale,
        "delta": out_value(result.delta),
        "trend": result.trend,
        "deteriorating": result.deteriorating,
        "recent": recent,
    }
