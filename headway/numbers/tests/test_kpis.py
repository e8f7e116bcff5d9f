"""KPIs (semantics.md, "KPIs")."""

from datetime import date
from decimal import Decimal

import pytest

from headway.numbers import (
    KPISpec,
    MeasurementPoint,
    Period,
    Rules,
    SpecError,
    kpi_gap,
    kpi_result,
    kpi_trend,
    period_values,
    rag_for,
    validate_kpi,
)

D = Decimal
AS_OF = date(2026, 11, 15)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def m(day: str, value: str) -> MeasurementPoint:
    return MeasurementPoint(date.fromisoformat(day), D(value))


# --- current, previous, partial -----------------------------------------------------------

READINGS = [m("2026-09-10", "5"), m("2026-10-05", "7"), m("2026-10-20", "8"), m("2026-11-03", "9")]


def test_it_takes_the_most_recent_period_as_current() -> None:
    result = kpi_result(KPISpec(), READINGS, AS_OF)
    assert result.current == D(9)
    assert result.period == NOVEMBER
    assert result.partial is True
    assert result.previous == D(8)  # "last" of October
    assert result.delta == D(1)
    assert result.trend == "improving"


def test_it_is_not_partial_on_the_last_day_of_the_period() -> None:
    assert kpi_result(KPISpec(), READINGS, date(2026, 11, 30)).partial is False
    assert kpi_result(KPISpec(), READINGS, date(2026, 12, 1)).partial is False


def test_it_keeps_the_last_measured_period_as_current_when_the_new_one_is_empty() -> None:
    result = kpi_result(KPISpec(), READINGS[:3], AS_OF)
    assert result.current == D(8)
    assert result.period == OCTOBER
    assert result.partial is False
    assert result.previous == D(5)


def test_it_has_no_previous_when_the_period_before_is_empty() -> None:
    result = kpi_result(KPISpec(), [m("2026-09-10", "5"), m("2026-11-03", "9")], AS_OF)
    assert result.current == D(9)
    assert result.previous is None
    assert result.delta is None
    assert result.trend is None


def test_it_has_nothing_without_measurements() -> None:
    result = kpi_result(KPISpec(target=D(10)), [], AS_OF)
    assert result.current is None
    assert result.previous is None
    assert result.period is None
    assert result.partial is False
    assert (result.rag, result.gap, result.gap_pct) == (None, None, None)
    assert result.stale is True
    assert (result.delta, result.trend, result.deteriorating) == (None, None, False)


def test_it_ignores_measurements_after_as_of_even_inside_the_current_period() -> None:
    readings = [m("2026-11-03", "9"), m("2026-11-16", "1"), m("2026-12-01", "50")]
    result = kpi_result(KPISpec(aggregation="sum"), readings, AS_OF)
    assert result.current == D(9)


# --- aggregations and cadences ------------------------------------------------------------

OCTOBER_READINGS = [m("2026-10-02", "3"), m("2026-10-30", "2"), m("2026-10-09", "7")]


@pytest.mark.parametrize(
    ("aggregation", "value"),
    [("sum", D(12)), ("average", D(4)), ("last", D(2)), ("min", D(2)), ("max", D(7))],
)
def test_it_aggregates_a_period(aggregation: str, value: Decimal) -> None:
    spec = KPISpec(aggregation=aggregation)
    assert period_values(spec, OCTOBER_READINGS, AS_OF) == [(OCTOBER, value)]


def test_it_averages_at_full_precision() -> None:
    spec = KPISpec(aggregation="average")
    readings = [m("2026-10-01", "10"), m("2026-10-02", "20"), m("2026-10-03", "40")]
    assert period_values(spec, readings, AS_OF) == [(OCTOBER, D(70) / D(3))]


def test_it_takes_the_later_of_two_same_day_measurements_as_last() -> None:
    readings = [m("2026-10-05", "4"), m("2026-10-05", "6")]
    assert period_values(KPISpec(), readings, AS_OF) == [(OCTOBER, D(6))]


def test_it_lists_period_values_in_ascending_order() -> None:
    spec = KPISpec(aggregation="sum")
    values = period_values(spec, [*READINGS, m("2026-10-01", "1")], AS_OF)
    assert [period.start.month for period, _ in values] == [9, 10, 11]
    assert [value for _, value in values] == [D(5), D(16), D(9)]


def test_it_sums_a_daily_kpi() -> None:
    spec = KPISpec(cadence="daily", aggregation="sum")
    readings = [m("2026-11-14", "3"), m("2026-11-15", "4"), m("2026-11-15", "5")]
    result = kpi_result(spec, readings, AS_OF)
    assert (result.current, result.previous, result.partial) == (D(9), D(3), False)
    assert result.period == Period(AS_OF, AS_OF)


def test_it_sums_an_iso_week_across_the_year_end() -> None:
    spec = KPISpec(cadence="weekly", aggregation="sum")
    readings = [m("2026-12-27", "1"), m("2026-12-28", "5"), m("2027-01-02", "7")]
    result = kpi_result(spec, readings, date(2027, 1, 2))
    assert result.current == D(12)
    assert result.period == Period(date(2026, 12, 28), date(2027, 1, 3))
    assert result.partial is True
    assert result.previous == D(1)


def test_it_averages_a_quarterly_kpi() -> None:
    spec = KPISpec(cadence="quarterly", aggregation="average")
    readings = [m("2026-09-30", "1"), m("2026-10-01", "2"), m("2026-12-31", "4")]
    result = kpi_result(spec, readings, date(2026, 12, 31))
    assert (result.current, result.previous, result.partial) == (D(3), D(1), False)


# --- RAG ----------------------------------------------------------------------------------

HIGHER = KPISpec(direction="higher_is_better", target=D(100), red=D(80))
LOWER = KPISpec(direction="lower_is_better", target=D(2), red=D(5))
RANGE = KPISpec(direction="in_range", low=D(10), high=D(20), tolerance=D(2))


@pytest.mark.parametrize(
    ("spec", "value", "rag"),
    [
        (HIGHER, "100", "green"),
        (HIGHER, "120", "green"),
        (HIGHER, "99.99", "yellow"),
        (HIGHER, "80", "yellow"),
        (HIGHER, "79.99", "red"),
        (LOWER, "2", "green"),
        (LOWER, "1", "green"),
        (LOWER, "2.01", "yellow"),
        (LOWER, "5", "yellow"),
        (LOWER, "5.01", "red"),
        (RANGE, "10", "green"),
        (RANGE, "15", "green"),
        (RANGE, "20", "green"),
        (RANGE, "8", "yellow"),
        (RANGE, "22", "yellow"),
        (RANGE, "7.99", "red"),
        (RANGE, "22.01", "red"),
    ],
)
def test_it_applies_the_rag_table(spec: KPISpec, value: str, rag: str) -> None:
    assert rag_for(spec, D(value)) == rag


def test_it_is_green_or_red_only_without_a_red_threshold() -> None:
    higher = KPISpec(target=D(100))
    assert [rag_for(higher, D(v)) for v in ("100", "99.99", "0")] == ["green", "red", "red"]
    lower = KPISpec(direction="lower_is_better", target=D(2))
    assert [rag_for(lower, D(v)) for v in ("2", "2.01")] == ["green", "red"]


def test_it_treats_a_missing_tolerance_as_zero() -> None:
    spec = KPISpec(direction="in_range", low=D(10), high=D(20))
    assert rag_for(spec, D("9.99")) == "red"
    assert rag_for(spec, D("10")) == "green"


def test_it_has_no_rag_without_thresholds_or_value() -> None:
    assert rag_for(KPISpec(), D(5)) is None
    assert rag_for(KPISpec(direction="in_range"), D(5)) is None
    assert rag_for(HIGHER, None) is None


# --- gap ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "gap", "gap_pct"),
    [
        (KPISpec(target=D(100000)), "80000", D(20000), D("0.2")),
        (KPISpec(target=D(100000)), "110000", D(-10000), D("-0.1")),
        (KPISpec(direction="lower_is_better", target=D(2)), "3", D(1), D("0.5")),
        (KPISpec(direction="lower_is_better", target=D(-4)), "-5", D(-1), D("-0.25")),
        (KPISpec(target=D(0)), "-3", D(3), None),
        (RANGE, "8", D(2), D("0.2")),
        (RANGE, "25", D(5), D("0.25")),
        (RANGE, "12", D(0), D(0)),
        (KPISpec(direction="in_range", low=D(0), high=D(10)), "-5", D(5), None),
        (KPISpec(direction="in_range", low=D(0), high=D(10)), "9", D(0), D(0)),
        # Inside the range nothing is missing, even when the nearest bound is 0.
        (KPISpec(direction="in_range", low=D(0), high=D(10)), "1", D(0), D(0)),
        (KPISpec(direction="in_range", low=D(-10), high=D(0)), "-15", D(5), D("0.5")),
    ],
)
def test_it_computes_the_gap(
    spec: KPISpec, value: str, gap: Decimal, gap_pct: Decimal | None
) -> None:
    assert kpi_gap(spec, D(value)) == (gap, gap_pct)


def test_it_has_no_gap_without_a_target_or_value() -> None:
    assert kpi_gap(KPISpec(), D(5)) == (None, None)
    assert kpi_gap(KPISpec(direction="in_range"), D(5)) == (None, None)
    assert kpi_gap(HIGHER, None) == (None, None)


def test_it_reports_rag_and_gap_of_the_current_value() -> None:
    result = kpi_result(HIGHER, [m("2026-11-01", "90")], AS_OF)
    assert (result.rag, result.gap, result.gap_pct) == ("yellow", D(10), D("0.1"))


# --- stale --------------------------------------------------------------------------------


def test_it_is_stale_when_last_measured_two_periods_ago() -> None:
    assert kpi_result(KPISpec(), [m("2026-09-30", "1")], AS_OF).stale is True


def test_it_is_not_stale_when_measured_in_the_period_before() -> None:
    assert kpi_result(KPISpec(), [m("2026-10-01", "1")], AS_OF).stale is False


def test_it_is_not_stale_when_measured_in_the_current_period() -> None:
    assert kpi_result(KPISpec(), [m("2026-11-15", "1")], AS_OF).stale is False


def test_it_judges_staleness_by_cadence() -> None:
    weekly = KPISpec(cadence="weekly")
    # as_of is Sunday 2026-11-15 (week of 11-09); the week before starts 11-02.
    assert kpi_result(weekly, [m("2026-11-02", "1")], AS_OF).stale is False
    assert kpi_result(weekly, [m("2026-11-01", "1")], AS_OF).stale is True


# --- trend and deteriorating --------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "before", "after", "trend"),
    [
        (HIGHER, "5", "6", "improving"),
        (HIGHER, "6", "5", "worsening"),
        (HIGHER, "6", "6.0", "flat"),
        (LOWER, "5", "6", "worsening"),
        (LOWER, "6", "5", "improving"),
        (LOWER, "6", "6", "flat"),
        (RANGE, "25", "22", "improving"),  # distance 5 -> 2
        (RANGE, "5", "15", "improving"),  # distance 5 -> 0
        (RANGE, "15", "25", "worsening"),
        (RANGE, "12", "18", "flat"),  # both inside
        (RANGE, "8", "22", "flat"),  # 2 below -> 2 above
        (RANGE, "8", "7", "worsening"),
    ],
)
def test_it_judges_the_trend_by_direction(
    spec: KPISpec, before: str, after: str, trend: str
) -> None:
    assert kpi_trend(spec, D(before), D(after)) == trend


def test_it_has_no_in_range_trend_without_bounds() -> None:
    assert kpi_trend(KPISpec(direction="in_range"), D(1), D(2)) is None
    assert kpi_trend(HIGHER, None, D(2)) is None


def test_it_reports_delta_and_trend_for_an_in_range_kpi() -> None:
    readings = [m("2026-10-10", "12"), m("2026-11-10", "18")]
    result = kpi_result(RANGE, readings, AS_OF)
    assert (result.delta, result.trend) == (D(6), "flat")


def monthly(*values: str, start_month: int = 7) -> list[MeasurementPoint]:
    return [MeasurementPoint(date(2026, start_month + i, 15), D(v)) for i, v in enumerate(values)]


def test_it_flags_three_worsening_changes_in_a_row() -> None:
    result = kpi_result(HIGHER, monthly("10", "9", "8", "7", "6"), date(2026, 11, 20))
    assert result.deteriorating is True
    assert result.trend == "worsening"


def test_it_needs_four_periods_to_flag_deterioration() -> None:
    assert kpi_result(HIGHER, monthly("9", "8", "7", start_month=9), AS_OF).deteriorating is False
    assert kpi_result(HIGHER, monthly("9", "8", "7", "6", start_month=8), AS_OF).deteriorating


def test_it_does_not_flag_deterioration_across_a_gap() -> None:
    readings = [m("2026-06-15", "10"), m("2026-07-15", "9"), m("2026-09-15", "8")]
    readings += [m("2026-10-15", "7"), m("2026-11-15", "6")]
    # June..July worsens, then August is missing: only Sept->Oct->Nov is unbroken (2 changes).
    assert kpi_result(HIGHER, readings, AS_OF).deteriorating is False
    assert kpi_result(HIGHER, readings, AS_OF, Rules(deteriorating_count=2)).deteriorating


def test_it_does_not_flag_deterioration_with_a_flat_or_improving_step() -> None:
    assert kpi_result(HIGHER, monthly("10", "9", "9", "8", "7"), AS_OF).deteriorating is False
    assert kpi_result(HIGHER, monthly("10", "9", "8", "7", "8"), AS_OF).deteriorating is False


def test_it_flags_deterioration_by_direction() -> None:
    assert kpi_result(LOWER, monthly("1", "2", "3", "4", start_month=8), AS_OF).deteriorating
    assert not kpi_result(LOWER, monthly("4", "3", "2", "1", start_month=8), AS_OF).deteriorating
    growing_distance = monthly("21", "23", "9", "30", start_month=8)  # distance 1, 3, 1, 10
    assert kpi_result(RANGE, growing_distance, AS_OF).deteriorating is False
    drifting = monthly("20", "21", "7", "30", start_month=8)  # distance 0, 1, 3, 10
    assert kpi_result(RANGE, drifting, AS_OF).deteriorating is True


def test_it_uses_the_organizations_deteriorating_count() -> None:
    readings = monthly("10", "9", "8", start_month=9)
    assert kpi_result(HIGHER, readings, AS_OF, Rules(deteriorating_count=2)).deteriorating
    longer = monthly("10", "9", "8", "7", start_month=8)
    assert not kpi_result(HIGHER, longer, AS_OF, Rules(deteriorating_count=4)).deteriorating
    with pytest.raises(ValueError, match="deteriorating_count"):
        kpi_result(HIGHER, longer, AS_OF, Rules(deteriorating_count=0))


# --- validation ---------------------------------------------------------------------------


def test_it_accepts_valid_kpis() -> None:
    assert validate_kpi(KPISpec()) == []
    assert validate_kpi(HIGHER) == []
    assert validate_kpi(LOWER) == []
    assert validate_kpi(RANGE) == []
    assert validate_kpi(KPISpec(target=D(5), red=D(5))) == []
    assert validate_kpi(KPISpec(direction="in_range", low=D(3), high=D(3))) == []


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        (KPISpec(cadence="hourly"), ["cadence"]),
        (KPISpec(aggregation="median"), ["aggregation"]),
        (KPISpec(direction="sideways"), ["direction"]),
        (KPISpec(target=D(10), red=D(11)), ["red"]),
        (KPISpec(direction="lower_is_better", target=D(10), red=D(9)), ["red"]),
        (KPISpec(red=D(5)), ["target"]),
        (KPISpec(direction="in_range", low=D(5), high=D(4)), ["high"]),
        (KPISpec(direction="in_range", low=D(5)), ["high"]),
        (KPISpec(direction="in_range", high=D(5)), ["low"]),
        (KPISpec(direction="in_range", low=D(1), high=D(5), tolerance=D(-1)), ["tolerance"]),
        (KPISpec(target=D("NaN")), ["target"]),
    ],
)
def test_it_reports_field_errors(spec: KPISpec, fields: list[str]) -> None:
    assert [field for field, _ in validate_kpi(spec)] == fields


def test_it_refuses_to_compute_an_invalid_kpi() -> None:
    with pytest.raises(SpecError, match="cadence"):
        kpi_result(KPISpec(cadence="hourly"), READINGS, AS_OF)
