"""`headway import` and `headway export`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from headway.audit.models import AuditEvent
from headway.okrfiles.tests.helpers import EXAMPLE, SMALL, snapshot
from headway.okrs.models import Cycle, Objective
from headway.org.models import Organization


def _run(*args: str, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra: dict[str, Any] = {} if stdin is None else {"stdin": io.StringIO(stdin)}
    call_command(*args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_imports_a_file(world, tmp_path):
    path = tmp_path / "okrs.yaml"
    path.write_text(EXAMPLE)
    out, err = _run("import", str(path))
    assert out.splitlines()[0] == f"Imported {path} into Acme"
    assert "  objectives: 2 created, 0 updated, 0 unchanged" in out.splitlines()
    assert err == ""
    out, _ = _run("import", str(path))
    assert "  objectives: 0 created, 0 updated, 2 unchanged" in out.splitlines()


@pytest.mark.django_db
def test_it_imports_from_stdin(world):
    out, _ = _run("import", "-", stdin=SMALL)
    assert out.startswith("Imported <stdin> into Acme")
    assert Objective.objects.filter(organization=world.acme, ref="traffic").exists()


@pytest.mark.django_db
def test_it_dry_runs(world, tmp_path):
    path = tmp_path / "okrs.yaml"
    path.write_text(EXAMPLE)
    before = snapshot()
    out, _ = _run("import", "--dry-run", str(path))
    assert "dry run: nothing was written" in out.splitlines()[0]
    assert "  key results: 4 created, 0 updated, 0 unchanged" in out.splitlines()
    assert snapshot() == before


@pytest.mark.django_db
def test_it_prints_every_error_and_exits_with_1(world, tmp_path):
    path = tmp_path / "okrs.yaml"
    path.write_text(
        SMALL.replace("confidence: 6", "confidence: 11").replace("target: 30", "target: 0")
    )
    before = snapshot()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(path), stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().splitlines() == [
        f"{path}:25 objectives[0].key_results[0].target: target equals start; use a threshold "
        "key result for a value to hold",
        f"{path}:27 objectives[0].key_results[0].checkins[0].confidence: confidence must be a "
        "whole number from 0 to 10, got 11",
        "2 problems found; nothing was imported.",
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_it_reports_a_missing_file(db, tmp_path):
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import", str(tmp_path / "nope.yaml"), stderr=err)
    assert f"{tmp_path / 'nope.yaml'}: cannot read the file" in err.getvalue()


@pytest.mark.django_db
def test_it_exports_yaml_to_stdout_and_reads_it_back(db):
    _run("import", "-", stdin=EXAMPLE)
    out, _ = _run("export")
    data = yaml.safe_load(out)
    assert data["organization"] == "Acme"
    assert [o["ref"] for o in data["objectives"]] == ["traffic", "company-growth"]
    out2, _ = _run("import", "-", stdin=out)
    assert "created" in out2
    assert " 0 updated" in out2
    assert _run("export")[0] == out


@pytest.mark.django_db
def test_it_exports_json_to_a_file(db, tmp_path):
    _run("import", "-", stdin=EXAMPLE)
    path = tmp_path / "acme.json"
    _run("export", "-o", str(path))
    data = json.loads(path.read_text())
    assert data["kpis"][0]["measurements"] == [{"at": "2026-10-01", "value": 52000}]
    _run("export", "--format", "yaml", "-o", str(tmp_path / "acme.out"))
    assert (tmp_path / "acme.out").read_text().startswith("headway: 1\n")


@pytest.mark.django_db
def test_it_exports_one_cycle(world):
    _run("import", "-", stdin=EXAMPLE)
    Cycle.objects.create(
        organization=world.acme, name="2027-Q1", start="2027-01-01", end="2027-03-31"
    )
    out, _ = _run("export", "--organization", "Acme", "--cycle", "2026-Q4")
    data = yaml.safe_load(out)
    assert [c["name"] for c in data["cycles"]] == ["2026-Q4"]
    assert len(data["objectives"]) == 2
    out, _ = _run("export", "--organization", "Acme", "--cycle", "2027-Q1")
    assert "objectives" not in yaml.safe_load(out)
    with pytest.raises(CommandError, match="Acme has no cycle named '2025'"):
        _run("export", "--organization", "Acme", "--cycle", "2025")


@pytest.mark.django_db
def test_it_needs_the_organization_when_there_are_several(world):
    with pytest.raises(CommandError, match=r"several organizations .*--organization"):
        _run("export")
    with pytest.raises(CommandError, match="no organization named 'Initech'"):
        _run("export", "--organization", "Initech")
    out, _ = _run("export", "--organization", "Globex")
    assert "organization: Globex" in out


@pytest.mark.django_db
def test_it_says_when_there_is_nothing_to_export(db):
    assert not Organization.objects.exists()
    with pytest.raises(CommandError, match="no organization to export"):
        _run("export")


def test_it_exits_with_1_from_the_shell(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("organization: Acme\nteams: [\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HEADWAY_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "headway", "import", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(f"{path}:3: invalid YAML")
    assert result.stdout == ""


@pytest.mark.django_db
def test_it_records_the_import_in_the_history(world):
    first = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    _run("import", "-", stdin=SMALL)
    events = AuditEvent.objects.filter(organization=world.acme, id__gt=first)
    assert {e.surface for e in events} == {"import"}
    assert events.filter(object_type="checkin", action="created").count() == 1
    assert events.filter(object_type="objective", action="created").count() == 1
    count = events.count()
    _run("import", "-", stdin=SMALL)  # nothing changes, so nothing is recorded
    assert AuditEvent.objects.filter(organization=world.acme, id__gt=first).count() == count


@pytest.mark.django_db
def test_its_history_says_the_measurements_were_measurements(world, client):
    # The KPI's page listed "visitors created" twice: the KPI, then its measurements.
    with_points = SMALL.replace(
        "    target: 60000\n",
        "    target: 60000\n    measurements:\n"
        "      - {at: 2026-10-01, value: 5}\n      - {at: 2026-10-02, value: 6}\n",
        1,
    )
    _run("import", "-", stdin=with_points)
    event = AuditEvent.objects.get(organization=world.acme, object_type="measurement")
    assert event.object_label == "2 measurement(s) of visitors"
    client.force_login(world.alice)
    changes = client.get("/kpis/visitors/").content.decode().split('id="changes-heading"')[1]
    assert "2 measurement(s) of visitors created" in changes
