"""The one display-rounding place (headway.reports.numbers_out)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from headway.reports.numbers_out import out_ratio, out_value


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal(45) / Decimal(91), 0.4945),
        (Decimal("0.12345"), 0.1234),  # half-even: the 4 stays
        (Decimal("0.12355"), 0.1236),  # half-even: the 5 goes up to 6
        (Decimal("0.75"), 0.75),
        (Decimal("1.2"), 1.2),
        (Decimal("-0.2"), -0.2),
        (Decimal(1), 1.0),
        (None, None),
    ],
)
def test_it_rounds_ratios_to_four_places_half_even(value: Decimal | None, shown: float) -> None:
    assert out_ratio(value) == shown


def test_it_never_shows_negative_zero() -> None:
    shown = out_ratio(Decimal("-0.00001"))
    assert shown == 0.0
    assert math.copysign(1, shown) == 1


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("100000.0000000000"), 100000),
        (Decimal("14.4000"), 14.4),
        (Decimal("-0.5"), -0.5),
        (Decimal("0E-10"), 0),
        (None, None),
    ],
)
def test_it_shows_values_exactly(value: Decimal | None, shown: float | None) -> None:
    result = out_value(value)
    assert result == shown
    assert type(result) is type(shown)


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        (0.9984, 99),  # not done yet: never "100 %"
        (0.995, 99),
        (1.0, 100),
        (1.0049, 100),
        (0.4945, 49),
        (0.125, 13),  # half up, as people round
        (0.0, 0),
        (-0.2, -20),
        (1.5, 150),
    ],
)
def test_whole_percentages_never_show_unfinished_work_as_done(ratio: float, shown: int) -> None:
    from headway.reports.numbers_out import whole_percent
    from headway.reports.table import percent
    from headway.web.templatetags.headway import pct

    assert whole_percent(ratio) == shown
    assert pct(ratio) == percent(ratio).strip() == f"{shown}%"
