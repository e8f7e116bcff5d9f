"""`headway checkin KR_REF [VALUE] [--confidence N] [--note TEXT] [--done]`.

Works on the local database (as the operator, with --organization when there are several),
or against a running server when HEADWAY_URL and HEADWAY_TOKEN are set.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.api import client
from headway.api.management.commands._local import find_organization
from headway.audit import Surface, acting
from headway.okrs.actions import CheckInEntry, record_checkins
from headway.okrs.models import CheckIn, KeyResult
from headway.org.access import system_actor


def parse_value(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"VALUE {text!r} is not a number") from None
    if not value.is_finite():
        raise CommandError(f"VALUE {text!r} is not a finite number")
    return value


class Command(BaseCommand):
    help = "Check in on a key result: its new value (or --done), confidence and a note."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key_result", metavar="KR_REF", help="the key result's ref")
        parser.add_argument("value", metavar="VALUE", nargs="?", help="the new value")
        parser.add_argument("--confidence", type=int, help="0 to 10")
        parser.add_argument("--note", default="", help="what happened")
        parser.add_argument("--done", action="store_true", help="a milestone is done")
        parser.add_argument("--organization", help="local mode: organization name")

    def handle(self, *args: Any, **options: Any) -> None:
        value = parse_value(options["value"])
        done = True if options["done"] else None
        if client.remote() is not None:
            body: dict[str, Any] = {"note": options["note"]}
            if value is not None:
                body["value"] = str(value)  # a string keeps every digit
            if done is not None:
                body["done"] = done
            if options["confidence"] is not None:
                body["confidence"] = options["confidence"]
            ref = client.path_part(options["key_result"])
            result = client.call("POST", f"key-results/{ref}/checkins", json=body)
            self.stdout.write(f"checked in on {result['key_result']} (id {result['id']})")
            return
        organization = find_organization(options["organization"])
        kr = KeyResult.objects.filter(organization=organization, ref=options["key_result"]).first()
        if kr is None:
            raise CommandError(f"no key result {options['key_result']!r} in {organization}")
        entry = CheckInEntry(
            kr.pk, value=value, done=done, confidence=options["confidence"], note=options["note"]
        )
        try:
            with acting(None, Surface.CLI):
                (row,) = record_checkins(
                    system_actor(organization), [entry], source=CheckIn.Source.CLI
                )
        except ValidationError as e:
            raise CommandError(
                "; ".join(
                    f"{k.removeprefix('0.')}: {' '.join(v)}" for k, v in e.message_dict.items()
                )
            ) from None
        except PermissionDenied as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"checked in on {kr.ref} (id {row.pk})")
