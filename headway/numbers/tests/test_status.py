"""Status and organization rules (semantics.md, "Status")."""

from datetime import date
from decimal import Decimal

import pytest

from headway.numbers import Rules, expected_progress, status_for, validate_rules

D = Decimal


@pytest.mark.parametrize(
    ("expected", "progress", "status"),
    [
        (D("0.5"), D("0.5"), "on_track"),
        (D("0.5"), D("0.9"), "on_track"),  # ahead of time
        (D("0.5"), D("0.40"), "on_track"),  # behind exactly 0.10
        (D("0.5"), D("0.3999"), "at_risk"),
        (D("0.5"), D("0.25"), "at_risk"),  # behind exactly 0.25
        (D("0.5"), D("0.2499"), "off_track"),
        (D("1"), D("0"), "off_track"),
        (D("0"), D("0"), "on_track"),
    ],
)
def test_it_applies_the_default_status_table(
    expected: Decimal, progress: Decimal, status: str
) -> None:
    assert status_for(expected, progress) == status


def test_it_gives_no_data_for_unknown_progress() -> None:
    assert status_for(D("0.5"), None) == "no_data"


def test_it_is_time_aware_mid_quarter() -> None:
    expected = expected_progress(date(2026, 11, 15), date(2026, 10, 1), date(2026, 12, 31))
    assert status_for(expected, D("0.40")) == "on_track"  # behind 0.0945
    assert status_for(expected, D("0.30")) == "at_risk"  # behind 0.1945
    assert status_for(expected, D("0.24")) == "off_track"  # behind 0.2545


def test_it_uses_the_organizations_rules() -> None:
    strict = Rules(on_track_max=D("0.05"), at_risk_max=D("0.10"))
    assert status_for(D("0.5"), D("0.45"), strict) == "on_track"
    assert status_for(D("0.5"), D("0.42"), strict) == "at_risk"
    assert status_for(D("0.5"), D("0.39"), strict) == "off_track"


def test_it_has_the_documented_defaults() -> None:
    rules = Rules()
    assert rules.on_track_max == D("0.10")
    assert rules.at_risk_max == D("0.25")
    assert rules.band_yellow_from == D("0.4")
    assert rules.band_green_from == D("0.7")
    assert rules.deteriorating_count == 3
    assert validate_rules(rules) == []


def test_it_rejects_inconsistent_rules() -> None:
    errors = validate_rules(
        Rules(
            on_track_max=D("0.3"),
            at_risk_max=D("0.2"),
            band_yellow_from=D("0.8"),
            band_green_from=D("0.7"),
            deteriorating_count=0,
        )
    )
    assert [field for field, _ in errors] == [
        "at_risk_max",
        "band_green_from",
        "deteriorating_count",
    ]


def test_it_rejects_non_finite_rules() -> None:
    assert validate_rules(Rules(on_track_max=D("NaN"))) == [
        ("on_track_max", "must be a finite number")
    ]
