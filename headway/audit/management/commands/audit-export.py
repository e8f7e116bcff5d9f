"""`headway audit-export --organization Acme [--format csv|json] [--output FILE]`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.audit.export import export_csv, export_json
from headway.audit.models import AuditEvent
from headway.org.models import Organization


class Command(BaseCommand):
    help = "Export an organization's audit log (who changed what, when, through which surface)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help="organization name")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")
        parser.add_argument("--output", help="write to this file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(name=options["organization"]).first()
        if organization is None:
            raise CommandError(f"unknown organization {options['organization']!r}")
        events = AuditEvent.objects.filter(organization=organization)
        text = export_csv(events) if options["format"] == "csv" else export_json(events)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
