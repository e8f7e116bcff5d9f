"""`headway import FILE`: load an OKR file (YAML or JSON; `-` reads standard input)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from headway.audit.context import Surface, acting
from headway.okrfiles.errors import OKRFileError
from headway.okrfiles.load import ImportSummary, import_file, import_text


class Command(BaseCommand):
    help = (
        "Import an OKR file (see docs/file-format.md): create or update the organization, "
        "its teams, people, cycles, KPIs and OKRs. All or nothing; importing the same file "
        "again changes nothing."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .yaml, .yml or .json file, or - for standard input")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would change, without writing anything",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        try:
            with acting(None, Surface.IMPORT):  # the audit history names the import
                if options["file"] == "-":
                    stdin = options.get("stdin") or sys.stdin
                    text = stdin.read()
                    summary: ImportSummary = import_text(text, "<stdin>", dry_run=dry_run)
                else:
                    summary = import_file(options["file"], dry_run=dry_run)
        except OKRFileError as e:
            for problem in e.errors:
                self.stderr.write(str(problem))
            count = len(e.errors)
            self.stderr.write(
                f"{count} problem{'s' if count != 1 else ''} found; nothing was imported."
            )
            raise SystemExit(1) from None
        for line in summary.lines():
            self.stdout.write(line)
