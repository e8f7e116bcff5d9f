"""A team's page: rename and move it, who is in it, delete it."""

from __future__ import annotations

import pytest

from headway.audit.models import AuditEvent
from headway.kpis.models import KPI
from headway.org.models import Membership, Role, Team, TeamMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(world):
    return Team.objects.create(organization=world.acme, name="Sales", parent=world.company)


def test_it_renames_and_moves_a_team(client, world, sales):
    client.force_login(world.alice)
    page = client.get(f"/team/teams/{world.growth.pk}/").content.decode()
    assert 'value="Growth"' in page
    response = client.post(
        f"/team/teams/{world.growth.pk}/",
        {"name": "Growth and Ads", "parent": sales.pk, "version": world.growth.version},
    )
    assert response.status_code == 302
    growth = Team.objects.get(pk=world.growth.pk)
    assert (growth.name, growth.parent) == ("Growth and Ads", sales)
    event = AuditEvent.objects.get(object_type="team", action="updated")
    assert event.changes["name"] == ["Growth", "Growth and Ads"]
    assert event.actor == world.alice


def test_it_keeps_what_was_typed_with_the_reason_it_was_refused(client, world, sales):
    client.force_login(world.alice)
    url = f"/team/teams/{world.growth.pk}/"
    response = client.post(url, {"name": "sales", "parent": world.company.pk, "version": 1})
    assert response.status_code == 400
    assert "there is already a team &#x27;sales&#x27;" in response.content.decode()
    # A team cannot move below itself: it is not even offered.
    below = Team.objects.create(organization=world.acme, name="Ads", parent=world.growth)
    response = client.post(url, {"name": "Growth", "parent": below.pk, "version": 1})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    # Someone saved in between: the edit is refused instead of overwriting theirs.
    Team.objects.filter(pk=world.growth.pk).update(version=2)
    response = client.post(url, {"name": "Growth 2", "parent": world.company.pk, "version": 1})
    assert "Someone changed this team" in response.content.decode()
    assert Team.objects.get(pk=world.growth.pk).name == "Growth"


def test_it_adds_and_takes_people_out_of_a_team(client, world, sales):
    client.force_login(world.alice)
    response = client.post(f"/team/teams/{sales.pk}/members/", {"person": world.bob.pk})
    assert response.status_code == 302
    bob = Membership.objects.get(organization=world.acme, user=world.bob)
    assert set(bob.teams.all()) == {world.growth, sales}
    assert 'data-member="bob@acme.test"' in client.get(f"/team/teams/{sales.pk}/").content.decode()
    response = client.post(f"/team/teams/{sales.pk}/members/{world.bob.pk}/remove/")
    assert response.status_code == 302
    assert set(bob.teams.all()) == {world.growth}
    events = AuditEvent.objects.filter(object_type="team_membership", object_label="Sales")
    assert sorted(events.values_list("action", flat=True)) == ["created", "deleted"]
    # Adding someone twice is refused by the form (they are no longer offered).
    response = client.post(f"/team/teams/{world.growth.pk}/members/", {"person": world.bob.pk})
    assert response.status_code == 400


def test_it_deletes_an_empty_team_and_explains_what_stands_in_the_way(client, world, sales):
    KPI.objects.create(organization=world.acme, ref="deals", name="Deals", team=sales)
    KPI.objects.create(organization=world.acme, ref="leads", name="Leads", team=sales)
    emea = Team.objects.create(organization=world.acme, name="EMEA", parent=sales)
    client.force_login(world.alice)
    confirm = client.get(f"/team/teams/{sales.pk}/delete/").content.decode()
    assert "still has 1 team below it, 2 KPIs." in confirm
    assert 'class="danger"' not in confirm
    response = client.post(f"/team/teams/{sales.pk}/delete/", follow=True)
    assert "move them first" in response.content.decode()
    assert Team.objects.filter(pk=sales.pk).exists()

    KPI.objects.filter(ref__in=["deals", "leads"]).delete()
    emea.delete()
    confirm = client.get(f"/team/teams/{sales.pk}/delete/").content.decode()
    assert "Nobody is in the team." in confirm
    response = client.post(f"/team/teams/{sales.pk}/delete/")
    assert response["Location"] == "/team/"
    assert not Team.objects.filter(pk=sales.pk).exists()
    assert AuditEvent.objects.filter(object_type="team", action="deleted").exists()
    company = client.get(f"/team/teams/{world.company.pk}/delete/").content.decode()
    assert "cannot be deleted" in company


def test_it_lets_a_lead_rename_their_team_but_not_change_who_is_in_it(client, world, sales):
    bob = Membership.objects.get(organization=world.acme, user=world.bob)
    bob.role = Role.LEAD
    bob.save()
    client.force_login(world.bob)
    url = f"/team/teams/{world.growth.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Growth!", "parent": world.company.pk, "version": 1})
    assert response.status_code == 302
    assert Team.objects.get(pk=world.growth.pk).name == "Growth!"
    # He may keep it where it is, but not move it below a team he does not lead.
    response = client.post(url, {"name": "Growth!", "parent": sales.pk, "version": 2})
    assert response.status_code == 400
    assert Team.objects.get(pk=world.growth.pk).parent == world.company
    assert client.get(f"/team/teams/{sales.pk}/").status_code == 403
    response = client.post(f"/team/teams/{world.growth.pk}/members/", {"person": world.alice.pk})
    assert response.status_code == 403
    assert client.get(f"/team/teams/{world.growth.pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/team/teams/{team}/"),
        ("post", "/team/teams/{team}/"),
        ("post", "/team/teams/{team}/members/"),
        ("post", "/team/teams/{team}/members/{bob}/remove/"),
        ("get", "/team/teams/{team}/delete/"),
        ("post", "/team/teams/{team}/delete/"),
    ],
)
def test_it_refuses_members_and_hides_teams_from_other_organizations(client, world, method, path):
    url = path.format(team=world.growth.pk, bob=world.bob.pk)
    data = {"name": "Mine", "parent": world.company.pk, "person": world.alice.pk}
    client.force_login(world.bob)
    assert getattr(client, method)(url, data).status_code == 403
    client.force_login(world.charlie)
    assert getattr(client, method)(url, data).status_code == 404
    assert Team.objects.get(pk=world.growth.pk).name == "Growth"
    assert TeamMembership.objects.filter(team=world.growth).count() == 1
