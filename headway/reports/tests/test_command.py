"""`headway report` (management command)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from headway.conftest import World
from headway.org.models import Organization, Team
from headway.reports.build import build_report
from headway.reports.tests import factories as f
from headway.reports.tests.conftest import Q4


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*args: str, stdout: io.StringIO | None = None) -> str:
    out = stdout or io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_report_as_json(acme_q4: Q4) -> None:
    text = run(
        "--organization", "Acme", "--cycle", "2026-Q4", "--as-of", "2026-11-15", "--format", "json"
    )
    expected = build_report(acme_q4.world.acme, acme_q4.q4, date(2026, 11, 15))
    assert json.loads(text) == expected
    assert text.startswith('{\n  "organization": "Acme",')


def test_it_prints_a_table(acme_q4: Q4) -> None:
    text = run("--organization", "Acme", "--cycle", "2026-Q4", "--as-of", "2026-11-15")
    assert text.startswith("Acme · 2026-Q4\n")
    assert "expected progress 49%" in text
    assert "\x1b[" not in text  # not a terminal


def test_it_colours_a_terminal_unless_no_color(
    acme_q4: Q4, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("--organization", "Acme", "--cycle", "2026-Q4", "--as-of", "2026-11-15")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[32m" in run(*args, stdout=FakeTTY())
    assert "\x1b[" not in run(*args, "--color", "never", stdout=FakeTTY())
    assert "\x1b[32m" in run(*args, "--color", "always")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(*args, stdout=FakeTTY())
    assert "\x1b[32m" in run(*args, "--color", "always", stdout=FakeTTY())


def test_it_needs_no_organization_when_there_is_one(db: None) -> None:
    solo = Organization.objects.create(name="Solo")
    f.objective(
        f.cycle(solo, "2026-Q4", "2026-10-01", "2026-12-31"),
        Team.objects.create(organization=solo, name="Solo"),
        "only",
    )
    text = run("--cycle", "2026-Q4", "--as-of", "2026-11-15", "--format", "json")
    assert json.loads(text)["organization"] == "Solo"
    assert [o["ref"] for o in json.loads(text)["objectives"]] == ["only"]


def test_it_asks_which_organization_when_there_are_several(acme_q4: Q4) -> None:
    with pytest.raises(CommandError, match=r"several organizations.*Acme, Globex"):
        run("--cycle", "2026-Q4")


def test_it_says_when_there_is_no_organization(db: None) -> None:
    with pytest.raises(CommandError, match="no organization"):
        run("--cycle", "2026-Q4")


def test_it_rejects_an_unknown_organization(acme_q4: Q4) -> None:
    with pytest.raises(CommandError, match="unknown organization 'Initech'"):
        run("--organization", "Initech", "--cycle", "2026-Q4")


def test_it_rejects_an_unknown_cycle(acme_q4: Q4) -> None:
    with pytest.raises(CommandError, match=r"unknown cycle '2031-Q1' in Acme \(known: .*2026-Q4"):
        run("--organization", "Acme", "--cycle", "2031-Q1")


def test_it_rejects_a_bad_date(acme_q4: Q4) -> None:
    with pytest.raises(CommandError, match="bad --as-of date '2026-13-01': use YYYY-MM-DD"):
        run("--organization", "Acme", "--cycle", "2026-Q4", "--as-of", "2026-13-01")


def test_it_exits_with_status_1_on_errors(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    from headway.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--organization", "Acme", "--cycle", "nope"])
    assert exit_info.value.code == 1
    assert "unknown cycle 'nope'" in capsys.readouterr().err
