import csv
import io
import json

from django.core.management import call_command

from headway.audit import acting, history_for
from headway.audit.models import AuditEvent
from headway.okrs.models import Objective


def test_it_records_who_changed_what_through_which_surface(api_world):
    alice = api_world.alice
    response = alice.patch("objectives/acme-grow", {"title": "Grow faster", "private": True})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(object_type="objective", action="updated").get()
    assert event.actor == api_world.world.alice
    assert event.surface == "api"
    assert event.changes == {"title": ["Grow", "Grow faster"], "private": [False, True]}
    assert event.object_label == "acme-grow"


def test_it_records_checkins_written_in_bulk_in_the_krs_history(api_world):
    api_world.bob.post("checkins", {"checkins": [{"key_result": "acme-signups", "value": "12.5"}]})
    kr_history = history_for(api_world.acme.kr).filter(actor=api_world.world.bob)
    created = [e for e in kr_history if e.object_type == "checkin"]
    assert len(created) == 1
    assert created[0].changes["value"] == [None, "12.5"]
    assert created[0].actor == api_world.world.bob


def test_it_serves_each_objects_history_in_the_api(api_world):
    alice = api_world.alice
    before = len(alice.get("key-results/acme-signups/history").json()["items"])
    alice.patch("key-results/acme-signups", {"target": "150"})
    alice.post("key-results/acme-signups/checkins", {"value": 20})
    history = alice.get("key-results/acme-signups/history").json()["items"][before:]
    assert [(e["object_type"], e["action"]) for e in history] == [
        ("key_result", "updated"),
        ("checkin", "created"),
    ]
    assert history[0]["changes"]["target"] == ["100", "150"]
    # another tenant's history is as invisible as the object itself
    assert api_world.charlie.get("key-results/acme-signups/history").status_code == 404


def test_it_records_deletions_and_memberships(api_world):
    alice = api_world.alice
    alice.delete("objectives/acme-secret")
    deleted = AuditEvent.objects.get(object_type="objective", action="deleted")
    assert deleted.changes["title"] == ["Secret plan", None]
    alice.patch(f"people/{api_world.world.bob.pk}", {"role": "lead", "team_ids": []})
    events = AuditEvent.objects.filter(scope_type="membership", action__in=["updated", "deleted"])
    types = set(events.values_list("object_type", flat=True))
    assert types == {"membership", "team_membership"}


def test_it_attributes_command_line_changes_to_the_cli(api_world):
    with acting(None, "cli"):
        Objective.objects.filter(ref="acme-grow").get().save()  # nothing changed: no event
        objective = Objective.objects.get(ref="acme-grow")
        objective.title = "From the shell"
        objective.save()
    event = AuditEvent.objects.get(object_type="objective", action="updated")
    assert (event.surface, event.actor, event.actor_label) == ("cli", None, "cli")


def test_it_exports_the_log_for_admins_only(api_world, tmp_path):
    api_world.alice.patch("objectives/acme-grow", {"title": "Exported"})
    response = api_world.alice.get("audit/export?format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert any(r["object_label"] == "acme-grow" and r["action"] == "updated" for r in rows)
    assert api_world.bob.get("audit/export").status_code == 403
    assert all("globex" not in r["object_label"] for r in rows)
    out = tmp_path / "audit.json"
    call_command("audit-export", organization="Acme", format="json", output=str(out))
    exported = json.loads(out.read_text())
    assert {e["object_label"] for e in exported} >= {"acme-grow"}
    assert all("globex" not in e["object_label"] for e in exported)


def test_it_records_ingested_measurements_in_the_kpis_history(api_world):
    sent = api_world.bob.post(
        "kpis/acme-mrr/measurements",
        {
            "points": [
                {"at": "2026-11-02", "value": "7.5", "key": "a"},
                {"at": "2026-11-03", "value": 8},
            ]
        },
    )
    assert sent.status_code == 201
    events = history_for(api_world.acme.kpi).filter(
        object_type="measurement", actor=api_world.world.bob
    )
    (event,) = events
    assert event.changes["created"] == [None, 2]
    assert event.surface == "api"
