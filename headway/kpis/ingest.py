"""The fast insert behind ``record_measurements`` (issue 5: a million rows at driver speed).

Model instances and per-row ``full_clean`` cost more than the insert itself, so rows are
written as plain tuples already in the representation ``ExactDecimalField`` stores: normalised
TEXT on SQLite, ``numeric`` on PostgreSQL (written with COPY there). Validation and rounding
happen once, in ``record_measurements``, before anything is written.

One call writes rows of one KPI, from one source, at one time: those columns are the same
for every row, so on SQLite they go into the statement once and each row binds only what
differs (time, value, key, the row it corrects). Binding is most of the driver's own cost.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal

from django.db import connections

from headway.kpis.models import Measurement

# Same rounding as ExactDecimalField.get_db_prep_value (30 digits, 10 after the point). With
# 30 digits in all, quantizing refuses infinities and more than INTEGER_DIGITS (20) digits
# before the point: what decimal_problem refuses, NaN apart.
STORED_EXPONENT = Decimal(1).scaleb(-10)
STORED_CONTEXT = Context(prec=30, rounding=ROUND_HALF_UP)

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

# at, value (already rounded by stored_value), idempotency key, id of the row it corrects
Row = tuple[dt.datetime, Decimal, str | None, int | None]


def stored_value(value: Decimal) -> Decimal:
    """``value`` rounded as the column stores it, so comparisons with stored rows are exact."""
    return value.quantize(STORED_EXPONENT, context=STORED_CONTEXT)


def _sqlite_datetime(value: dt.datetime) -> str:
    # What Django's SQLite backend writes for an aware datetime with USE_TZ: naive UTC text.
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat(" ")[:-6]  # str() of the naive value, without "+00:00"


def insert_rows(
    *,
    organization_id: int,
    kpi_id: int,
    source: str,
    created_at: dt.datetime,
    rows: Sequence[Row],
    using: str = "default",
) -> None:
    """Insert measurement rows of one KPI in the current transaction, at driver speed.

    A row whose idempotency key is taken raises the database's IntegrityError (wrapped as
    Django's), which ``record_measurements`` relies on to detect keys it did not look up.
    """
    if not rows:
        return
    connection = connections[using]
    table = Measurement._meta.db_table
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for at, value, key, supersedes in rows:
                    write((organization_id, kpi_id, at, value, source, key, supersedes, created_at))
            return
        if connection.vendor != "sqlite":
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                [(organization_id, kpi_id, *row[:2], source, *row[2:], created_at) for row in rows],
            )
            return
        # The columns shared by every row go into the statement as literals, parsed once.
        # Only integers and our own choice and time values get here.
        sql = (
            f"INSERT INTO {table} (organization_id, kpi_id, source, created_at, "  # noqa: S608
            "at, value, idempotency_key, supersedes_id) "
            f"VALUES ({int(organization_id)}, {int(kpi_id)}, {_sqlite_text(source)}, "
            f"{_sqlite_text(_sqlite_datetime(created_at))}, ?, ?, ?, ?)"
        )
        # sqlite3's own executemany: Django's override rewrites the placeholders and tees
        # the parameters, which this statement does not need.
        sqlite3.Cursor.executemany(cursor.cursor, sql, _sqlite_rows(rows))


def _sqlite_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# "HH:MM" for each minute of a day and ":SS" for each second: with the date text of each
# day, these build a time's text several times faster than isoformat(), the largest cost
# of the SQLite row after the insert itself.
_MINUTES = [f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)]
_SECONDS = [f":{s:02d}" for s in range(60)]


def _sqlite_rows(rows: Sequence[Row]) -> list[tuple[object, ...]]:
    """Rows as SQLite stores them: naive UTC time text, the value as plain decimal text."""
    utc = dt.UTC
    days: dict[dt.date, str] = {}
    out: list[tuple[object, ...]] = []
    append = out.append
    for at, value, key, supersedes in rows:
        if at.tzinfo is not utc:
            at = at.astimezone(utc)
        day = at.date()
        text = days.get(day)
        if text is None:
            text = days[day] = f"{day.isoformat()} "
        text += _MINUTES[at.hour * 60 + at.minute] + _SECONDS[at.second]
        if at.microsecond:
            text += f".{at.microsecond:06d}"
        number = format(value, "f")
        if "." in number:
            number = number.rstrip("0").rstrip(".")
        append((text, number, key, supersedes))
    return out
