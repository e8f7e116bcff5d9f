"""Cycle pages: the list for everyone; open, edit and delete for admins, with clear messages."""

from __future__ import annotations

from datetime import date

import pytest

from headway.audit.models import AuditEvent
from headway.okrs.models import Cycle, Objective
from headway.web.tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycles(plan):
    """The plan's two quarters and an empty year containing the running one."""
    year = Cycle.objects.create(
        organization=plan.world.acme,
        name=f"{plan.q4.start.year}",
        start=date(plan.q4.start.year, 1, 1),
        end=date(plan.q4.start.year, 12, 31),
    )
    plan.q4.parent = year
    plan.q4.save()
    return plan, year


def test_it_lists_cycles_with_their_phase_and_visible_objectives(client, cycles):
    plan, _year = cycles
    client.force_login(plan.world.alice)
    alice = client.get("/objectives/cycles/").content.decode()
    assert f"{plan.q4.start:%Y-%m-%d} \u2013 {plan.q4.end:%Y-%m-%d}" in alice
    assert "<td>running, day" in alice
    assert "<td>over</td>" in alice
    assert f'href="/objectives/cycles/{plan.q4.pk}/edit/"' in alice
    client.force_login(plan.world.bob)
    bob = client.get("/objectives/cycles/").content.decode()
    assert "/edit/" not in bob  # members read the list only
    # alice sees the four objectives of the quarter, bob three: Finance's private one is
    # neither listed nor counted for him.
    assert _objectives_cell(alice, plan.q4.name) == "4"
    assert _objectives_cell(bob, plan.q4.name) == "3"


def _objectives_cell(html: str, name: str) -> str:
    import re

    row = re.search(rf'<tr data-cycle="{name}">(.*?)</tr>', html, re.S)
    assert row is not None
    match = re.search(r'<td class="num">(\d+)</td>', row.group(1))
    assert match is not None
    return match.group(1)


def test_it_edits_a_cycle_with_clear_messages(client, cycles):
    plan, _year = cycles
    client.force_login(plan.world.alice)
    url = f"/objectives/cycles/{plan.q3.pk}/edit/"
    page = client.get(url).content.decode()
    assert f'value="{plan.q3.name}"' in page
    form = {"name": plan.q3.name, "start": "2020-03-01", "end": "2020-02-01", "version": 1}
    response = client.post(url, form)
    assert response.status_code == 400
    assert "the end must be after the start (2020-03-01)" in response.content.decode()
    response = client.post(url, {**form, "end": "2020-05-31", "name": plan.q4.name})
    assert f"there is already a cycle &#x27;{plan.q4.name}&#x27;" in response.content.decode()
    # Inline, as the dates change.
    inline = client.post(url, form, headers={"HX-Request": "true"})
    assert "the end must be after the start" in inline.content.decode()

    response = client.post(url, {**form, "end": "2020-05-31", "name": "Spring 2020"})
    assert response.status_code == 302
    q3 = Cycle.objects.get(pk=plan.q3.pk)
    assert (q3.name, q3.start, q3.end, q3.version) == (
        "Spring 2020",
        date(2020, 3, 1),
        date(2020, 5, 31),
        2,
    )
    event = AuditEvent.objects.get(object_type="cycle", object_id=q3.pk, action="updated")
    assert event.changes["name"] == [plan.q3.name, "Spring 2020"]
    # An edit made from the old version is refused, not silently applied.
    response = client.post(url, {**form, "end": "2020-06-30", "name": "Late"})
    assert "Someone changed this cycle" in response.content.decode()


def test_it_refuses_a_cycle_inside_itself(client, cycles):
    plan, year = cycles
    client.force_login(plan.world.alice)
    response = client.post(
        f"/objectives/cycles/{year.pk}/edit/",
        {"name": year.name, "start": year.start, "end": year.end, "parent": plan.q4.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()  # not even offered
    from django.core.exceptions import ValidationError

    from headway.okrs.actions import update_cycle
    from headway.org.access import actor_for

    with pytest.raises(ValidationError, match="inside"):
        update_cycle(actor_for(plan.world.alice, plan.world.acme), year, parent=plan.q4)


def test_it_deletes_only_an_empty_cycle(client, cycles):
    plan, year = cycles
    client.force_login(plan.world.alice)
    confirm = client.get(f"/objectives/cycles/{plan.q4.pk}/delete/").content.decode()
    assert "still has 4 objectives" in confirm
    client.post(f"/objectives/cycles/{plan.q4.pk}/delete/")
    assert Cycle.objects.filter(pk=plan.q4.pk).exists()

    confirm = text(client.get(f"/objectives/cycles/{year.pk}/delete/").content.decode())
    assert f"{plan.q4.name} stays, no longer part of it" in confirm
    response = client.post(f"/objectives/cycles/{year.pk}/delete/")
    assert response["Location"] == "/objectives/cycles/"
    assert not Cycle.objects.filter(pk=year.pk).exists()
    assert Cycle.objects.get(pk=plan.q4.pk).parent is None
    recorded = AuditEvent.objects.filter(object_type="cycle")
    assert set(recorded.values_list("object_label", "action")) >= {
        (year.name, "deleted"),
        (plan.q4.name, "updated"),
    }


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["/objectives/cycles/{}/edit/", "/objectives/cycles/{}/delete/"])
def test_it_refuses_members_and_hides_cycles_from_other_organizations(client, cycles, method, path):
    plan, year = cycles
    url = path.format(year.pk)
    client.force_login(plan.world.bob)
    assert getattr(client, method)(url, {"name": "x"}).status_code == 403
    client.force_login(plan.world.charlie)
    assert getattr(client, method)(url, {"name": "x"}).status_code == 404
    assert client.get("/objectives/cycles/").content.decode().count("data-cycle=") == 0
    assert Cycle.objects.get(pk=year.pk).name == year.name
    assert Objective.objects.filter(cycle=plan.q4).count() == 4
