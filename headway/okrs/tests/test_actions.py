import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from headway.okrs.actions import CheckInEntry, record_checkins
from headway.okrs.models import CheckIn, Cycle, KeyResult, Objective
from headway.org.access import actor_for


@pytest.fixture
def okr(world):
    cycle = Cycle.objects.create(
        organization=world.acme,
        name="2026-Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
    )
    objective = Objective.objects.create(
        organization=world.acme,
        ref="traffic",
        cycle=cycle,
        team=world.growth,
        title="Traffic",
        owner=world.bob,
    )

    def kr(ref, **fields):
        return KeyResult.objects.create(
            organization=world.acme, objective=objective, ref=ref, title=ref.title(), **fields
        )

    return {
        "objective": objective,
        "posts": kr("posts", start=Decimal(0), target=Decimal(30)),
        "theme": kr("theme", type=KeyResult.Type.MILESTONE),
    }


def test_it_records_every_line_at_once(world, okr):
    at = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    rows = record_checkins(
        actor_for(world.bob, world.acme),
        [
            CheckInEntry(okr["posts"].pk, value=Decimal("9.5"), confidence=6, note=" On plan "),
            CheckInEntry(okr["theme"].pk, done=True, confidence=8),
        ],
        at=at,
    )
    assert len(rows) == 2
    posts = CheckIn.objects.get(key_result=okr["posts"])
    assert (posts.value, posts.confidence, posts.note, posts.author, posts.at) == (
        Decimal("9.5"),
        6,
        "On plan",
        world.bob,
        at,
    )
    assert CheckIn.objects.get(key_result=okr["theme"]).done is True


def test_it_writes_nothing_when_one_line_is_wrong(world, okr):
    with pytest.raises(ValidationError) as e:
        record_checkins(
            actor_for(world.bob, world.acme),
            [
                CheckInEntry(okr["posts"].pk, value=Decimal(3)),
                CheckInEntry(okr["theme"].pk, value=Decimal(1), confidence=11),
            ],
        )
    assert e.value.message_dict == {
        "1.done": ["say whether the milestone is done"],
        "1.value": ["a milestone takes done, not a value"],
        "1.confidence": ["confidence is a whole number from 0 to 10"],
    }
    assert CheckIn.objects.count() == 0


def test_it_hides_other_organizations_key_results(world, okr):
    with pytest.raises(ValidationError) as e:
        record_checkins(
            actor_for(world.charlie, world.globex),
            [CheckInEntry(okr["posts"].pk, value=Decimal(1))],
        )
    assert e.value.message_dict == {"0.key_result": [f"no key result with id {okr['posts'].pk}"]}


def test_it_refuses_people_outside_the_team(world, okr):
    from headway.org.models import Membership, Team, User

    sales = Team.objects.create(organization=world.acme, name="Sales", parent=world.company)
    frank = User.objects.create_user("frank@acme.test", "pw")
    Membership.objects.create(organization=world.acme, user=frank).teams.add(
        sales, through_defaults={"organization": world.acme}
    )
    with pytest.raises(PermissionDenied, match="Posts"):
        record_checkins(
            actor_for(frank, world.acme), [CheckInEntry(okr["posts"].pk, value=Decimal(1))]
        )
    assert CheckIn.objects.count() == 0


def test_check_objective_writes_nothing_and_a_loop_names_no_private_objective(world, okr):
    from headway.okrs.actions import check_objective, update_objective
    from headway.okrs.models import Alignment
    from headway.org.models import Team

    traffic = okr["objective"]
    finance = Team.objects.create(organization=world.acme, name="Finance", parent=world.company)
    secret = Objective.objects.create(
        organization=world.acme,
        ref="secret-merger",
        cycle=traffic.cycle,
        team=finance,
        title="Secret merger",
        private=True,
    )
    Alignment.objects.create(organization=world.acme, child=secret, parent=traffic)
    company = Objective.objects.create(
        organization=world.acme, ref="win", cycle=traffic.cycle, team=world.company, title="Win"
    )
    Alignment.objects.create(organization=world.acme, child=company, parent=secret)
    bob = actor_for(world.bob, world.acme)  # sees traffic and win, not the secret
    traffic.level = Objective.Level.PERSONAL  # his own, so he may plan it
    traffic.save()
    with pytest.raises(ValidationError) as caught:
        check_objective(bob, traffic, parents=[(Objective.objects.get(ref="win"), Decimal(1))])
    (error,) = caught.value.error_dict["parents"]
    assert error.params is not None
    assert error.params["index"] == 0  # the parent that closes the loop
    message = caught.value.message_dict["parents"][0]
    assert "a private objective" in message
    assert "secret-merger" not in message
    alice = actor_for(world.alice, world.acme)  # an admin sees every objective
    with pytest.raises(ValidationError, match="secret-merger"):
        update_objective(alice, traffic, parents=[(company, Decimal(1))])
    assert not Alignment.objects.filter(child=traffic).exists()
    with pytest.raises(PermissionDenied, match="team objectives of Acme: its leads and admins"):
        check_objective(bob, company)
