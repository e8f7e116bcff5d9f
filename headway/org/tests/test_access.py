import datetime as dt

import pytest

from headway.okrs.models import Cycle, Objective
from headway.org import access
from headway.org.models import Membership, Role, Team, User


@pytest.fixture
def people(world):
    """Besides the world's alice (admin), bob (Growth member) and charlie (other org):
    erin leads Growth (and so Growth EU below it), dana is a viewer, frank is in Sales."""
    growth_eu = Team.objects.create(organization=world.acme, name="Growth EU", parent=world.growth)
    sales = Team.objects.create(organization=world.acme, name="Sales", parent=world.company)

    def member(email, role, *teams):
        user = User.objects.create_user(email, "pw")
        membership = Membership.objects.create(organization=world.acme, user=user, role=role)
        for team in teams:
            membership.teams.add(team, through_defaults={"organization": world.acme})
        return user

    erin = member("erin@acme.test", Role.LEAD, world.growth)
    dana = member("dana@acme.test", Role.VIEWER, world.growth)
    frank = member("frank@acme.test", Role.MEMBER, sales)
    return {"growth_eu": growth_eu, "sales": sales, "erin": erin, "dana": dana, "frank": frank}


def actor(world, user):
    return access.actor_for(user, world.acme)


def test_it_gives_outsiders_nothing(world):
    outsider = actor(world, world.charlie)
    assert not outsider.is_member
    assert not access.can_see_objective(
        outsider, private=False, team_id=world.growth.pk, owner_id=None
    )
    assert not access.can_plan(outsider, level="team", team_id=world.growth.pk, owner_id=None)
    anonymous = access.actor_for(None, world.acme)
    assert not anonymous.is_member


def test_it_lets_leads_plan_their_teams_and_the_teams_below(world, people):
    erin = actor(world, people["erin"])
    assert access.can_plan(erin, level="team", team_id=world.growth.pk, owner_id=None)
    assert access.can_plan(erin, level="team", team_id=people["growth_eu"].pk, owner_id=None)
    assert not access.can_plan(erin, level="team", team_id=people["sales"].pk, owner_id=None)
    assert not access.can_plan(erin, level="company", team_id=world.company.pk, owner_id=None)


def test_it_lets_members_plan_only_their_own_personal_objectives(world, people):
    bob = actor(world, world.bob)
    assert access.can_plan(bob, level="personal", team_id=world.growth.pk, owner_id=world.bob.pk)
    assert not access.can_plan(
        bob, level="personal", team_id=world.growth.pk, owner_id=people["erin"].pk
    )
    assert not access.can_plan(bob, level="team", team_id=world.growth.pk, owner_id=world.bob.pk)
    # A personal objective still sits in one of the owner's teams.
    assert not access.can_plan(
        bob, level="personal", team_id=people["sales"].pk, owner_id=world.bob.pk
    )


def test_it_lets_admins_do_everything(world, people):
    alice = actor(world, world.alice)
    assert access.can_plan(alice, level="company", team_id=world.company.pk, owner_id=None)
    assert access.can_check_in(
        alice, owner_id=None, objective_owner_id=None, team_id=people["sales"].pk
    )


def test_it_keeps_viewers_read_only(world, people):
    dana = actor(world, people["dana"])
    assert access.can_see_objective(dana, private=True, team_id=world.growth.pk, owner_id=None)
    assert not access.can_check_in(
        dana, owner_id=people["dana"].pk, objective_owner_id=None, team_id=world.growth.pk
    )
    assert not access.can_plan(
        dana, level="personal", team_id=world.growth.pk, owner_id=people["dana"].pk
    )
    assert not access.can_measure(dana, team_id=world.growth.pk, owner_id=None)


def test_it_lets_the_owner_and_the_team_check_in(world, people):
    frank = actor(world, people["frank"])
    bob = actor(world, world.bob)
    growth_kr = {"owner_id": None, "objective_owner_id": world.bob.pk, "team_id": world.growth.pk}
    assert access.can_check_in(bob, **growth_kr)
    assert not access.can_check_in(frank, **growth_kr)
    owned_by_frank = {**growth_kr, "owner_id": people["frank"].pk}
    assert access.can_check_in(frank, **owned_by_frank)


def test_it_hides_private_objectives_from_other_teams(world, people):
    cycle = Cycle.objects.create(
        organization=world.acme,
        name="2026-Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
    )

    def objective(ref, team, private, owner=None):
        return Objective.objects.create(
            organization=world.acme,
            ref=ref,
            cycle=cycle,
            team=team,
            title=ref,
            private=private,
            owner=owner,
        )

    objective("public", people["sales"], False)
    objective("growth-secret", world.growth, True)
    objective("franks-own", world.company, True, owner=people["frank"])

    def visible(user):
        q = access.visible_objectives(actor(world, user))
        return set(
            Objective.objects.filter(organization=world.acme)
            .filter(q)
            .values_list("ref", flat=True)
        )

    assert visible(world.alice) == {"public", "growth-secret", "franks-own"}
    assert visible(world.bob) == {"public", "growth-secret"}
    assert visible(people["frank"]) == {"public", "franks-own"}
    assert visible(world.charlie) == set()
