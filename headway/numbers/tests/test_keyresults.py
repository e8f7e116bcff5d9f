"""Key results and check-ins (semantics.md, "Key results" and "Check-ins")."""

from datetime import date
from decimal import Decimal

import pytest

from headway.numbers import (
    CheckInPoint,
    KPISpec,
    KRSpec,
    MeasurementPoint,
    SpecError,
    kr_result,
    validate_kr,
)

D = Decimal
AS_OF = date(2026, 11, 15)
Q4_START, Q4_END = date(2026, 10, 1), date(2026, 12, 31)


def value_on(day: date, value: str, confidence: int | None = None) -> CheckInPoint:
    return CheckInPoint(day, value=D(value), confidence=confidence)


# --- metric -------------------------------------------------------------------------------


def test_it_computes_metric_progress() -> None:
    spec = KRSpec(start=D(0), target=D(200))
    result = kr_result(spec, [value_on(date(2026, 11, 1), "50")], AS_OF)
    assert result.current == D(50)
    assert result.progress == D("0.25")
    assert result.raw_progress == D("0.25")
    assert result.done is None


def test_it_handles_lower_is_better_with_the_same_formula() -> None:
    spec = KRSpec(start=D(10), target=D(5))
    result = kr_result(spec, [value_on(date(2026, 11, 1), "7")], AS_OF)
    assert result.progress == D("0.6")
    assert result.gap == D(2)
    assert result.gap_pct == D("0.4")


def test_it_starts_at_start_before_any_check_in() -> None:
    spec = KRSpec(start=D(10), target=D(5))
    result = kr_result(spec, [], AS_OF)
    assert result.current == D(10)
    assert result.progress == 0
    assert result.raw_progress == 0
    assert not result.raw_progress.is_signed()  # no "-0" on screen
    assert result.gap == D(5)


def test_it_clamps_progress_but_keeps_the_raw_attainment() -> None:
    spec = KRSpec(start=D(0), target=D(100))
    over = kr_result(spec, [value_on(date(2026, 11, 1), "120")], AS_OF)
    assert over.progress == 1
    assert over.raw_progress == D("1.2")
    under = kr_result(spec, [value_on(date(2026, 11, 1), "-30")], AS_OF)
    assert under.progress == 0
    assert under.raw_progress == D("-0.3")


def test_it_gives_the_documented_revenue_gap() -> None:
    spec = KRSpec(start=D(0), target=D(100000))
    result = kr_result(spec, [value_on(date(2026, 11, 1), "80000")], AS_OF)
    assert result.gap == D(20000)
    assert result.gap_pct == D("0.2")
    assert result.progress == D("0.8")


def test_it_gives_a_negative_gap_once_the_target_is_passed() -> None:
    spec = KRSpec(start=D(10), target=D(5))
    result = kr_result(spec, [value_on(date(2026, 11, 1), "4")], AS_OF)
    assert result.gap == D(-1)
    assert result.gap_pct == D("-0.2")
    assert result.progress == 1


def test_it_has_no_gap_pct_for_a_zero_target() -> None:
    spec = KRSpec(start=D(8), target=D(0))
    result = kr_result(spec, [value_on(date(2026, 11, 1), "2")], AS_OF)
    assert result.gap == D(2)
    assert result.gap_pct is None
    assert result.progress == D("0.75")


def test_it_uses_the_latest_check_in_on_or_before_as_of() -> None:
    spec = KRSpec(start=D(0), target=D(10))
    checkins = [
        value_on(date(2026, 10, 5), "2"),
        value_on(date(2026, 11, 15), "4"),
        value_on(date(2026, 11, 16), "9"),
    ]
    assert kr_result(spec, checkins, AS_OF).current == D(4)
    assert kr_result(spec, checkins, date(2026, 11, 14)).current == D(2)
    assert kr_result(spec, checkins, date(2026, 10, 4)).current == D(0)
    assert kr_result(spec, checkins, date(2026, 12, 1)).current == D(9)


def test_it_takes_a_same_day_correction_as_the_latest() -> None:
    spec = KRSpec(start=D(0), target=D(10))
    checkins = [value_on(AS_OF, "8"), value_on(AS_OF, "6")]
    assert kr_result(spec, checkins, AS_OF).current == D(6)


def test_it_orders_check_ins_by_day_even_when_given_unsorted() -> None:
    spec = KRSpec(start=D(0), target=D(10))
    checkins = [value_on(date(2026, 11, 10), "7"), value_on(date(2026, 10, 10), "3")]
    assert kr_result(spec, checkins, AS_OF).current == D(7)


def test_it_skips_check_ins_without_a_value_for_the_current_value() -> None:
    spec = KRSpec(start=D(0), target=D(10))
    checkins = [value_on(date(2026, 11, 1), "5"), CheckInPoint(date(2026, 11, 2), confidence=3)]
    result = kr_result(spec, checkins, AS_OF)
    assert result.current == D(5)
    assert result.confidence == 3


# --- confidence ---------------------------------------------------------------------------


def test_it_defaults_confidence_to_5_at_kick_off() -> None:
    spec = KRSpec(start=D(0), target=D(10))
    assert kr_result(spec, [], AS_OF).confidence == 5
    assert kr_result(spec, [value_on(date(2026, 11, 1), "1")], AS_OF).confidence == 5


def test_it_takes_the_latest_confidence_on_or_before_as_of() -> None:
    spec = KRSpec(start=D(0), target=D(10))
    checkins = [
        value_on(date(2026, 10, 5), "2", confidence=8),
        value_on(date(2026, 11, 1), "3"),
        value_on(date(2026, 11, 20), "4", confidence=2),
    ]
    assert kr_result(spec, checkins, AS_OF).confidence == 8
    assert kr_result(spec, checkins, date(2026, 11, 20)).confidence == 2


def test_it_keeps_a_confidence_of_0() -> None:
    spec = KRSpec(start=D(0), target=D(10))
    checkins = [value_on(date(2026, 10, 5), "2", confidence=0)]
    assert kr_result(spec, checkins, AS_OF).confidence == 0


# --- milestone and threshold --------------------------------------------------------------


def test_it_scores_a_milestone_1_when_done() -> None:
    spec = KRSpec(type="milestone")
    before = kr_result(spec, [], AS_OF)
    assert (before.done, before.progress, before.current) == (False, D(0), None)
    checkins = [
        CheckInPoint(date(2026, 11, 1), done=True),
        CheckInPoint(date(2026, 11, 20), done=False),
    ]
    done = kr_result(spec, checkins, AS_OF)
    assert (done.done, done.progress, done.raw_progress) == (True, D(1), D(1))
    assert (done.gap, done.gap_pct) == (None, None)
    assert kr_result(spec, checkins, date(2026, 11, 20)).progress == 0


@pytest.mark.parametrize(
    ("bound", "value", "progress"),
    [
        ("at_least", "99", 0),
        ("at_least", "100", 1),  # inclusive
        ("at_least", "101", 1),
        ("at_most", "99", 1),
        ("at_most", "100", 1),  # inclusive
        ("at_most", "101", 0),
    ],
)
def test_it_scores_a_threshold_inclusively(bound: str, value: str, progress: int) -> None:
    spec = KRSpec(type="threshold", target=D(100), bound=bound)
    result = kr_result(spec, [value_on(date(2026, 11, 1), value)], AS_OF)
    assert result.progress == progress
    assert result.raw_progress == progress
    assert result.current == D(value)
    assert result.gap is None


def test_it_scores_a_threshold_without_a_value_0() -> None:
    spec = KRSpec(type="threshold", target=D(100), bound="at_most")
    result = kr_result(spec, [], AS_OF)
    assert (result.current, result.progress) == (None, D(0))


def test_it_starts_a_threshold_at_its_start_value_when_given() -> None:
    spec = KRSpec(type="threshold", start=D(80), target=D(100), bound="at_most")
    result = kr_result(spec, [], AS_OF)
    assert (result.current, result.progress) == (D(80), D(1))


# --- KPI-driven ---------------------------------------------------------------------------

MONTHLY_SUM = KPISpec(cadence="monthly", aggregation="sum")
SIGNUPS = [
    MeasurementPoint(date(2026, 9, 20), D(1000)),  # before the cycle
    MeasurementPoint(date(2026, 10, 10), D(100)),
    MeasurementPoint(date(2026, 10, 20), D(50)),
    MeasurementPoint(date(2026, 11, 3), D(30)),
    MeasurementPoint(date(2026, 11, 16), D(500)),  # after as_of
]


def kpi_kr(kpi_value: str, start: str = "0", target: str = "300") -> KRSpec:
    return KRSpec(start=D(start), target=D(target), kpi_value=kpi_value)


def test_it_follows_the_kpis_latest_value() -> None:
    checkins = [value_on(date(2026, 11, 1), "999", confidence=7)]
    result = kr_result(kpi_kr("latest"), checkins, AS_OF, kpi=MONTHLY_SUM, measurements=SIGNUPS)
    assert result.current == D(30)  # November so far, not the check-in
    assert result.progress == D("0.1")
    assert result.confidence == 7  # confidence still comes from check-ins


def test_it_sums_kpi_measurements_inside_the_cycle() -> None:
    result = kr_result(
        kpi_kr("cycle_total"),
        [],
        AS_OF,
        kpi=MONTHLY_SUM,
        measurements=SIGNUPS,
        cycle_start=Q4_START,
        cycle_end=Q4_END,
    )
    assert result.current == D(180)
    assert result.progress == D("0.6")


def test_it_averages_kpi_measurements_inside_the_cycle() -> None:
    result = kr_result(
        kpi_kr("cycle_average", target="100"),
        [],
        AS_OF,
        kpi=MONTHLY_SUM,
        measurements=SIGNUPS,
        cycle_start=Q4_START,
        cycle_end=Q4_END,
    )
    assert result.current == D(60)


def test_it_stops_the_cycle_total_at_the_cycle_end() -> None:
    measurements = [
        MeasurementPoint(date(2026, 12, 31), D(10)),
        MeasurementPoint(date(2027, 1, 1), D(20)),
    ]
    result = kr_result(
        kpi_kr("cycle_total"),
        [],
        date(2027, 1, 15),
        kpi=MONTHLY_SUM,
        measurements=measurements,
        cycle_start=Q4_START,
        cycle_end=Q4_END,
    )
    assert result.current == D(10)


@pytest.mark.parametrize(
    ("kpi_value", "measurements"),
    [
        ("latest", []),
        ("cycle_total", [MeasurementPoint(date(2026, 9, 30), D(5))]),
        ("cycle_average", [MeasurementPoint(date(2026, 11, 16), D(5))]),
    ],
)
def test_it_falls_back_to_start_without_kpi_data(
    kpi_value: str, measurements: list[MeasurementPoint]
) -> None:
    result = kr_result(
        kpi_kr(kpi_value, start="40"),
        [value_on(date(2026, 11, 1), "200")],
        AS_OF,
        kpi=MONTHLY_SUM,
        measurements=measurements,
        cycle_start=Q4_START,
        cycle_end=Q4_END,
    )
    assert result.current == D(40)
    assert result.progress == 0


def test_it_takes_latest_from_before_the_cycle_when_that_is_the_kpis_current() -> None:
    measurements = [MeasurementPoint(date(2026, 9, 30), D(75))]
    result = kr_result(kpi_kr("latest"), [], AS_OF, kpi=MONTHLY_SUM, measurements=measurements)
    assert result.current == D(75)


def test_it_drives_a_threshold_kr_from_a_kpi() -> None:
    spec = KRSpec(type="threshold", target=D(40), bound="at_least", kpi_value="latest")
    result = kr_result(spec, [], AS_OF, kpi=MONTHLY_SUM, measurements=SIGNUPS)
    assert (result.current, result.progress) == (D(30), D(0))


def test_it_uses_check_ins_when_no_kpi_is_given() -> None:
    result = kr_result(kpi_kr("latest"), [value_on(date(2026, 11, 1), "150")], AS_OF)
    assert result.current == D(150)


def test_it_needs_a_cycle_start_for_cycle_values() -> None:
    with pytest.raises(ValueError, match="cycle_start"):
        kr_result(kpi_kr("cycle_total"), [], AS_OF, kpi=MONTHLY_SUM, measurements=SIGNUPS)


# --- validation ---------------------------------------------------------------------------


def test_it_accepts_valid_key_results() -> None:
    assert validate_kr(KRSpec(start=D(0), target=D(1))) == []
    assert validate_kr(KRSpec(type="milestone")) == []
    assert validate_kr(KRSpec(type="threshold", target=D(1), bound="at_most")) == []
    assert validate_kr(KRSpec(start=D(0), target=D(1), weight=D(0), kpi_value="latest")) == []


def test_it_rejects_target_equal_to_start_suggesting_a_threshold() -> None:
    errors = validate_kr(KRSpec(start=D(5), target=D("5.0")))
    assert errors == [
        ("target", "target equals start; use a threshold key result for a value to hold")
    ]
    with pytest.raises(SpecError, match="use a threshold key result") as caught:
        kr_result(KRSpec(start=D(5), target=D(5)), [], AS_OF)
    assert caught.value.errors == errors


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        (KRSpec(), ["start", "target"]),
        (KRSpec(start=D(0)), ["target"]),
        (KRSpec(target=D(0)), ["start"]),
        (KRSpec(type="goal"), ["type"]),
        (KRSpec(type="threshold"), ["target", "bound"]),
        (KRSpec(type="threshold", target=D(1), bound="above"), ["bound"]),
        (KRSpec(type="milestone", weight=D(-1)), ["weight"]),
        (KRSpec(type="milestone", kpi_value="latest"), ["kpi_value"]),
        (KRSpec(start=D(0), target=D(1), kpi_value="median"), ["kpi_value"]),
        (KRSpec(start=D("NaN"), target=D(1)), ["start"]),
        (KRSpec(type="milestone", weight=D("Infinity")), ["weight"]),
    ],
)
def test_it_reports_field_errors(spec: KRSpec, fields: list[str]) -> None:
    assert [field for field, _ in validate_kr(spec)] == fields
    with pytest.raises(SpecError):
        kr_result(spec, [], AS_OF)
