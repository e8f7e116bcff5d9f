"""Reading points from pull sources: an SQL query or an HTTP JSON endpoint.

Each reader returns (time, value) pairs, or raises SourceError with a message fit for the
sync log. Nothing here writes to Headway's database. Every connection goes through
headway/feeds/outbound.py, which decides where a user-configured source may connect.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import httpx

from headway.feeds import outbound
from headway.feeds.models import Source
from headway.feeds.parse import ParseError, dig, parse_time, parse_value

TIMEOUT_SECONDS = 30
MAX_ROWS = 1_000_000

Point = tuple[dt.datetime, Decimal]


class SourceError(Exception):
    pass


def fetch(source: Source) -> list[Point]:
    tz = source.kpi.organization.tz
    if source.kind == Source.Kind.SQL:
        return _points(_sql_rows(source.database_url, source.query), tz)
    if source.kind == Source.Kind.HTTP:
        return _http_points(source, tz)
    raise SourceError(f"unknown source kind {source.kind!r}")


def _points(rows: list[tuple[Any, ...]], tz: ZoneInfo) -> list[Point]:
    points = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise SourceError(f"row {number}: expected two columns (time, value)")
        try:
            points.append((parse_time(row[0], tz), parse_value(row[1])))
        except ParseError as e:
            raise SourceError(f"row {number}: {e}") from None
    return points


def _sql_rows(url: str, query: str) -> list[tuple[Any, ...]]:
    if not query.strip():
        raise SourceError("the source has no query")
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    try:
        if scheme in ("postgres", "postgresql"):
            return _postgres_rows(parts, query)
        if scheme in ("mysql", "mariadb"):
            return _mysql_rows(parts, query)
        if scheme == "sqlite":
            return _sqlite_rows(outbound.sqlite_file(unquote(parts.path)), query)
    except SourceError:
        raise
    except outbound.OutboundError as e:
        raise SourceError(str(e)) from None
    except Exception as e:
        # Driver errors name the problem (bad password, unknown table); the URL is not echoed.
        raise SourceError(f"{type(e).__name__}: {e}") from None
    raise SourceError("the database URL must start with postgres://, mysql:// or sqlite:///")


def _limited(cursor: Any) -> list[tuple[Any, ...]]:
    rows = cursor.fetchmany(MAX_ROWS + 1)
    if len(rows) > MAX_ROWS:
        raise SourceError(f"the query returned more than {MAX_ROWS} rows; narrow it")
    return [tuple(row) for row in rows]


def _postgres_rows(parts: Any, query: str) -> list[tuple[Any, ...]]:
    import psycopg

    checked = outbound.addresses(parts.hostname, sql=True)
    with psycopg.connect(
        # libpq connects to hostaddr (checked) and keeps host for TLS and its messages.
        host=",".join([parts.hostname] * len(checked)),
        hostaddr=",".join(checked),
        port=parts.port or 5432,
        user=unquote(parts.username) if parts.username else None,
        # Never the server's own credentials: an empty password shuts out PGPASSWORD, and
        # no password file is read (the server account's ~/.pgpass may hold Headway's own).
        password=unquote(parts.password) if parts.password else "",
        passfile=os.devnull,
        dbname=unquote(parts.path.lstrip("/")) or None,
        connect_timeout=TIMEOUT_SECONDS,
        options=f"-c statement_timeout={TIMEOUT_SECONDS * 1000}",
    ) as connection:
        connection.read_only = True
        with connection.cursor() as cursor:
            cursor.execute(query)
            return _limited(cursor)


def _mysql_rows(parts: Any, query: str) -> list[tuple[Any, ...]]:
    import pymysql  # type: ignore[import-untyped]

    connection = pymysql.connect(
        host=outbound.addresses(parts.hostname, sql=True)[0],
        port=parts.port or 3306,
        user=unquote(parts.username) if parts.username else "root",
        password=unquote(parts.password) if parts.password else "",
        database=unquote(parts.path.lstrip("/")) or None,
        connect_timeout=TIMEOUT_SECONDS,
        read_timeout=TIMEOUT_SECONDS,
        local_infile=False,  # a server may not ask for this machine's files
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute(query)
            return _limited(cursor)
    finally:
        connection.close()


# What a read-only query needs; anything else (ATTACH, VACUUM INTO a file, PRAGMA) is denied.
_SQLITE_READING = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
}


def _sqlite_authorizer(action: int, *args: Any) -> int:
    return sqlite3.SQLITE_OK if action in _SQLITE_READING else sqlite3.SQLITE_DENY


def _sqlite_rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=TIMEOUT_SECONDS)
    try:
        # Read-only mode alone still lets VACUUM INTO write a copy anywhere on the server.
        connection.set_authorizer(_sqlite_authorizer)
        try:
            cursor = connection.execute(query)
        except sqlite3.DatabaseError as e:
            if getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_AUTH:
                raise SourceError("an SQLite source may only read: one SELECT query") from None
            raise
        return _limited(cursor)
    finally:
        connection.close()


def _headers(text: str) -> dict[str, str]:
    headers = {}
    for line in text.splitlines():
        if line.strip():
            name, sep, value = line.partition(":")
            if not sep:
                raise SourceError(f"header line {line.strip()!r} has no ':'")
            headers[name.strip()] = value.strip()
    return headers


def _http_points(source: Source, tz: ZoneInfo) -> list[Point]:
    try:
        with outbound.http_client(TIMEOUT_SECONDS) as client:
            response = client.get(source.url, headers=_headers(source.headers))
        response.raise_for_status()
        data = response.json()
    except outbound.OutboundError as e:
        raise SourceError(str(e)) from None
    except httpx.HTTPStatusError as e:
        raise SourceError(f"HTTP {e.response.status_code} from the endpoint") from None
    except httpx.HTTPError as e:
        raise SourceError(f"{type(e).__name__}: {e}") from None
    except ValueError:
        raise SourceError("the endpoint did not return JSON") from None
    try:
        items = dig(data, source.items_path)
    except ParseError as e:
        raise SourceError(str(e)) from None
    if not isinstance(items, list):
        raise SourceError(f"expected a list at {source.items_path or 'the top'!r}")
    points = []
    for number, item in enumerate(items, start=1):
        try:
            points.append(
                (
                    parse_time(dig(item, source.time_field), tz),
                    parse_value(dig(item, source.value_field)),
                )
            )
        except ParseError as e:
            raise SourceError(f"item {number}: {e}") from None
    if len(points) > MAX_ROWS:
        raise SourceError(f"the endpoint returned more than {MAX_ROWS} points")
    return points
