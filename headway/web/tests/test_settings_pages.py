"""Organization settings (admins): name, time zone and rules, with their validation messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from headway.audit.models import AuditEvent
from headway.org.models import Organization

pytestmark = pytest.mark.django_db

SETTINGS = {
    "name": "Acme Corp",
    "time_zone": "Europe/Lisbon",
    "on_track_max": "0.05",
    "at_risk_max": "0.2",
    "band_yellow_from": "0.3",
    "band_green_from": "0.6",
    "deteriorating_count": "4",
}


def test_it_saves_the_organizations_name_time_zone_and_rules(client, world):
    client.force_login(world.alice)
    page = client.get("/settings/").content.decode()
    assert 'name="on_track_max" value="0.1"' in page  # the current rules
    assert '<option value="UTC" selected>' in page
    response = client.post("/settings/", SETTINGS)
    assert response.status_code == 302
    acme = Organization.objects.get(pk=world.acme.pk)
    assert (acme.name, acme.time_zone, acme.deteriorating_count) == (
        "Acme Corp",
        "Europe/Lisbon",
        4,
    )
    assert (acme.on_track_max, acme.band_green_from) == (Decimal("0.05"), Decimal("0.6"))
    event = AuditEvent.objects.get(object_type="organization", action="updated")
    assert event.actor == world.alice
    assert event.changes["time_zone"] == ["UTC", "Europe/Lisbon"]
    assert "Europe/Lisbon" in client.get("/settings/").content.decode()  # its history


def test_it_puts_each_problem_next_to_its_field_and_keeps_the_rest(client, world):
    client.force_login(world.alice)
    bad = {**SETTINGS, "on_track_max": "0.3", "at_risk_max": "0.2", "band_green_from": "2"}
    response = client.post("/settings/", bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert "the at-risk limit must be at or above the on-track limit" in html
    assert "Ensure this value is less than or equal to 1" in html
    assert 'value="Acme Corp"' in html
    assert Organization.objects.get(pk=world.acme.pk).name == "Acme"
    taken = client.post("/settings/", {**SETTINGS, "name": "globex"})
    assert "the name &#x27;globex&#x27; is taken" in taken.content.decode()
    # Inline, as the form changes: only the messages come back (htmx swaps them in place).
    inline = client.post("/settings/", bad, headers={"HX-Request": "true"})
    assert 'id="id_at_risk_max_error"' in inline.content.decode()
    assert "at or above the on-track limit" in inline.content.decode()


def test_it_checks_the_rules_in_the_api_too(world):
    from django.core.exceptions import ValidationError

    from headway.org.access import actor_for
    from headway.org.actions import update_organization

    with pytest.raises(ValidationError) as refused:
        update_organization(
            actor_for(world.alice, world.acme), band_yellow_from=Decimal("0.8")
        )  # above green (0.7)
    assert "band_green_from" in refused.value.message_dict


def test_it_shows_every_admin_their_own_organization_only(client, world):
    client.force_login(world.bob)
    assert client.get("/settings/").status_code == 403
    assert client.post("/settings/", SETTINGS).status_code == 403
    client.force_login(world.charlie)
    html = client.get("/settings/").content.decode()
    assert 'value="Globex"' in html
    assert "Acme" not in html
    client.post("/settings/", {**SETTINGS, "name": "Globex Inc"})
    assert Organization.objects.get(pk=world.acme.pk).name == "Acme"
