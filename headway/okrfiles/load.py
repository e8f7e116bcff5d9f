"""Importing an OKR file: read, check everything, then write everything, in one transaction.

Any problem (in the file, or between the file and the database) stops the import before
anything is written, and every problem found is reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from headway.okrfiles.document import Document
from headway.okrfiles.errors import Loc, OKRFileError, Problem, Problems
from headway.okrfiles.parse import parse_node
from headway.okrfiles.resolve import resolve
from headway.okrfiles.source import Node, read_data, read_text
from headway.okrfiles.summary import KINDS, Counts, ImportSummary
from headway.okrfiles.write import write

__all__ = [
    "KINDS",
    "Counts",
    "ImportSummary",
    "import_data",
    "import_document",
    "import_file",
    "import_text",
]


def import_text(text: str, filename: str = "<text>", *, dry_run: bool = False) -> ImportSummary:
    """Import YAML or JSON text (JSON when ``filename`` ends in .json or the text is JSON)."""
    problems = Problems(filename)
    return _import_node(read_text(text, filename, problems), problems, dry_run)


def import_file(path: str | Path, *, dry_run: bool = False) -> ImportSummary:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise OKRFileError([Problem(str(path), None, "", f"cannot read the file: {e}")]) from e
    return import_text(text, str(path), dry_run=dry_run)


def import_data(
    data: Mapping[str, Any], filename: str = "<data>", *, dry_run: bool = False
) -> ImportSummary:
    """Import already-parsed data: values may be dict, list, str, int, float, Decimal, bool,
    date, datetime or None (floats are read through str, so 0.1 stays 0.1)."""
    problems = Problems(filename)
    return _import_node(read_data(data, problems), problems, dry_run)


def import_document(doc: Document, *, filename: str, dry_run: bool = False) -> ImportSummary:
    return _run(doc, Problems(filename), dry_run)


def _import_node(root: Node | None, problems: Problems, dry_run: bool) -> ImportSummary:
    doc = None if root is None else parse_node(root, problems)
    if doc is None:
        if not problems:
            problems.add(Loc(None, ""), "nothing to import")
        raise OKRFileError(problems.items)
    return _run(doc, problems, dry_run)


def _run(doc: Document, problems: Problems, dry_run: bool) -> ImportSummary:
    summary = ImportSummary(doc.organization, problems.filename, dry_run)
    try:
        with transaction.atomic():
            plan = resolve(doc, problems)
            problems.raise_if_any()
            write(doc, plan, summary)
            if dry_run:
                transaction.set_rollback(True)
    except (DatabaseError, ValidationError) as e:
        message = f"the database refused the import, nothing was written: {e}"
        raise OKRFileError([Problem(problems.filename, None, "", message)]) from e
    return summary
