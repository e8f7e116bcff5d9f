"""People pages: the directory, a person's role and teams, removal, pending invitations.

alice (admin) manages people; bob (member) reads the directory only; charlie (Globex) finds
none of Acme's people at all.
"""

from __future__ import annotations

import pytest

from headway.audit.models import AuditEvent
from headway.okrs.models import Objective
from headway.org.access import actor_for
from headway.org.actions import invitation_token, invite_person
from headway.org.models import Membership, Role, Team
from headway.web.tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def erin(world):
    """Invited to Acme's Growth team, has not accepted yet."""
    return invite_person(
        actor_for(world.alice, world.acme),
        email="erin@acme.test",
        name="Erin Invited",
        teams=[world.growth],
    )


def _membership(world, user):
    return Membership.objects.get(organization=world.acme, user=user)


def test_it_shows_admins_last_sign_in_manage_links_and_pending_invitations(client, world, erin):
    client.force_login(world.bob)  # bob has signed in once
    client.force_login(world.alice)
    html = client.get("/team/").content.decode()
    assert "Last signed in" in html
    assert f'href="/team/people/{world.bob.pk}/"' in html
    assert 'data-invited="erin@acme.test"' in html
    assert f'action="/team/people/{erin.user_id}/resend/"' in html
    assert 'data-person="erin@acme.test"' not in html  # not among those who joined


def test_it_shows_members_the_directory_read_only(client, world, erin):
    client.force_login(world.bob)
    response = client.get("/team/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-person="alice@acme.test" data-role="admin"' in html
    assert "Last signed in" not in html
    assert "/team/people/" not in html
    assert "erin@acme.test" not in html  # invitations are the admins' business
    assert "Settings" not in html  # no settings menu in the frame either


def test_it_changes_a_role_and_teams_and_records_who_did_it(client, world):
    client.force_login(world.alice)
    page = client.get(f"/team/people/{world.bob.pk}/")
    assert page.status_code == 200
    assert "Role and teams" in page.content.decode()
    response = client.post(
        f"/team/people/{world.bob.pk}/", {"role": "lead", "teams": [world.company.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/team/"
    bob = _membership(world, world.bob)
    assert bob.role == Role.LEAD
    assert list(bob.teams.all()) == [world.company]
    events = AuditEvent.objects.filter(scope_type="membership", scope_id=bob.pk)
    assert {(e.object_type, e.action) for e in events} >= {
        ("membership", "updated"),
        ("team_membership", "created"),
        ("team_membership", "deleted"),
    }
    role_change = events.get(object_type="membership", action="updated")
    assert (role_change.actor, role_change.surface) == (world.alice, "web")
    assert role_change.changes == {"role": ["member", "lead"]}
    assert "role: member → lead" in client.get(f"/team/people/{world.bob.pk}/").content.decode()


def test_it_keeps_the_last_admin_with_a_clear_message(client, world):
    client.force_login(world.alice)
    url = f"/team/people/{world.alice.pk}/"
    response = client.post(url, {"role": "member"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "the only admin cannot step down: make someone else an admin first" in html
    assert _membership(world, world.alice).role == Role.ADMIN
    # The same message inline, as the role select changes (htmx, nothing saved).
    inline = client.post(url, {"role": "viewer"}, headers={"HX-Request": "true"})
    assert inline.status_code == 200
    assert "the only admin cannot step down" in inline.content.decode()
    assert "<html" not in inline.content.decode()
    assert _membership(world, world.alice).role == Role.ADMIN


def test_it_removes_a_person_after_saying_what_happens(client, world):
    Objective.objects.create(
        organization=world.acme,
        ref="bobs",
        cycle=_cycle(world),
        team=world.growth,
        owner=world.bob,
        title="Bob's",
    )
    client.force_login(world.alice)
    confirm = text(client.get(f"/team/people/{world.bob.pk}/remove/").content.decode())
    assert "Bob Member loses access to Acme" in confirm
    assert "They leave Growth." in confirm
    assert "stay the owner of 1 objective until" in confirm
    response = client.post(f"/team/people/{world.bob.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(organization=world.acme, user=world.bob).exists()
    event = AuditEvent.objects.get(object_type="membership", action="deleted")
    assert (event.actor, event.object_label) == (world.alice, "bob@acme.test")


def test_it_refuses_to_remove_the_last_admin(client, world):
    client.force_login(world.alice)
    url = f"/team/people/{world.alice.pk}/remove/"
    confirm = client.get(url).content.decode()
    assert "is the only admin of Acme" in confirm
    assert 'class="danger"' not in confirm  # no button to press
    response = client.post(url, follow=True)
    assert "is the only admin of Acme" in response.content.decode()
    assert _membership(world, world.alice).role == Role.ADMIN


def test_it_lets_an_admin_leave_once_there_is_another_admin(client, world):
    bob = _membership(world, world.bob)
    bob.role = Role.ADMIN
    bob.save()
    client.force_login(world.alice)
    response = client.post(f"/team/people/{world.alice.pk}/remove/")
    assert response["Location"] == "/"
    assert not Membership.objects.filter(organization=world.acme, user=world.alice).exists()


def test_it_sends_an_invitation_again_and_records_it(client, world, erin, mailoutbox):
    client.force_login(world.alice)
    response = client.post(f"/team/people/{erin.user_id}/resend/", follow=True)
    assert "Invitation sent again to erin@acme.test." in response.content.decode()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["erin@acme.test"]
    assert "/invitations/" in mailoutbox[0].body
    event = AuditEvent.objects.get(scope_type="membership", scope_id=erin.pk, action="updated")
    assert event.changes == {"invitation": [None, "sent again"]}
    # Someone who has joined has no invitation to send.
    response = client.post(f"/team/people/{world.bob.pk}/resend/", follow=True)
    assert "has already joined" in response.content.decode()
    assert len(mailoutbox) == 1


def test_it_revokes_an_invitation_so_its_link_stops_working(client, world, erin):
    uid, token = invitation_token(erin.user)
    link = f"/invitations/{uid}/{token}/"
    assert client.get(link).status_code == 200
    client.force_login(world.alice)
    response = client.post(f"/team/people/{erin.user_id}/revoke/", follow=True)
    assert "Invitation of erin@acme.test revoked." in response.content.decode()
    assert not Membership.objects.filter(user=erin.user).exists()
    assert client.get(link).status_code == 404
    # Someone who has joined is removed, not revoked.
    client.post(f"/team/people/{world.bob.pk}/revoke/")
    assert Membership.objects.filter(organization=world.acme, user=world.bob).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/team/people/{alice}/"),
        ("post", "/team/people/{alice}/"),
        ("get", "/team/people/{alice}/remove/"),
        ("post", "/team/people/{alice}/remove/"),
        ("post", "/team/people/{erin}/resend/"),
        ("post", "/team/people/{erin}/revoke/"),
    ],
)
def test_it_refuses_members_and_hides_people_from_other_organizations(
    client, world, erin, method, path, mailoutbox
):
    url = path.format(alice=world.alice.pk, erin=erin.user_id)
    client.force_login(world.bob)
    response = getattr(client, method)(url, {"role": "member"})
    assert response.status_code == 403
    assert "only organization admins" in response.content.decode()
    client.force_login(world.charlie)  # admin of Globex: Acme's people do not exist for him
    assert getattr(client, method)(url, {"role": "member"}).status_code == 404
    assert _membership(world, world.alice).role == Role.ADMIN
    assert Membership.objects.filter(pk=erin.pk).exists()
    assert not mailoutbox


def test_it_shows_the_settings_menu_to_admins(client, world):
    client.force_login(world.alice)
    html = client.get("/team/").content.decode()
    assert "<summary>Settings</summary>" in html
    for url in ("/settings/", "/objectives/cycles/"):
        assert f'href="{url}"' in html


def _cycle(world):
    from datetime import date

    from headway.okrs.models import Cycle

    return Cycle.objects.create(
        organization=world.acme, name="2026-Q4", start=date(2026, 10, 1), end=date(2026, 12, 31)
    )


def test_it_lists_teams_with_links_for_those_who_may_change_them(client, world):
    Team.objects.create(organization=world.acme, name="Sales", parent=world.company)
    client.force_login(world.alice)
    html = client.get("/team/").content.decode()
    assert f'href="/team/teams/{world.growth.pk}/"' in html
    client.force_login(world.bob)
    assert "/team/teams/" not in client.get("/team/").content.decode()
