"""KPI cadence periods (semantics.md, "KPIs")."""

from datetime import date

import pytest

from headway.numbers import Period, period_label, period_of, previous, shift


def test_it_makes_daily_periods() -> None:
    period = period_of(date(2026, 11, 15), "daily")
    assert period == Period(date(2026, 11, 15), date(2026, 11, 15))
    assert previous(period, "daily") == Period(date(2026, 11, 14), date(2026, 11, 14))
    assert period_label(period, "daily") == "2026-11-15"


def test_it_makes_iso_weeks_starting_monday() -> None:
    period = period_of(date(2026, 11, 15), "weekly")  # a Sunday
    assert period == Period(date(2026, 11, 9), date(2026, 11, 15))
    assert period_of(date(2026, 11, 16), "weekly").start == date(2026, 11, 16)  # a Monday


def test_it_puts_2026_12_31_in_iso_week_2026_w53() -> None:
    period = period_of(date(2026, 12, 31), "weekly")
    assert period == Period(date(2026, 12, 28), date(2027, 1, 3))
    assert period_label(period, "weekly") == "2026-W53"
    assert period_of(date(2027, 1, 3), "weekly") == period
    following = shift(period, "weekly", 1)
    assert following == Period(date(2027, 1, 4), date(2027, 1, 10))
    assert period_label(following, "weekly") == "2027-W01"


def test_it_puts_2025_12_31_in_iso_week_2026_w01() -> None:
    period = period_of(date(2025, 12, 31), "weekly")
    assert period == Period(date(2025, 12, 29), date(2026, 1, 4))
    assert period_label(period, "weekly") == "2026-W01"
    assert period_label(previous(period, "weekly"), "weekly") == "2025-W52"


def test_it_makes_months_of_every_length() -> None:
    assert period_of(date(2028, 2, 10), "monthly") == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert period_of(date(2026, 2, 10), "monthly") == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert period_of(date(2026, 4, 30), "monthly") == Period(date(2026, 4, 1), date(2026, 4, 30))
    december = period_of(date(2026, 12, 31), "monthly")
    assert december == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert period_label(december, "monthly") == "2026-12"


def test_it_steps_months_across_year_ends() -> None:
    january = period_of(date(2027, 1, 5), "monthly")
    assert previous(january, "monthly") == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert shift(january, "monthly", 13) == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert shift(january, "monthly", -25) == Period(date(2024, 12, 1), date(2024, 12, 31))


def test_it_makes_calendar_quarters() -> None:
    q4 = period_of(date(2026, 11, 15), "quarterly")
    assert q4 == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert period_label(q4, "quarterly") == "2026-Q4"
    q1 = period_of(date(2027, 3, 31), "quarterly")
    assert previous(q1, "quarterly") == q4
    assert shift(q4, "quarterly", 2) == Period(date(2027, 4, 1), date(2027, 6, 30))


def test_it_knows_which_days_a_period_contains() -> None:
    period = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert date(2026, 11, 1) in period
    assert date(2026, 11, 30) in period
    assert date(2026, 12, 1) not in period
    assert "2026-11-05" not in period


def test_it_rejects_an_unknown_cadence() -> None:
    with pytest.raises(ValueError, match="unknown cadence"):
        period_of(date(2026, 11, 15), "hourly")
