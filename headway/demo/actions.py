"""Loading the demo organization into the database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from headway.demo.data import ADMIN_EMAIL, TIME_ZONE, build_demo
from headway.okrfiles import ImportSummary, import_data
from headway.org.models import User

DEFAULT_PASSWORD = "headway-demo"  # noqa: S105 (the demo's published password)
SIGN_IN_URL = "http://127.0.0.1:8000/"


def demo_today() -> date:
    """Today in the demo organization's time zone."""
    return datetime.now(ZoneInfo(TIME_ZONE)).date()


def set_demo_passwords(data: Mapping[str, Any], password: str) -> None:
    """Give every person of ``data`` ``password``; admins also get the Django admin."""
    # One hash for everyone: hashing is slow on purpose, and this password is published.
    encoded = make_password(password)
    people = data["people"]
    User.objects.filter(email__in=[p["email"].lower() for p in people]).update(password=encoded)
    admins = [p["email"].lower() for p in people if p.get("role") == "admin"]
    User.objects.filter(email__in=admins).update(is_staff=True, is_superuser=True)


def load_demo(today: date, password: str = DEFAULT_PASSWORD) -> ImportSummary:
    """Import (or refresh) the demo organization as of ``today``; returns the import summary.

    The importer matches everything by ref, so loading twice on the same day changes nothing
    and loading on a later day only adds the days since. Raises OKRFileError if the importer
    rejects the document.
    """
    data = build_demo(today)
    with transaction.atomic():
        summary = import_data(data, filename="<demo>")
        set_demo_passwords(data, password)
    return summary


def sign_in_hint(password: str | None = DEFAULT_PASSWORD) -> str:
    hint = f"Sign in at {SIGN_IN_URL} as {ADMIN_EMAIL}"
    return f"{hint} with password {password}" if password else hint
