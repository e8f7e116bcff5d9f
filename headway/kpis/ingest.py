"""The fast insert behind ``record_measurements`` (issue 5: a million rows at driver speed).

Model instances and per-row ``full_clean`` cost more than the insert itself, so rows are
written as plain tuples already in the representation ``ExactDecimalField`` stores: normalised
TEXT on SQLite, ``numeric`` on PostgreSQL (written with COPY there). Validation and rounding
happen once, in ``record_measurements``, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, cast

from django.db import connections

from headway.kpis.models import Measurement

# Same rounding as ExactDecimalField.get_db_prep_value (30 digits, 10 after the point).
_EXPONENT = Decimal(1).scaleb(-10)
_CONTEXT = Context(prec=30, rounding=ROUND_HALF_UP)

COLUMNS = (
    "organization_id",
    "kpi_id",
    "at",
    "value",
    "source",
    "idempotency_key",
    "supersedes_id",
    "created_at",
)

# organization_id, kpi_id, at, value, source, key, supersedes_id, created_at
Row = tuple[int, int, dt.datetime, Decimal, str, str | None, int | None, dt.datetime]


def stored_value(value: Decimal) -> Decimal:
    """``value`` rounded as the column stores it, so comparisons with stored rows are exact."""
    return value.quantize(_EXPONENT, context=_CONTEXT)


def _sqlite_datetime(value: dt.datetime) -> str:
    # What Django's SQLite backend writes for an aware datetime with USE_TZ: naive UTC text.
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat(" ")[:-6]  # str() of the naive value, without "+00:00"


def insert_rows(rows: Sequence[Row], using: str = "default") -> None:
    """Insert measurement rows in the current transaction, as fast as the driver allows."""
    if not rows:
        return
    connection = connections[using]
    table = Measurement._meta.db_table
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        if connection.vendor == "sqlite":
            cursor.executemany(sql, cast(Any, _sqlite_rows(rows)))
        else:
            cursor.executemany(sql, list(rows))


def stored_text(value: Decimal) -> str:
    """``headway.fields._plain`` of a value already rounded by ``stored_value`` (faster)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sqlite_rows(rows: Sequence[Row]) -> list[tuple[object, ...]]:
    # The hot loop of a million-row import: one comprehension, the common cases inlined
    # (UTC times; the creation time shared by every row of one call).
    utc = dt.UTC
    created = {when: _sqlite_datetime(when) for when in {row[7] for row in rows}}
    return [
        (
            org,
            kpi,
            at.isoformat(" ")[:-6] if at.tzinfo is utc else _sqlite_datetime(at),
            text.rstrip("0").rstrip(".") if "." in (text := format(value, "f")) else text,
            source,
            key,
            supersedes,
            created[when],
        )
        for org, kpi, at, value, source, key, supersedes, when in rows
    ]
