"""Cycles and expected progress (semantics.md, "Cycles")."""

from datetime import date
from decimal import Decimal, localcontext

import pytest

from headway.numbers import expected_progress, quarter_bounds, quarter_name, quarter_of

Q4_START, Q4_END = date(2026, 10, 1), date(2026, 12, 31)


def test_it_names_2026_q4_and_its_bounds() -> None:
    assert quarter_bounds(2026, 4) == (Q4_START, Q4_END)
    assert quarter_name(date(2026, 11, 15)) == "2026-Q4"


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (1, date(2028, 1, 1), date(2028, 3, 31)),
        (2, date(2028, 4, 1), date(2028, 6, 30)),
        (3, date(2028, 7, 1), date(2028, 9, 30)),
        (4, date(2028, 10, 1), date(2028, 12, 31)),
    ],
)
def test_it_gives_every_quarter_bounds(quarter: int, start: date, end: date) -> None:
    assert quarter_bounds(2028, quarter) == (start, end)
    assert quarter_of(start) == (2028, quarter)
    assert quarter_of(end) == (2028, quarter)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "2026-Q1"),
        (date(2026, 3, 31), "2026-Q1"),
        (date(2026, 4, 1), "2026-Q2"),
        (date(2026, 9, 30), "2026-Q3"),
        (date(2026, 10, 1), "2026-Q4"),
        (date(2026, 12, 31), "2026-Q4"),
    ],
)
def test_it_names_quarters_at_their_edges(day: date, name: str) -> None:
    assert quarter_name(day) == name


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_it_rejects_a_quarter_outside_1_to_4(quarter: int) -> None:
    with pytest.raises(ValueError, match="quarter must be"):
        quarter_bounds(2026, quarter)


def test_it_is_0_on_the_start_date_and_1_on_the_end_date() -> None:
    assert expected_progress(Q4_START, Q4_START, Q4_END) == 0
    assert expected_progress(Q4_END, Q4_START, Q4_END) == 1


def test_it_is_45_91_on_2026_11_15_in_2026_q4() -> None:
    assert expected_progress(date(2026, 11, 15), Q4_START, Q4_END) == Decimal(45) / Decimal(91)
    assert str(expected_progress(date(2026, 11, 15), Q4_START, Q4_END)) == (
        "0.4945054945054945054945054945"
    )


def test_it_clamps_outside_the_cycle() -> None:
    assert expected_progress(date(2026, 9, 1), Q4_START, Q4_END) == 0
    assert expected_progress(date(2027, 2, 1), Q4_START, Q4_END) == 1


def test_it_handles_a_one_day_cycle() -> None:
    day = date(2026, 5, 5)
    assert expected_progress(date(2026, 5, 4), day, day) == 0
    assert expected_progress(day, day, day) == 1
    assert expected_progress(date(2026, 5, 6), day, day) == 1


def test_it_rejects_a_cycle_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        expected_progress(Q4_START, Q4_END, Q4_START)


def test_it_ignores_the_callers_decimal_context() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        value = expected_progress(date(2026, 11, 15), Q4_START, Q4_END)
    assert value == Decimal(45) / Decimal(91)
