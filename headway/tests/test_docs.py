"""Docs that stay true: every setting and every command is documented (after Datasette)."""

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
HEADWAY = ROOT / "headway"


def _variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in HEADWAY.rglob("*.py"):
        if "tests" in path.parts:
            continue
        names |= set(re.findall(r"\b(HEADWAY_[A-Z_]+?)(?:_FILE)?\b", path.read_text()))
    return names


def test_it_documents_every_environment_variable():
    documented = set(
        re.findall(r"`(HEADWAY_[A-Z_]+)`", (ROOT / "docs/configuration.md").read_text())
    )
    variables = _variables_read_by_the_code()
    assert {"HEADWAY_DATA_DIR", "HEADWAY_SECRET_KEY"} <= variables  # the scan finds them
    assert variables - documented == set()


def test_it_documents_every_headway_command_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    ours = {name for name, app in get_commands().items() if app.startswith("headway.")}
    assert {"serve", "demo", "import", "export", "report"} <= ours
    assert {name for name in ours if f"`headway {name}" not in readme} == set()
