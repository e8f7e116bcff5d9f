"""Properties that hold for every input (semantics.md as a whole)."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from headway.numbers import (
    AlignmentCycleError,
    CheckInPoint,
    KPISpec,
    KRSpec,
    MeasurementPoint,
    ObjectiveSpec,
    Period,
    expected_progress,
    find_alignment_cycle,
    kpi_result,
    kr_result,
    objective_progress,
    objective_score,
    period_of,
    period_values,
    suggested_score,
)

D = Decimal
AS_OF = date(2026, 11, 15)

amounts = st.decimals(
    min_value=-1_000_000, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False
)
shares = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
factors = st.decimals(
    min_value=D("0.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False
)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
near_days = st.integers(min_value=-120, max_value=120).map(lambda n: AS_OF + timedelta(days=n))


@given(amounts, amounts, amounts)
def test_progress_stays_within_0_and_1(start: Decimal, target: Decimal, current: Decimal) -> None:
    assume(start != target)
    result = kr_result(KRSpec(start=start, target=target), [CheckInPoint(AS_OF, current)], AS_OF)
    assert 0 <= result.progress <= 1
    assert result.progress == min(D(1), max(D(0), result.raw_progress))


@given(amounts, amounts, amounts)
def test_lower_is_better_mirrors_higher_is_better(
    start: Decimal, target: Decimal, current: Decimal
) -> None:
    assume(start != target)
    plain = kr_result(KRSpec(start=start, target=target), [CheckInPoint(AS_OF, current)], AS_OF)
    mirrored = kr_result(
        KRSpec(start=-start, target=-target), [CheckInPoint(AS_OF, -current)], AS_OF
    )
    assert mirrored.progress == plain.progress
    assert mirrored.raw_progress == plain.raw_progress
    assert mirrored.gap == plain.gap


@given(amounts, amounts, amounts)
def test_gap_is_positive_exactly_while_the_target_is_not_reached(
    start: Decimal, target: Decimal, current: Decimal
) -> None:
    assume(start != target)
    result = kr_result(KRSpec(start=start, target=target), [CheckInPoint(AS_OF, current)], AS_OF)
    assert result.gap is not None
    assert (result.gap <= 0) == (result.progress == 1)
    assert (result.gap <= 0) == (result.raw_progress >= 1)


@given(st.lists(st.tuples(weights, shares), max_size=8), factors)
def test_weights_are_scale_invariant(pairs: list[tuple[Decimal, Decimal]], k: Decimal) -> None:
    scaled = [(weight * k, value) for weight, value in pairs]
    assert objective_score(scaled) == objective_score(pairs)
    objectives = {"o": ObjectiveSpec("o")}
    assert objective_progress(objectives, {"o": scaled}, []) == objective_progress(
        objectives, {"o": pairs}, []
    )


@given(st.lists(st.tuples(weights, shares), max_size=8))
def test_objective_progress_lies_between_the_counted_inputs(
    pairs: list[tuple[Decimal, Decimal]],
) -> None:
    progress = objective_progress({"o": ObjectiveSpec("o")}, {"o": pairs}, [])["o"]
    counted = [value for weight, value in pairs if weight > 0]
    if not counted:
        assert progress is None
    else:
        assert progress is not None
        assert min(counted) <= progress <= max(counted)


@given(days, days, days, st.integers(min_value=0, max_value=400))
def test_expected_progress_is_monotone_and_within_0_and_1(
    start: date, end: date, day: date, later_by: int
) -> None:
    start, end = min(start, end), max(start, end)
    earlier = expected_progress(day, start, end)
    later = expected_progress(day + timedelta(days=later_by), start, end)
    assert 0 <= earlier <= later <= 1


checkins = st.lists(
    st.builds(
        CheckInPoint,
        day=near_days,
        value=st.none() | amounts,
        confidence=st.none() | st.integers(min_value=0, max_value=10),
    ),
    max_size=10,
).map(lambda points: sorted(points, key=lambda p: p.day))
measurements = st.lists(st.builds(MeasurementPoint, day=near_days, value=amounts), max_size=15).map(
    lambda points: sorted(points, key=lambda p: p.day)
)
kpi_specs = st.builds(
    KPISpec,
    cadence=st.sampled_from(["daily", "weekly", "monthly", "quarterly"]),
    aggregation=st.sampled_from(["sum", "average", "last", "min", "max"]),
    direction=st.sampled_from(["higher_is_better", "lower_is_better"]),
    target=st.none() | amounts,
)


AGGREGATE: dict[str, Callable[[list[Decimal]], Decimal]] = {
    "sum": lambda values: sum(values, D(0)),
    "average": lambda values: sum(values, D(0)) / len(values),
    "last": lambda values: values[-1],
    "min": min,
    "max": max,
}


@given(
    kpi_specs,
    st.lists(st.builds(MeasurementPoint, day=near_days, value=amounts), max_size=40),
    near_days,
)
def test_period_values_aggregate_each_measurement_with_the_others_of_its_period(
    spec: KPISpec, points: list[MeasurementPoint], as_of: date
) -> None:
    # The definition, one period_of per measurement; points come in any order, and the
    # readings of one day keep their list order (the last is the latest).
    grouped: dict[Period, list[Decimal]] = {}
    for point in sorted((p for p in points if p.day <= as_of), key=lambda p: p.day):
        grouped.setdefault(period_of(point.day, spec.cadence), []).append(point.value)
    expected = [
        (period, AGGREGATE[spec.aggregation](values)) for period, values in sorted(grouped.items())
    ]
    assert period_values(spec, points, as_of) == expected


@given(checkins, checkins)
def test_check_ins_after_as_of_never_change_a_key_result(
    points: list[CheckInPoint], extra: list[CheckInPoint]
) -> None:
    spec = KRSpec(start=D(0), target=D(100))
    before = [p for p in points if p.day <= AS_OF]
    after = [
        CheckInPoint(p.day + timedelta(days=200), p.value, p.done, p.confidence) for p in extra
    ]
    assert kr_result(spec, points, AS_OF) == kr_result(spec, before, AS_OF)
    assert kr_result(spec, before + after, AS_OF) == kr_result(spec, before, AS_OF)


@given(kpi_specs, measurements, st.sampled_from(["latest", "cycle_total", "cycle_average"]))
def test_measurements_after_as_of_never_change_a_kpi_or_its_key_result(
    spec: KPISpec, points: list[MeasurementPoint], kpi_value: str
) -> None:
    before = [p for p in points if p.day <= AS_OF]
    assert kpi_result(spec, points, AS_OF) == kpi_result(spec, before, AS_OF)
    kr = KRSpec(start=D(0), target=D(1000), kpi_value=kpi_value)
    kwargs: dict[str, Any] = {"cycle_start": date(2026, 10, 1), "cycle_end": date(2026, 12, 31)}
    assert kr_result(kr, [], AS_OF, kpi=spec, measurements=points, **kwargs) == kr_result(
        kr, [], AS_OF, kpi=spec, measurements=before, **kwargs
    )


@given(kpi_specs, measurements, st.sampled_from(["latest", "cycle_total", "cycle_average"]))
def test_period_values_given_by_the_caller_change_no_number(
    spec: KPISpec, points: list[MeasurementPoint], kpi_value: str
) -> None:
    # A report computes a KPI's period values once and hands them to every key result the
    # KPI drives.
    kr = KRSpec(start=D(0), target=D(1000), kpi_value=kpi_value)
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    values = period_values(spec, points, AS_OF)
    assert kpi_result(spec, points, AS_OF, values=values) == kpi_result(spec, points, AS_OF)
    assert kr_result(
        kr,
        [],
        AS_OF,
        kpi=spec,
        measurements=points,
        cycle_start=start,
        cycle_end=end,
        kpi_values=values,
    ) == kr_result(kr, [], AS_OF, kpi=spec, measurements=points, cycle_start=start, cycle_end=end)
    at_end = period_values(spec, points, end)
    assert suggested_score(
        kr, [], end, kpi=spec, measurements=points, cycle_start=start, kpi_values=at_end
    ) == suggested_score(kr, [], end, kpi=spec, measurements=points, cycle_start=start)


@st.composite
def dags(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, Decimal]]]:
    """Objectives 0..n-1 with links only from a higher id to a lower id (so no cycle)."""
    size = draw(st.integers(min_value=2, max_value=25))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)).filter(
                lambda pair: pair[0] > pair[1]
            ),
            min_size=1,
            max_size=60,
        )
    )
    return size, [(child, parent, draw(weights)) for child, parent in pairs]


modes = st.sampled_from(["key_results", "children", "both"])


@given(dags(), st.data())
def test_any_dag_computes_and_a_back_link_is_refused(
    dag: tuple[int, list[tuple[int, int, Decimal]]], data: st.DataObject
) -> None:
    size, edges = dag
    objectives = {i: ObjectiveSpec(i, data.draw(modes)) for i in range(size)}
    kr_progress = {
        i: data.draw(st.lists(st.tuples(weights, shares), max_size=3)) for i in range(size)
    }
    result = objective_progress(objectives, kr_progress, edges)
    assert set(result) == set(range(size))
    assert all(value is None or 0 <= value <= 1 for value in result.values())
    assert find_alignment_cycle((child, parent) for child, parent, _ in edges) is None

    child, parent, _ = data.draw(st.sampled_from(edges))
    with_back_link = [*edges, (parent, child, D(1))]
    cycle = find_alignment_cycle((c, p) for c, p, _ in with_back_link)
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    links = {(c, p) for c, p, _ in with_back_link}
    assert all(pair in links for pair in pairwise(cycle))
    with pytest.raises(AlignmentCycleError):
        objective_progress(objectives, kr_progress, with_back_link)


@given(dags(), st.data(), factors)
def test_scaling_every_weight_keeps_rolled_up_progress(
    dag: tuple[int, list[tuple[int, int, Decimal]]], data: st.DataObject, k: Decimal
) -> None:
    size, edges = dag
    objectives = {i: ObjectiveSpec(i, data.draw(modes)) for i in range(size)}
    kr_progress = {
        i: data.draw(st.lists(st.tuples(weights, shares), max_size=3)) for i in range(size)
    }
    plain = objective_progress(objectives, kr_progress, edges)
    scaled = objective_progress(
        objectives,
        {i: [(w * k, p) for w, p in pairs] for i, pairs in kr_progress.items()},
        [(c, p, w * k) for c, p, w in edges],
    )
    for oid, value in plain.items():
        other = scaled[oid]
        assert (value is None) == (other is None)
        if value is not None and other is not None:
            # Equal up to the last of 28 digits: nested means round their intermediate results.
            assert abs(value - other) < D("1e-24")
