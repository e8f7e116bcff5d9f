"""Key results and check-ins (semantics.md, "Key results" and "Check-ins").

Check-ins are given already localized to a calendar ``day`` in the organization's time zone.
Within one day, list order is time order (the last one is the latest, so a correction made
the same day wins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ._common import ONE, ZERO, SpecError, clamp, in_engine_context, is_finite
from .kpis import KPISpec, MeasurementPoint, period_values
from .periods import Period

METRIC = "metric"
MILESTONE = "milestone"
THRESHOLD = "threshold"
KR_TYPES = (METRIC, MILESTONE, THRESHOLD)

AT_LEAST = "at_least"
AT_MOST = "at_most"
BOUNDS = (AT_LEAST, AT_MOST)

LATEST = "latest"
CYCLE_TOTAL = "cycle_total"
CYCLE_AVERAGE = "cycle_average"
KPI_VALUES = (LATEST, CYCLE_TOTAL, CYCLE_AVERAGE)

KICKOFF_CONFIDENCE = 5


@dataclass(frozen=True)
class CheckInPoint:
    """One check-in on a calendar day: a value (metric, threshold) or done (milestone),
    and optionally the author's confidence 0-10."""

    day: date
    value: Decimal | None = None
    done: bool | None = None
    confidence: int | None = None


@dataclass(frozen=True)
class KRSpec:
    """What a key result measures. ``kpi_value`` set means the KR is driven by a KPI."""

    type: str = METRIC
    start: Decimal | None = None
    target: Decimal | None = None
    bound: str | None = None
    weight: Decimal = ONE
    kpi_value: str | None = None


@dataclass(frozen=True)
class KRResult:
    """Everything shown for one key result as of a date.

    ``progress`` is ``raw_progress`` clamped to [0, 1]. ``current`` is None for a milestone
    and ``done`` is None for the other types. ``gap``/``gap_pct`` are set for metric KRs only.
    """

    current: Decimal | None
    done: bool | None
    progress: Decimal
    raw_progress: Decimal
    gap: Decimal | None
    gap_pct: Decimal | None
    confidence: int | None


def validate_kr(spec: KRSpec) -> list[tuple[str, str]]:
    """Field-level errors in ``spec`` as ``(field, message)`` pairs; empty when valid."""
    errors: list[tuple[str, str]] = []
    if spec.type not in KR_TYPES:
        errors.append(("type", f"unknown key result type; use one of {', '.join(KR_TYPES)}"))
    bad = [field for field in ("start", "target", "weight") if not is_finite(getattr(spec, field))]
    errors.extend((field, "must be a finite number") for field in bad)
    if "weight" not in bad and spec.weight < 0:
        errors.append(("weight", "weight must be zero or positive"))
    if spec.kpi_value is not None and spec.kpi_value not in KPI_VALUES:
        errors.append(("kpi_value", f"unknown KPI value; use one of {', '.join(KPI_VALUES)}"))
    if spec.type == METRIC:
        if spec.start is None:
            errors.append(("start", "a metric key result needs a start value"))
        if spec.target is None:
            errors.append(("target", "a metric key result needs a target"))
        elif spec.start is not None and not bad and spec.target == spec.start:
            errors.append(
                ("target", "target equals start; use a threshold key result for a value to hold")
            )
    elif spec.type == THRESHOLD:
        if spec.target is None:
            errors.append(("target", "a threshold key result needs a target"))
        if spec.bound is None:
            errors.append(("bound", "a threshold key result needs a bound: at_least or at_most"))
        elif spec.bound not in BOUNDS:
            errors.append(("bound", "unknown bound; use at_least or at_most"))
    elif spec.type == MILESTONE and spec.kpi_value is not None:
        errors.append(("kpi_value", "a milestone key result cannot be driven by a KPI"))
    return errors


def _upto(checkins: Sequence[CheckInPoint], as_of: date) -> list[CheckInPoint]:
    """Check-ins on or before ``as_of`` in time order (stable sort keeps same-day order)."""
    return sorted((c for c in checkins if c.day <= as_of), key=lambda c: c.day)


def _kpi_current(
    spec: KRSpec,
    kpi: KPISpec,
    measurements: Sequence[MeasurementPoint],
    as_of: date,
    cycle_start: date | None,
    cycle_end: date | None,
    kpi_values: Sequence[tuple[Period, Decimal]] | None,
) -> Decimal | None:
    """The KPI-driven current value, or None when the KPI has no data for it."""
    if spec.kpi_value == LATEST:
        values = period_values(kpi, measurements, as_of) if kpi_values is None else kpi_values
        return values[-1][1] if values else None
    if cycle_start is None:
        raise ValueError(f"kpi_value {spec.kpi_value!r} needs cycle_start")
    last_day = as_of if cycle_end is None else min(cycle_end, as_of)
    inside = [m.value for m in measurements if cycle_start <= m.day <= last_day]
    if not inside:
        return None
    total = sum(inside, ZERO)
    return total if spec.kpi_value == CYCLE_TOTAL else total / len(inside)


@in_engine_context
def kr_result(
    spec: KRSpec,
    checkins: Sequence[CheckInPoint],
    as_of: date,
    *,
    kpi: KPISpec | None = None,
    measurements: Sequence[MeasurementPoint] = (),
    cycle_start: date | None = None,
    cycle_end: date | None = None,
    kpi_values: Sequence[tuple[Period, Decimal]] | None = None,
) -> KRResult:
    """Current value, progress, gap and confidence of a key result as of ``as_of``.

    Check-ins and measurements after ``as_of`` are ignored. A KR is KPI-driven when
    ``spec.kpi_value`` is set and ``kpi`` is given; its current value then follows the KPI
    (falling back to ``start`` without KPI data) and check-ins only supply confidence.
    ``kpi_values`` is ``period_values(kpi, measurements, as_of)`` when the caller has it
    already (a report computes it once per KPI, not once per key result the KPI drives).
    """
    errors = validate_kr(spec)
    if errors:
        raise SpecError(errors)
    seen = _upto(checkins, as_of)
    confidence = next(
        (c.confidence for c in reversed(seen) if c.confidence is not None), KICKOFF_CONFIDENCE
    )

    if spec.type == MILESTONE:
        done = next((c.done for c in reversed(seen) if c.done is not None), False)
        raw = ONE if done else ZERO
        return KRResult(None, done, raw, raw, None, None, confidence)

    current: Decimal | None
    if spec.kpi_value is not None and kpi is not None:
        current = _kpi_current(spec, kpi, measurements, as_of, cycle_start, cycle_end, kpi_values)
    else:
        current = next((c.value for c in reversed(seen) if c.value is not None), None)
    if current is None:
        current = spec.start

    if spec.type == THRESHOLD:
        assert spec.target is not None  # validated
        if current is None:
            met = False
        elif spec.bound == AT_LEAST:
            met = current >= spec.target
        else:
            met = current <= spec.target
        raw = ONE if met else ZERO
        return KRResult(current, None, raw, raw, None, None, confidence)

    start, target = spec.start, spec.target
    # Validation guarantees start and target; current falls back to start.
    assert start is not None
    assert target is not None
    assert current is not None
    # Divide by a positive span so that a zero numerator never gives Decimal("-0").
    if target > start:
        raw = (current - start) / (target - start)
        gap = target - current
    else:
        raw = (start - current) / (start - target)
        gap = current - target
    gap_pct = None if target == 0 else gap / abs(target)
    return KRResult(current, None, clamp(raw), raw, gap, gap_pct, confidence)
