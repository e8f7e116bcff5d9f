"""End-of-cycle scores: suggested KR score, objective score, colour bands and notes
(semantics.md, "Scores")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from ._common import ONE, in_engine_context, weighted_mean
from .keyresults import CheckInPoint, KRSpec, kr_result
from .kpis import KPISpec, MeasurementPoint
from .objectives import ASPIRATIONAL, COMMITTED, OBJECTIVE_KINDS
from .periods import Period
from .status import Rules

RED = "red"
YELLOW = "yellow"
GREEN = "green"

MET = "met"
MISSED = "missed"
TOO_EASY = "too_easy"
SWEET_SPOT = "sweet_spot"
SCORE_NOTE_TEXT = {
    MET: "met",
    MISSED: "missed",
    TOO_EASY: "target may have been too easy",
    SWEET_SPOT: "sweet spot",
}

SWEET_SPOT_LOW = Decimal("0.6")
SWEET_SPOT_HIGH = Decimal("0.7")

DEFAULT_RULES = Rules()


def suggested_score(
    spec: KRSpec,
    checkins: Sequence[CheckInPoint],
    cycle_end: date,
    *,
    kpi: KPISpec | None = None,
    measurements: Sequence[MeasurementPoint] = (),
    cycle_start: date | None = None,
    kpi_values: Sequence[tuple[Period, Decimal]] | None = None,
) -> Decimal:
    """A KR's suggested score: its progress as of the cycle's end date (``kpi_values``, when
    given, are the KPI's period values as of that date; see ``kr_result``)."""
    result = kr_result(
        spec,
        checkins,
        cycle_end,
        kpi=kpi,
        measurements=measurements,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
        kpi_values=kpi_values,
    )
    return result.progress


def objective_score(kr_scores: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Weighted mean of ``(weight, score)`` pairs; None when no weight is counted."""
    return weighted_mean(kr_scores)


def score_band(score: Decimal | None, rules: Rules = DEFAULT_RULES) -> str | None:
    """``red`` below 0.4, ``yellow`` from 0.4 up to (not including) 0.7, ``green`` from 0.7."""
    if score is None:
        return None
    if score >= rules.band_green_from:
        return GREEN
    if score >= rules.band_yellow_from:
        return YELLOW
    return RED


@in_engine_context
def score_note(kind: str, score: Decimal | None) -> str | None:
    """Note on an objective's score by kind (``committed`` or ``aspirational``).

    Committed: ``met`` at 1.0 (or above), otherwise ``missed``. Aspirational: ``too_easy``
    at 1.0 (or above), ``sweet_spot`` for 0.6 <= score <= 0.7, otherwise None.
    See ``SCORE_NOTE_TEXT`` for the wording.
    """
    if kind not in OBJECTIVE_KINDS:
        raise ValueError(f"unknown objective kind {kind!r}; use committed or aspirational")
    if score is None:
        return None
    if kind == COMMITTED:
        return MET if score >= ONE else MISSED
    assert kind == ASPIRATIONAL
    if score >= ONE:
        return TOO_EASY
    if SWEET_SPOT_LOW <= score <= SWEET_SPOT_HIGH:
        return SWEET_SPOT
    return None
