"""First run: a new organization, its teams, invitations by email."""

from __future__ import annotations

import pytest

from headway.org.models import Membership, Organization, Role, Team, User

pytestmark = pytest.mark.django_db


def test_it_signs_up_a_new_organization_with_its_company_team(client, world):
    response = client.post(
        "/signup/",
        {
            "your_name": "Dana Founder",
            "email": "dana@new.test",
            "password": "correct horse battery",
            "name": "Newco",
            "time_zone": "Europe/Paris",
        },
    )
    assert response.status_code == 302
    organization = Organization.objects.get(name="Newco")
    assert organization.time_zone == "Europe/Paris"
    assert Team.objects.get(organization=organization).parent is None
    membership = Membership.objects.get(organization=organization)
    assert (membership.user.email, membership.role) == ("dana@new.test", Role.ADMIN)
    assert "Getting started" in client.get("/team/").content.decode()


def test_it_keeps_the_signup_form_on_errors(client, world):
    response = client.post(
        "/signup/",
        {"your_name": "Dana", "email": "alice@acme.test", "password": "123", "name": "Acme"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "this email already has an account" in html
    assert 'value="Dana"' in html


def test_it_adds_a_team(client, world):
    client.force_login(world.alice)
    response = client.post("/team/teams/new/", {"name": "Sales", "parent": world.company.pk})
    assert response.status_code == 302
    assert Team.objects.get(name="Sales").parent == world.company
    response = client.post("/team/teams/new/", {"name": "sales", "parent": world.company.pk})
    assert response.status_code == 400
    assert "there is already a team" in response.content.decode()


def test_it_invites_by_email_with_a_link_that_sets_the_password(client, world, mailoutbox):
    client.force_login(world.alice)
    response = client.post(
        "/team/invite/",
        {"email": "erin@acme.test", "name": "Erin", "role": "member", "teams": [world.growth.pk]},
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/invitations/" in line)
    path = link.split("testserver", 1)[1]
    client.logout()
    assert "erin@acme.test" in client.get(path).content.decode()
    response = client.post(path, {"name": "Erin E", "password": "a very good password 7"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # signed in
    erin = User.objects.get(email="erin@acme.test")
    assert erin.name == "Erin E"
    assert erin.check_password("a very good password 7")
    assert client.get(path).status_code == 404  # the link works once


def test_it_lets_only_admins_invite(client, world, mailoutbox):
    client.force_login(world.bob)
    response = client.post("/team/invite/", {"email": "x@acme.test", "role": "member"})
    assert response.status_code == 403
    assert not mailoutbox
    assert "only organization admins" in response.content.decode()


def test_it_sends_a_new_person_without_organization_to_create_one(client, world):
    loner = User.objects.create_user("loner@x.test", "password")
    client.force_login(loner)
    response = client.get("/")
    assert response["Location"] == "/organizations/new/"
    response = client.post("/organizations/new/", {"name": "Loner Inc", "time_zone": "UTC"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
