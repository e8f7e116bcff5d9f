"""Corrections, driven KRs and recovery drafts of record_measurements (issue 5)."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from headway.feeds.tests.helpers import make_kpi, today_at
from headway.kpis.actions import draft_recovery_objective
from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import KPI, Measurement
from headway.okrs.models import CheckIn, Cycle, KeyResult, Objective
from headway.org.access import actor_for
from headway.reports.build import build_report

_PLUS_2 = dt.timezone(dt.timedelta(hours=2))
_MINUS_5 = dt.timezone(dt.timedelta(hours=-5))


@pytest.fixture
def cycle(world):
    today = timezone.now().date()
    return Cycle.objects.create(
        organization=world.acme,
        name="now",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=30),
    )


def driven_kr(
    world: Any, cycle: Cycle, kpi: KPI, ref: str, kpi_value: str, start: int = 0, target: int = 1000
) -> KeyResult:
    objective, _ = Objective.objects.get_or_create(
        organization=world.acme,
        ref="grow",
        defaults={"cycle": cycle, "team": world.growth, "title": "Grow", "owner": world.bob},
    )
    return KeyResult.objects.create(
        organization=world.acme,
        objective=objective,
        ref=ref,
        title=ref,
        start=Decimal(start),
        target=Decimal(target),
        kpi=kpi,
        kpi_value=kpi_value,
    )


def test_it_keeps_the_old_value_in_history_when_a_key_comes_back_with_a_new_value(world):
    kpi = make_kpi(world)
    bob = actor_for(world.bob, world.acme)
    at = today_at()
    record_measurements(bob, kpi, [MeasurementInput(at, Decimal(90), key="k1")])
    again = record_measurements(bob, kpi, [MeasurementInput(at, Decimal("90.0"), key="k1")])
    assert (again.created, again.duplicates, again.corrected) == (0, 1, 0)
    fixed = record_measurements(bob, kpi, [MeasurementInput(at, Decimal(95), key="k1")])
    assert (fixed.created, fixed.duplicates, fixed.corrected) == (0, 0, 1)

    old, new = Measurement.objects.order_by("id")
    assert (old.value, old.idempotency_key) == (Decimal(90), None)
    assert old.superseded_at is not None
    assert (new.value, new.idempotency_key, new.supersedes_id) == (Decimal(95), "k1", old.pk)
    # The report reads live rows only.
    report = build_report(
        world.acme,
        Cycle.objects.create(
            organization=world.acme,
            name="c",
            start=at.date() - dt.timedelta(days=5),
            end=at.date() + dt.timedelta(days=5),
        ),
    )
    assert [k["current"] for k in report["kpis"]] == [95]


def test_it_refuses_a_key_already_used_by_another_kpi(world):
    first, second = make_kpi(world, "one"), make_kpi(world, "two")
    alice = actor_for(world.alice, world.acme)
    record_measurements(alice, first, [MeasurementInput(today_at(), Decimal(1), key="shared")])
    with pytest.raises(ValidationError) as e:
        record_measurements(alice, second, [MeasurementInput(today_at(), Decimal(2), key="shared")])
    assert list(e.value.message_dict) == ["0.key"]
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize(
    ("kpi_value", "expected"),
    [("latest", Decimal(70)), ("cycle_total", Decimal(120)), ("cycle_average", Decimal(40))],
)
def test_it_moves_driven_key_results_when_a_measurement_arrives(world, cycle, kpi_value, expected):
    kpi = make_kpi(world)
    kr = driven_kr(world, cycle, kpi, "kr", kpi_value)
    bob = actor_for(world.bob, world.acme)
    record_measurements(
        bob,
        kpi,
        [
            MeasurementInput(today_at(days_ago=2), Decimal(20)),
            MeasurementInput(today_at(days_ago=1), Decimal(30)),
            MeasurementInput(today_at(), Decimal(70)),
        ],
    )
    checkins = list(CheckIn.objects.filter(key_result=kr))
    assert [(c.value, c.source) for c in checkins] == [(expected, "kpi")]
    # The report computes the same value from the measurements directly.
    report = build_report(world.acme, cycle)
    assert report["objectives"][0]["key_results"][0]["current"] == int(expected)
    assert report["objectives"][0]["progress"] == float(expected / 1000)


def test_it_writes_no_check_in_when_the_value_did_not_change(world, cycle):
    kpi = make_kpi(world)
    kr = driven_kr(world, cycle, kpi, "kr", "latest")
    bob = actor_for(world.bob, world.acme)
    record_measurements(bob, kpi, [MeasurementInput(today_at(8), Decimal(50))])
    record_measurements(bob, kpi, [MeasurementInput(today_at(7), Decimal(10))])  # earlier: no move
    record_measurements(bob, kpi, [MeasurementInput(today_at(9), Decimal(60))])
    assert list(CheckIn.objects.filter(key_result=kr).values_list("value", flat=True)) == [
        Decimal(50),
        Decimal(60),
    ]


def test_it_drafts_a_recovery_objective_for_a_red_kpi(world, cycle):
    kpi = make_kpi(world, unit="users")
    alice = actor_for(world.alice, world.acme)
    record_measurements(alice, kpi, [MeasurementInput(today_at(), Decimal(60))])  # red (< 80)
    objective = draft_recovery_objective(alice, kpi, cycle)
    assert objective.state == Objective.State.DRAFT
    assert objective.team == world.growth
    (kr,) = objective.key_results.all()
    assert (kr.kpi, kr.kpi_value, kr.type) == (kpi, "latest", "metric")
    assert (kr.start, kr.target) == (Decimal(60), Decimal(100))


def test_it_offers_no_recovery_for_a_green_kpi_and_keeps_members_from_planning(world, cycle):
    kpi = make_kpi(world)
    alice = actor_for(world.alice, world.acme)
    record_measurements(alice, kpi, [MeasurementInput(today_at(), Decimal(120))])
    with pytest.raises(ValidationError):
        draft_recovery_objective(alice, kpi, cycle)
    record_measurements(alice, kpi, [MeasurementInput(today_at(10), Decimal(10))])
    with pytest.raises(PermissionDenied):
        draft_recovery_objective(actor_for(world.bob, world.acme), kpi, cycle)
    with pytest.raises(ValidationError):
        draft_recovery_objective(actor_for(world.charlie, world.globex), kpi, cycle)
    assert not Objective.objects.exists()


def test_it_targets_the_nearest_bound_of_an_in_range_kpi(world, cycle):
    kpi = make_kpi(
        world,
        direction=KPI.Direction.IN_RANGE,
        target=None,
        red=None,
        low=Decimal(10),
        high=Decimal(20),
        tolerance=Decimal(1),
    )
    alice = actor_for(world.alice, world.acme)
    record_measurements(alice, kpi, [MeasurementInput(today_at(), Decimal(30))])
    kr = draft_recovery_objective(alice, kpi, cycle).key_results.get()
    assert (kr.start, kr.target) == (Decimal(30), Decimal(20))


def test_it_stores_exactly_what_the_orm_would_store(world):
    kpi = make_kpi(world)
    at = dt.datetime(2026, 3, 29, 1, 30, 5, 120, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    record_measurements(
        actor_for(world.alice, world.acme), kpi, [MeasurementInput(at, Decimal("12.50"))]
    )
    Measurement.objects.create(organization=world.acme, kpi=kpi, at=at, value=Decimal("12.50"))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT at, value FROM kpis_measurement ORDER BY id")
        fast, orm = cursor.fetchall()
    assert fast == orm
    assert [m.at for m in Measurement.objects.all()] == [at, at]


def test_a_key_sent_again_for_another_time_corrects_the_first_row(world):
    # No live row in the new point's time span: the insert is tried without a key lookup,
    # meets the unique key, and the checked path turns it into a correction.
    kpi = make_kpi(world)
    alice = actor_for(world.alice, world.acme)
    record_measurements(alice, kpi, [MeasurementInput(today_at(days_ago=3), Decimal(1), key="k")])
    moved = record_measurements(alice, kpi, [MeasurementInput(today_at(), Decimal(2), key="k")])
    assert (moved.created, moved.duplicates, moved.corrected) == (0, 0, 1)
    old, new = Measurement.objects.order_by("id")
    assert old.superseded_at is not None
    assert (new.at, new.value, new.supersedes_id) == (today_at(), Decimal(2), old.pk)


def test_new_points_are_written_without_looking_their_keys_up(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kpi = make_kpi(world)
    alice = actor_for(world.alice, world.acme)
    record_measurements(alice, kpi, [MeasurementInput(today_at(days_ago=9), Decimal(1), key="a")])
    points = [
        MeasurementInput(today_at(days_ago=2), Decimal(2), key="b"),
        MeasurementInput(today_at(days_ago=1), Decimal(3), key="c"),
        MeasurementInput(today_at(days_ago=1), Decimal(3), key="c"),  # the same point twice
    ]
    with CaptureQueriesContext(connection) as queries:
        result = record_measurements(alice, kpi, points)
    assert (result.created, result.duplicates) == (2, 1)
    assert not [q for q in queries if "idempotency_key IN" in q["sql"] or "ANY(" in q["sql"]]
    # A re-send overlaps live rows: every key is looked up, nothing is written.
    with CaptureQueriesContext(connection) as queries:
        again = record_measurements(alice, kpi, points)
    assert (again.created, again.duplicates) == (0, 3)
    assert [q for q in queries if "idempotency_key IN" in q["sql"] or "ANY(" in q["sql"]]
    assert Measurement.objects.count() == 3


@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        timezones=st.sampled_from([dt.UTC, _PLUS_2, _MINUS_5]),
    ),
    st.sampled_from(["iso", "z", "space", "naive"]),
)
def test_a_derived_key_is_the_same_whatever_text_the_time_came_as(at, style):
    from headway.kpis.measurements import derived_key

    kpi = KPI(pk=7)
    text = {
        "iso": at.isoformat(),
        "z": at.isoformat().replace("+00:00", "Z"),
        "space": at.isoformat(" "),
        "naive": at.replace(tzinfo=None).isoformat(),
    }[style]
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=at.tzinfo)
    assert derived_key(kpi, parsed, text) == derived_key(kpi, at)
    assert derived_key(kpi, at) == f"kpi7:{at.astimezone(dt.UTC).isoformat()}"


@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001 (hypothesis bounds are naive)
        max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.sampled_from([dt.UTC, _PLUS_2, _MINUS_5]),
    ),
    st.decimals(min_value=Decimal("-1e19"), max_value=Decimal("1e19"), allow_nan=False),
)
def test_sqlite_rows_hold_the_text_django_writes_for_any_time_and_value(at, value):
    from headway.fields import _plain
    from headway.kpis.ingest import _sqlite_rows, stored_value

    rounded = stored_value(value)
    [(text, number, key, supersedes)] = _sqlite_rows([(at, rounded, "k", None)])
    # Django's SQLite backend: the naive UTC time's str(); ExactDecimalField: _plain().
    assert text == str(at.astimezone(dt.UTC).replace(tzinfo=None))
    assert (number, key, supersedes) == (_plain(rounded), "k", None)


@given(
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True),
        st.decimals(min_value=Decimal("-1e21"), max_value=Decimal("1e21")),
        st.integers(min_value=-(10**22), max_value=10**22).map(Decimal),
    )
)
def test_the_batch_refuses_exactly_the_values_a_decimal_column_cannot_store(value):
    from headway.fields import decimal_problem
    from headway.kpis.ingest import stored_value
    from headway.kpis.measurements import _batch

    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    problem = decimal_problem(value)
    if problem:
        with pytest.raises(ValidationError) as e:
            _batch([(at, value, None)])
        assert e.value.message_dict == {"0.value": [problem]}
    else:
        assert _batch([(at, value, None)]).rows == [(at, stored_value(value), None, None)]
