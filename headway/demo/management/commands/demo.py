"""`headway demo`: create (or refresh) the "Northwind Demo" organization."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.demo.actions import DEFAULT_PASSWORD, demo_today, load_demo, sign_in_hint
from headway.demo.data import ORGANIZATION
from headway.okrfiles import OKRFileError
from headway.org.models import Organization


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-15") from None


class Command(BaseCommand):
    help = (
        f'Create the "{ORGANIZATION}" organization from classic OKR examples, with data up to '
        "today, and give its people a password. Running it again refreshes it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=_date,
            help="build the demo as of this date (default: today in the demo's time zone)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has an organization",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help="password for every demo person (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password: str = options["password"]
        if not password:
            raise CommandError("--password must not be empty")
        if options["if_empty"] and Organization.objects.exists():
            self.stdout.write("The database already has data; the demo was not added.")
            if Organization.objects.filter(name=ORGANIZATION).exists():
                self.stdout.write(
                    f"{sign_in_hint(None)} (demo password: {DEFAULT_PASSWORD}, unless changed)"
                )
            return
        today: date = options["today"] or demo_today()
        try:
            summary = load_demo(today, password)
        except OKRFileError as e:
            raise CommandError(f"the demo document was refused, nothing was written:\n{e}") from e
        if options["verbosity"] > 1:
            self.stdout.write("\n".join(summary.lines()))
        self.stdout.write(f'Demo organization "{ORGANIZATION}" is ready.')
        self.stdout.write(sign_in_hint(password))
