"""docs/file-format.md describes every key the importer reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from headway.okrfiles import parse

DOC = (Path(__file__).resolve().parents[3] / "docs" / "file-format.md").read_text()

KEY_LISTS = [name for name in dir(parse) if name.endswith("_KEYS")]


@pytest.mark.parametrize("name", KEY_LISTS)
def test_it_documents_every_key(name):
    missing = [key for key in getattr(parse, name) if f"| `{key}`" not in DOC]
    assert not missing, f"{name}: {missing} missing from docs/file-format.md"


def test_it_documents_the_commands():
    for option in ("--dry-run", "--format json", "--cycle", "--organization", "-o ", "import -"):
        assert option in DOC
