"""`headway measure KPI_REF VALUE [--at DATE|TIME] [--key K]`.

Works on the local database (as the operator, with --organization when there are several),
or against a running server when HEADWAY_URL and HEADWAY_TOKEN are set. With --key a retried
call never records the value twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from headway.api import client
from headway.api.management.commands._local import find_organization
from headway.api.management.commands.checkin import parse_value
from headway.audit import Surface, acting
from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import KPI, Measurement
from headway.org.access import system_actor


def parse_at(text: str | None) -> dt.date | dt.datetime | None:
    if text is None:
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at {text!r}: use YYYY-MM-DD or 2026-11-02T09:00:00+00:00") from None
    if moment.tzinfo is None:
        raise CommandError(f"--at {text!r}: give a time zone, like +00:00")
    return moment


class Command(BaseCommand):
    help = "Record a KPI measurement (now, or --at a day or time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kpi", metavar="KPI_REF", help="the KPI's ref")
        parser.add_argument("value", metavar="VALUE", help="the measured value")
        parser.add_argument("--at", help="YYYY-MM-DD or an ISO time with its zone (default: now)")
        parser.add_argument("--key", help="idempotency key: a retry with it is not recorded twice")
        parser.add_argument("--organization", help="local mode: organization name")

    def handle(self, *args: Any, **options: Any) -> None:
        value = parse_value(options["value"])
        assert value is not None
        at = parse_at(options["at"]) or timezone.now()
        if client.remote() is not None:
            point: dict[str, Any] = {"at": at.isoformat(), "value": str(value)}
            if options["key"]:
                point["key"] = options["key"]
            ref = client.path_part(options["kpi"])
            result = client.call("POST", f"kpis/{ref}/measurements", json={"points": [point]})
            self._report(
                options["kpi"], result["created"], result["duplicates"], result["corrected"]
            )
            return
        organization = find_organization(options["organization"])
        kpi = KPI.objects.filter(organization=organization, ref=options["kpi"]).first()
        if kpi is None:
            raise CommandError(f"no KPI {options['kpi']!r} in {organization}")
        if not isinstance(at, dt.datetime):
            at = dt.datetime.combine(at, dt.time(12), tzinfo=organization.tz)
        try:
            with acting(None, Surface.CLI):
                result = record_measurements(
                    system_actor(organization),
                    kpi,
                    [MeasurementInput(at=at, value=value, key=options["key"])],
                    source=Measurement.Source.CLI,
                )
        except ValidationError as e:
            raise CommandError(
                "; ".join(
                    f"{k.removeprefix('0.')}: {' '.join(v)}" for k, v in e.message_dict.items()
                )
            ) from None
        except PermissionDenied as e:
            raise CommandError(str(e)) from None
        self._report(kpi.ref, result.created, result.duplicates, result.corrected)

    def _report(self, ref: str, created: int, duplicates: int, corrected: int) -> None:
        if corrected:
            self.stdout.write(
                f"{ref}: corrected (same key, new value; the old one stays in history)"
            )
        elif duplicates and not created:
            self.stdout.write(f"{ref}: already recorded (same key), nothing changed")
        else:
            self.stdout.write(f"{ref}: recorded")
