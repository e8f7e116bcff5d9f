"""Headway's numbers engine: every number of semantics.md, as plain functions on decimals.

No Django, no database, no I/O. Callers load rows, convert them to the small frozen
dataclasses below (points already localized to the organization's calendar days and sorted
by time), and call these functions with an ``as_of`` date.
"""

from ._common import SpecError, weighted_mean
from .cycles import expected_progress, quarter_bounds, quarter_name, quarter_of
from .keyresults import (
    KR_TYPES,
    CheckInPoint,
    KRResult,
    KRSpec,
    kr_result,
    validate_kr,
)
from .kpis import (
    AGGREGATIONS,
    DIRECTIONS,
    KPIResult,
    KPISpec,
    MeasurementPoint,
    kpi_gap,
    kpi_result,
    kpi_trend,
    period_values,
    rag_for,
    validate_kpi,
)
from .objectives import (
    PROGRESS_MODES,
    AlignmentCycleError,
    ObjectiveSpec,
    find_alignment_cycle,
    objective_progress,
)
from .periods import CADENCES, Period, period_label, period_of, previous, shift
from .scores import SCORE_NOTE_TEXT, objective_score, score_band, score_note, suggested_score
from .status import STATUSES, Rules, status_for, validate_rules

__all__ = [
    "AGGREGATIONS",
    "CADENCES",
    "DIRECTIONS",
    "KR_TYPES",
    "PROGRESS_MODES",
    "SCORE_NOTE_TEXT",
    "STATUSES",
    "AlignmentCycleError",
    "CheckInPoint",
    "KPIResult",
    "KPISpec",
    "KRResult",
    "KRSpec",
    "MeasurementPoint",
    "ObjectiveSpec",
    "Period",
    "Rules",
    "SpecError",
    "expected_progress",
    "find_alignment_cycle",
    "kpi_gap",
    "kpi_result",
    "kpi_trend",
    "kr_result",
    "objective_progress",
    "objective_score",
    "period_label",
    "period_of",
    "period_values",
    "previous",
    "quarter_bounds",
    "quarter_name",
    "quarter_of",
    "rag_for",
    "score_band",
    "score_note",
    "shift",
    "status_for",
    "suggested_score",
    "validate_kpi",
    "validate_kr",
    "validate_rules",
    "weighted_mean",
]
