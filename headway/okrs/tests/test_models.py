import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective

UTC = dt.UTC


@pytest.fixture
def kr(world):
    cycle = Cycle.objects.create(
        organization=world.acme,
        name="2026-Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
    )
    objective = Objective.objects.create(
        organization=world.acme, ref="traffic", cycle=cycle, team=world.growth, title="Traffic"
    )
    return KeyResult.objects.create(
        organization=world.acme,
        objective=objective,
        ref="posts",
        title="Posts",
        start=Decimal(0),
        target=Decimal(30),
    )


def test_it_keeps_check_ins_append_only(kr, world):
    checkin = CheckIn.objects.create(
        organization=world.acme,
        key_result=kr,
        value=Decimal(9),
        at=dt.datetime(2026, 10, 31, tzinfo=UTC),
    )
    checkin.value = Decimal(10)
    with pytest.raises(ValueError, match="append-only"):
        checkin.save()
    checkin.refresh_from_db()
    assert checkin.value == Decimal(9)


def test_it_rejects_a_confidence_above_ten(kr, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(
            organization=world.acme, key_result=kr, value=1, confidence=11, at=dt.datetime.now(UTC)
        )


def test_it_explains_a_target_equal_to_start(kr):
    kr.target = kr.start
    with pytest.raises(ValidationError) as e:
        kr.full_clean()
    assert "target" in e.value.message_dict
    assert "threshold" in " ".join(e.value.message_dict["target"])


def test_it_needs_a_reason_for_a_score_override(kr):
    kr.score_override = Decimal("0.5")
    with pytest.raises(ValidationError) as e:
        kr.full_clean()
    assert "score_reason" in e.value.message_dict
    kr.score_reason = "Partner delay outside our control"
    kr.full_clean()


def test_it_rejects_a_cycle_that_ends_before_it_starts(world):
    cycle = Cycle(
        organization=world.acme, name="Bad", start=dt.date(2026, 10, 1), end=dt.date(2026, 9, 1)
    )
    with pytest.raises(ValidationError) as e:
        cycle.full_clean()
    assert "end" in e.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        cycle.save()


def test_it_rejects_aligning_an_objective_to_itself(kr, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Alignment.objects.create(organization=world.acme, child=kr.objective, parent=kr.objective)
