"""`headway import-measurements FILE`: load a CSV or XLSX file of measurements.

Runs as the server's operator (an admin of the organization). --dry-run prints what would
be written and every row error; without it, a clean file is written in one transaction
and a file with any error writes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from headway.feeds.files import Mapping, commit_import, plan_import
from headway.org.access import system_actor
from headway.org.models import Organization


class Command(BaseCommand):
    help = "Import measurements from a CSV or XLSX file (with a dry-run preview)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--kpi", default="", help="ref of the KPI every row belongs to")
        which.add_argument("--kpi-column", default="", help="column holding KPI refs")
        parser.add_argument("--time-column", default="time")
        parser.add_argument("--value-column", default="value")
        parser.add_argument("--key-column", default="", help="column of idempotency keys")
        parser.add_argument("--sheet", default="", help="XLSX sheet (default: the first)")
        parser.add_argument("--dry-run", action="store_true", help="check and preview only")
        parser.add_argument("--organization", default="", help="needed when there are several")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self._organization(options["organization"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(f"{path}: {e.strerror}") from None
        mapping = Mapping(
            time_column=options["time_column"],
            value_column=options["value_column"],
            kpi_ref=options["kpi"],
            kpi_column=options["kpi_column"],
            key_column=options["key_column"],
            sheet=options["sheet"],
        )
        actor = system_actor(organization)
        try:
            plan = plan_import(actor, path.name, data, mapping)
        except ValidationError as e:
            raise CommandError(_flat(e)) from None
        for error in plan.errors:
            self.stderr.write(f"row {error.row}, column {error.column or '-'}: {error.reason}")
        if plan.errors:
            raise CommandError(f"{len(plan.errors)} row error(s); nothing was written")
        count = sum(len(points) for points in plan.points.values())
        if options["dry_run"]:
            for number, ref, point in plan.rows[:20]:
                self.stdout.write(f"row {number}: {ref} {point.at.isoformat()} {point.value}")
            self.stdout.write(f"dry run: {count} measurement(s) would be recorded")
            return
        try:
            results = commit_import(actor, plan)
        except ValidationError as e:
            raise CommandError(_flat(e)) from None
        for ref, result in results.items():
            self.stdout.write(
                f"{ref}: {result.created} new, {result.corrected} corrected, "
                f"{result.duplicates} already recorded"
            )

    def _organization(self, name: str) -> Organization:
        if name:
            found = Organization.objects.filter(name=name).first()
            if found is None:
                raise CommandError(f"no organization {name!r}")
            return found
        organizations = list(Organization.objects.all()[:2])
        if len(organizations) != 1:
            raise CommandError("give --organization NAME (there is not exactly one)")
        return organizations[0]


def _flat(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)
