"""Organization rules and time-aware status (semantics.md, "Status").

``Rules`` also carries the score band edges (semantics.md, "Scores") and the KPI
deteriorating count (semantics.md, "KPIs"), since all of them are per-organization settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._common import in_engine_context, is_finite

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA)


@dataclass(frozen=True)
class Rules:
    """Per-organization settings; the defaults are what a new organization gets."""

    on_track_max: Decimal = Decimal("0.10")
    at_risk_max: Decimal = Decimal("0.25")
    band_yellow_from: Decimal = Decimal("0.4")
    band_green_from: Decimal = Decimal("0.7")
    deteriorating_count: int = 3


def validate_rules(rules: Rules) -> list[tuple[str, str]]:
    """Field-level errors in ``rules`` as ``(field, message)`` pairs; empty when valid."""
    errors: list[tuple[str, str]] = []
    for field in ("on_track_max", "at_risk_max", "band_yellow_from", "band_green_from"):
        if not is_finite(getattr(rules, field)):
            errors.append((field, "must be a finite number"))
    if errors:
        return errors
    if rules.at_risk_max < rules.on_track_max:
        errors.append(("at_risk_max", "the at-risk limit must be at or above the on-track limit"))
    if rules.band_green_from < rules.band_yellow_from:
        errors.append(("band_green_from", "the green band must start at or above the yellow band"))
    if rules.deteriorating_count < 1:
        errors.append(("deteriorating_count", "must be at least 1"))
    return errors


@in_engine_context
def status_for(expected: Decimal, progress: Decimal | None, rules: Rules = Rules()) -> str:
    """``on_track``, ``at_risk`` or ``off_track`` from ``behind = expected - progress``.

    Unknown progress (None) gives ``no_data``. Both limits are inclusive: behind exactly
    0.10 is on track, exactly 0.25 at risk (defaults).
    """
    if progress is None:
        return NO_DATA
    behind = expected - progress
    if behind <= rules.on_track_max:
        return ON_TRACK
    if behind <= rules.at_risk_max:
        return AT_RISK
    return OFF_TRACK
