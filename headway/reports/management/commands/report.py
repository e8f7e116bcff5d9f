"""`headway report --cycle C`: a cycle's objectives, key results and KPIs with their numbers."""

from __future__ import annotations

import json
import os
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.okrs.models import Cycle
from headway.org.models import Organization
from headway.reports.build import ReportError, build_report
from headway.reports.table import render_table


class Command(BaseCommand):
    help = "Print a cycle's report (objectives, key results, KPIs) as a table or as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", required=True, help="cycle name, like 2026-Q4")
        parser.add_argument(
            "--as-of",
            help="show the report as it was at the end of this day, YYYY-MM-DD "
            "(default: today in the organization's time zone)",
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")
        parser.add_argument(
            "--organization", help="organization name (optional when there is only one)"
        )
        parser.add_argument(
            "--color",
            choices=("auto", "always", "never"),
            default="auto",
            help="colour the table: auto (default) colours a terminal unless NO_COLOR is set",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # API helper: with HEADWAY_URL (and HEADWAY_TOKEN) set, ask a running server instead.
        from headway.api import client

        if client.remote() is not None:
            if options["as_of"]:
                parse_day(options["as_of"])  # the same message for a bad date
            report = client.remote_report(options["cycle"], options["as_of"])
        else:
            organization = find_organization(options["organization"])
            cycle = find_cycle(organization, options["cycle"])
            as_of = parse_day(options["as_of"]) if options["as_of"] else None
            try:
                report = build_report(organization, cycle, as_of)
            except ReportError as e:
                raise CommandError(str(e)) from e
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(render_table(report, color=self.use_color(options["color"])), ending="")

    def use_color(self, choice: str) -> bool:
        if choice == "always":
            return True
        if choice == "never" or os.environ.get("NO_COLOR"):
            return False
        return self.stdout.isatty()


def find_organization(name: str | None) -> Organization:
    if name is not None:
        try:
            return Organization.objects.get(name=name)
        except Organization.DoesNotExist:
            raise CommandError(f"unknown organization {name!r}") from None
    organizations = list(Organization.objects.all()[:11])
    if not organizations:
        raise CommandError("there is no organization yet")
    if len(organizations) > 1:
        names = ", ".join(o.name for o in organizations[:10])
        more = ", …" if len(organizations) > 10 else ""
        raise CommandError(
            f"there are several organizations; choose one with --organization ({names}{more})"
        )
    return organizations[0]


def find_cycle(organization: Organization, name: str) -> Cycle:
    try:
        return Cycle.objects.get(organization=organization, name=name)
    except Cycle.DoesNotExist:
        known = ", ".join(
            Cycle.objects.filter(organization=organization).values_list("name", flat=True)[:20]
        )
        raise CommandError(
            f"unknown cycle {name!r} in {organization.name}"
            + (f" (known: {known})" if known else " (it has no cycles yet)")
        ) from None


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"bad --as-of date {text!r}: use YYYY-MM-DD") from None
