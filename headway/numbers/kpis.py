"""KPIs: period values, current/previous, RAG, gap, staleness, trend and deterioration
(semantics.md, "KPIs").

Measurements are given already localized to a calendar ``day`` in the organization's time
zone. Within one day, list order is time order (the last one is the latest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from operator import attrgetter

from ._common import ZERO, SpecError, in_engine_context, is_finite
from .periods import CADENCES, MONTHLY, Period, period_of, previous
from .status import Rules

SUM = "sum"
AVERAGE = "average"
LAST = "last"
MIN = "min"
MAX = "max"
AGGREGATIONS = (SUM, AVERAGE, LAST, MIN, MAX)

HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"
IN_RANGE = "in_range"
DIRECTIONS = (HIGHER_IS_BETTER, LOWER_IS_BETTER, IN_RANGE)

GREEN = "green"
YELLOW = "yellow"
RED = "red"

IMPROVING = "improving"
WORSENING = "worsening"
FLAT = "flat"

DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class MeasurementPoint:
    """One KPI measurement on a calendar day (organization time zone)."""

    day: date
    value: Decimal


@dataclass(frozen=True)
class KPISpec:
    """How a KPI is aggregated and judged. Fields that do not apply to ``direction`` are
    ignored (``target``/``red`` for ``in_range``; ``low``/``high``/``tolerance`` otherwise)."""

    cadence: str = MONTHLY
    aggregation: str = LAST
    direction: str = HIGHER_IS_BETTER
    target: Decimal | None = None
    red: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    tolerance: Decimal | None = None


@dataclass(frozen=True)
class KPIResult:
    """Everything shown for one KPI as of a date."""

    current: Decimal | None
    previous: Decimal | None
    partial: bool
    period: Period | None
    rag: str | None
    gap: Decimal | None
    gap_pct: Decimal | None
    stale: bool
    delta: Decimal | None
    trend: str | None
    deteriorating: bool


def validate_kpi(spec: KPISpec) -> list[tuple[str, str]]:
    """Field-level errors in ``spec`` as ``(field, message)`` pairs; empty when valid."""
    errors: list[tuple[str, str]] = []
    if spec.cadence not in CADENCES:
        errors.append(("cadence", f"unknown cadence; use one of {', '.join(CADENCES)}"))
    if spec.aggregation not in AGGREGATIONS:
        errors.append(("aggregation", f"unknown aggregation; use one of {', '.join(AGGREGATIONS)}"))
    if spec.direction not in DIRECTIONS:
        errors.append(("direction", f"unknown direction; use one of {', '.join(DIRECTIONS)}"))
    numbers = ("target", "red", "low", "high", "tolerance")
    bad = [field for field in numbers if not is_finite(getattr(spec, field))]
    errors.extend((field, "must be a finite number") for field in bad)
    if bad:
        return errors
    if spec.direction in (HIGHER_IS_BETTER, LOWER_IS_BETTER):
        if spec.red is not None and spec.target is None:
            errors.append(("target", "a red threshold needs a target"))
        elif spec.red is not None and spec.target is not None:
            if spec.direction == HIGHER_IS_BETTER and spec.red > spec.target:
                errors.append(("red", "higher is better: red must be at or below the target"))
            if spec.direction == LOWER_IS_BETTER and spec.red < spec.target:
                errors.append(("red", "lower is better: red must be at or above the target"))
    if spec.direction == IN_RANGE:
        if spec.low is None and spec.high is not None:
            errors.append(("low", "an in-range KPI needs both a low and a high bound"))
        elif spec.high is None and spec.low is not None:
            errors.append(("high", "an in-range KPI needs both a low and a high bound"))
        elif spec.low is not None and spec.high is not None and spec.low > spec.high:
            errors.append(("high", "the high bound must be at or above the low bound"))
    if spec.tolerance is not None and spec.tolerance < 0:
        errors.append(("tolerance", "tolerance must be zero or positive"))
    return errors


def _check(spec: KPISpec) -> None:
    errors = validate_kpi(spec)
    if errors:
        raise SpecError(errors)


_day = attrgetter("day")


def _aggregate(aggregation: str, values: Sequence[Decimal]) -> Decimal:
    if aggregation == SUM:
        return sum(values, ZERO)
    if aggregation == AVERAGE:
        return sum(values, ZERO) / len(values)
    if aggregation == MIN:
        return min(values)
    if aggregation == MAX:
        return max(values)
    return values[-1]


@in_engine_context
def period_values(
    spec: KPISpec, measurements: Sequence[MeasurementPoint], as_of: date
) -> list[tuple[Period, Decimal]]:
    """Aggregated value of every period that has a measurement on or before ``as_of``, in
    ascending order. A period that contains ``as_of`` only counts measurements up to it."""
    _check(spec)
    values: list[tuple[Period, Decimal]] = []
    period: Period | None = None
    group: list[Decimal] = []
    # Periods follow each other without overlap, so in day order a measurement belongs to
    # the period of the one before it or starts a new one: period_of runs once per period,
    # not once per measurement (a daily KPI read weekly or monthly has hundreds of each).
    for point in sorted((m for m in measurements if m.day <= as_of), key=_day):
        if period is None or point.day > period.end:
            if period is not None:
                values.append((period, _aggregate(spec.aggregation, group)))
            period, group = period_of(point.day, spec.cadence), []
        group.append(point.value)
    if period is not None:
        values.append((period, _aggregate(spec.aggregation, group)))
    return values


def _distance(low: Decimal, high: Decimal, value: Decimal) -> Decimal:
    """Distance from ``value`` to the range ``[low, high]`` (0 inside)."""
    if value < low:
        return low - value
    if value > high:
        return value - high
    return ZERO


@in_engine_context
def rag_for(spec: KPISpec, value: Decimal | None) -> str | None:
    """``green``, ``yellow`` or ``red`` for ``value``; None without a value or thresholds."""
    if value is None:
        return None
    if spec.direction == IN_RANGE:
        if spec.low is None or spec.high is None:
            return None
        distance = _distance(spec.low, spec.high, value)
        if distance == 0:
            return GREEN
        return YELLOW if distance <= (spec.tolerance or ZERO) else RED
    if spec.target is None:
        return None
    higher = spec.direction == HIGHER_IS_BETTER
    if (value >= spec.target) if higher else (value <= spec.target):
        return GREEN
    if spec.red is None:
        return RED
    return YELLOW if ((value >= spec.red) if higher else (value <= spec.red)) else RED


@in_engine_context
def kpi_gap(spec: KPISpec, value: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """``(gap, gap_pct)``: how far ``value`` is short of the target (positive = short).

    For a range the gap is the distance to the nearest bound (0 inside) and ``gap_pct``
    divides by that bound. Inside the range both are 0, whatever the bounds. Otherwise
    ``gap_pct`` is None when the divisor is 0 or missing.
    """
    if value is None:
        return None, None
    if spec.direction == IN_RANGE:
        if spec.low is None or spec.high is None:
            return None, None
        gap = _distance(spec.low, spec.high, value)
        if gap == 0:
            return gap, gap
        divisor = spec.low if value < spec.low else spec.high
    else:
        if spec.target is None:
            return None, None
        gap = spec.target - value if spec.direction == HIGHER_IS_BETTER else value - spec.target
        divisor = spec.target
    return gap, (None if divisor == 0 else gap / abs(divisor))


def _trend(spec: KPISpec, before: Decimal, after: Decimal) -> str | None:
    if spec.direction == IN_RANGE:
        if spec.low is None or spec.high is None:
            return None
        change = _distance(spec.low, spec.high, before) - _distance(spec.low, spec.high, after)
    elif spec.direction == HIGHER_IS_BETTER:
        change = after - before
    else:
        change = before - after
    if change == 0:
        return FLAT
    return IMPROVING if change > 0 else WORSENING


@in_engine_context
def kpi_trend(spec: KPISpec, before: Decimal | None, after: Decimal | None) -> str | None:
    """``improving``, ``worsening`` or ``flat`` going from ``before`` to ``after``.

    None when either value is missing, or for an ``in_range`` KPI without bounds.
    """
    if before is None or after is None:
        return None
    return _trend(spec, before, after)


def _deteriorating(spec: KPISpec, values: Sequence[tuple[Period, Decimal]], count: int) -> bool:
    if count < 1:
        raise ValueError(f"deteriorating_count must be at least 1, got {count}")
    if len(values) < count + 1:
        return False
    window = values[-(count + 1) :]
    for (before_period, before), (after_period, after) in pairwise(window):
        if previous(after_period, spec.cadence) != before_period:
            return False
        if _trend(spec, before, after) != WORSENING:
            return False
    return True


@in_engine_context
def kpi_result(
    spec: KPISpec,
    measurements: Sequence[MeasurementPoint],
    as_of: date,
    rules: Rules = DEFAULT_RULES,
    *,
    values: Sequence[tuple[Period, Decimal]] | None = None,
) -> KPIResult:
    """Everything shown for a KPI as of ``as_of``; measurements after it are ignored.

    ``values`` is ``period_values(spec, measurements, as_of)`` when the caller has it already.
    """
    if values is None:
        values = period_values(spec, measurements, as_of)
    if not values:
        return KPIResult(
            current=None,
            previous=None,
            partial=False,
            period=None,
            rag=None,
            gap=None,
            gap_pct=None,
            stale=True,
            delta=None,
            trend=None,
            deteriorating=False,
        )
    period, current = values[-1]
    before: Decimal | None = None
    if len(values) > 1 and values[-2][0] == previous(period, spec.cadence):
        before = values[-2][1]
    as_of_period = period_of(as_of, spec.cadence)
    gap, gap_pct = kpi_gap(spec, current)
    return KPIResult(
        current=current,
        previous=before,
        partial=period.end > as_of,
        period=period,
        rag=rag_for(spec, current),
        gap=gap,
        gap_pct=gap_pct,
        stale=period not in (as_of_period, previous(as_of_period, spec.cadence)),
        delta=None if before is None else current - before,
        trend=kpi_trend(spec, before, current),
        deteriorating=_deteriorating(spec, values, rules.deteriorating_count),
    )
