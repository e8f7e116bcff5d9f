"""`headway checkin` / `measure` / remote report: locally and against a live server."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from headway.api.client import remote_report
from headway.audit.models import AuditEvent
from headway.kpis.models import Measurement
from headway.okrs.models import CheckIn


def test_it_checks_in_and_measures_locally_as_the_operator(api_world, capsys):
    call_command("checkin", "acme-signups", "33.5", confidence=6, note="cli", organization="Acme")
    row = CheckIn.objects.get(source="cli")
    assert (row.value, row.confidence, row.note) == (Decimal("33.5"), 6, "cli")
    call_command("checkin", "acme-launch", done=True, organization="Acme")
    assert CheckIn.objects.get(key_result__ref="acme-launch", source="cli").done is True
    call_command("measure", "acme-mrr", "99.95", at="2026-11-02", key="n2", organization="Acme")
    call_command("measure", "acme-mrr", "99.95", at="2026-11-02", key="n2", organization="Acme")
    assert Measurement.objects.filter(idempotency_key="n2").count() == 1
    assert "already recorded" in capsys.readouterr().out
    call_command("measure", "acme-mrr", "99.97", at="2026-11-02", key="n2", organization="Acme")
    assert "acme-mrr: corrected" in capsys.readouterr().out
    assert AuditEvent.objects.filter(surface="cli", object_type="checkin").count() == 2
    with pytest.raises(CommandError, match="value"):
        call_command("checkin", "acme-launch", "3", organization="Acme")
    with pytest.raises(CommandError, match="no key result"):
        call_command("checkin", "globex-signups", "3", organization="Acme")


def test_it_talks_to_a_running_server_with_a_token(api_world, live_server, monkeypatch, capsys):
    monkeypatch.setenv("HEADWAY_URL", live_server.url)
    monkeypatch.setenv("HEADWAY_TOKEN", api_world.bob.token)
    call_command("checkin", "acme-signups", "41.25", confidence=8, note="from CI")
    row = CheckIn.objects.get(source="api", note="from CI")
    assert (row.value, row.author) == (Decimal("41.25"), api_world.world.bob)
    call_command("measure", "acme-mrr", "1234.5", at="2026-11-03", key="ci-1")
    call_command("measure", "acme-mrr", "1234.5", at="2026-11-03", key="ci-1")
    assert Measurement.objects.filter(idempotency_key="ci-1", value=Decimal("1234.5")).count() == 1
    capsys.readouterr()
    call_command("measure", "acme-mrr", "1234.75", at="2026-11-03", key="ci-1")
    assert "acme-mrr: corrected" in capsys.readouterr().out
    report = remote_report("2026-Q4", "2026-11-15")
    assert report["cycle"]["name"] == "2026-Q4"
    assert "acme-grow" in [o["ref"] for o in report["objectives"]]
    capsys.readouterr()
    call_command("report", cycle="2026-Q4", as_of="2026-11-15", format="json")
    assert json.loads(capsys.readouterr().out) == report
    with pytest.raises(CommandError, match="value"):
        call_command("checkin", "acme-launch", "3")
    monkeypatch.setenv("HEADWAY_TOKEN", "hw_wrong")
    with pytest.raises(CommandError, match="401"):
        call_command("checkin", "acme-signups", "1")
