"""`headway export`: write an organization (or one cycle of it) as an OKR file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.okrfiles.dump import dump_json, dump_yaml, export_organization
from headway.okrs.models import Cycle
from headway.org.models import Organization


class Command(BaseCommand):
    help = (
        "Export an organization as an OKR file (see docs/file-format.md); "
        "`headway import` reads it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=("yaml", "json"),
            help="yaml (the default) or json; -o FILE.json implies json",
        )
        parser.add_argument(
            "--organization",
            help="the organization's name (needed when there is more than one)",
        )
        parser.add_argument(
            "--cycle",
            help="only this cycle's objectives (with every team, person and KPI)",
        )
        parser.add_argument("-o", "--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        org = _organization(options["organization"])
        cycle = None
        if options["cycle"]:
            cycle = Cycle.objects.filter(organization=org, name=options["cycle"]).first()
            if cycle is None:
                names = ", ".join(
                    Cycle.objects.filter(organization=org).values_list("name", flat=True)
                )
                raise CommandError(
                    f"{org.name} has no cycle named {options['cycle']!r}"
                    + (f"; its cycles: {names}" if names else "")
                )
        output: str | None = options["output"]
        fmt = options["format"] or (
            "json" if output and output.lower().endswith(".json") else "yaml"
        )
        data = export_organization(org, cycle)
        text = dump_json(data) if fmt == "json" else dump_yaml(data)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as e:
                raise CommandError(f"cannot write {output}: {e.strerror or e}") from e
        else:
            self.stdout.write(text, ending="")


def _organization(name: str | None) -> Organization:
    if name is not None:
        org = Organization.objects.filter(name=name).first()
        if org is None:
            raise CommandError(f"no organization named {name!r}")
        return org
    names = list(Organization.objects.values_list("name", flat=True)[:11])
    if not names:
        raise CommandError("there is no organization to export")
    if len(names) > 1:
        listed = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise CommandError(
            f"there are several organizations ({listed}); choose one with --organization NAME"
        )
    return Organization.objects.get(name=names[0])
