"""Pull sources against real servers on this machine: SQLite, PostgreSQL, MariaDB, HTTP."""

import datetime as dt
import os
import sqlite3
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from headway.feeds.models import Source, SyncLog
from headway.feeds.schedule import next_run, retry_at
from headway.feeds.sync import run_sync
from headway.kpis.models import KPI, Measurement

ROWS = [("2026-10-01", "10.5"), ("2026-10-02", "12"), ("2026-10-03", "9.25")]


def unreachable(what: str, error: Exception) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} must be reachable in CI: {error}")
    pytest.skip(f"{what} is not reachable on this machine: {error}")


def sql_source(kpi: KPI, url: str, query: str, **extra: Any) -> Source:
    return Source.objects.create(
        organization=kpi.organization,
        kpi=kpi,
        name="warehouse",
        kind=Source.Kind.SQL,
        database_url=url,
        query=query,
        **extra,
    )


def live_values(kpi: KPI) -> list[Decimal]:
    return list(
        Measurement.objects.filter(kpi=kpi, superseded_at=None)
        .order_by("at")
        .values_list("value", flat=True)
    )


def test_it_syncs_an_sqlite_query_and_changes_nothing_on_a_rerun(kpi, sqlite_dir):
    path = sqlite_dir / "warehouse.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE daily (day TEXT, amount TEXT)")
        db.executemany("INSERT INTO daily VALUES (?, ?)", ROWS)
    source = sql_source(kpi, f"sqlite:///{path}", "SELECT day, amount FROM daily ORDER BY day")
    log = run_sync(source.pk)
    assert (log.error, log.rows, log.created) == ("", 3, 3)
    assert live_values(kpi) == [Decimal("10.5"), Decimal(12), Decimal("9.25")]
    rerun = run_sync(source.pk)
    assert (rerun.created, rerun.duplicates, rerun.corrected) == (0, 3, 0)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE daily SET amount = '13' WHERE day = '2026-10-02'")
    corrected = run_sync(source.pk)
    assert corrected.corrected == 1
    assert live_values(kpi) == [Decimal("10.5"), Decimal(13), Decimal("9.25")]


def test_it_syncs_a_postgresql_query(kpi, local_databases):
    import psycopg

    table = f"daily_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres")
    except psycopg.OperationalError as e:
        unreachable("PostgreSQL on 127.0.0.1:5432", e)
    admin.autocommit = True
    try:
        admin.execute(f"CREATE TABLE {table} (day date, amount numeric)")
        with admin.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s)", ROWS)  # noqa: S608
        source = sql_source(
            kpi,
            "postgres://postgres@127.0.0.1:5432/postgres",
            f"SELECT day, amount FROM {table} ORDER BY day",  # noqa: S608
        )
        log = run_sync(source.pk)
        assert (log.error, log.created) == ("", 3)
        assert live_values(kpi) == [Decimal("10.5"), Decimal(12), Decimal("9.25")]
    finally:
        admin.execute(f"DROP TABLE IF EXISTS {table}")
        admin.close()


def test_it_syncs_a_mariadb_query(kpi, local_databases):
    import pymysql  # type: ignore[import-untyped]

    table = f"daily_{uuid.uuid4().hex[:8]}"
    try:
        admin = pymysql.connect(
            host="127.0.0.1", port=3306, user="root", password="", database="test"
        )
    except pymysql.err.OperationalError as e:
        unreachable("MariaDB on 127.0.0.1:3306", e)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {table} (day DATETIME, amount DECIMAL(12, 4))")
            cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s)", ROWS)  # noqa: S608
        admin.commit()
        source = sql_source(
            kpi,
            "mysql://root@127.0.0.1:3306/test",
            f"SELECT day, amount FROM {table} ORDER BY day",  # noqa: S608
        )
        log = run_sync(source.pk)
        assert (log.error, log.created) == ("", 3)
        assert live_values(kpi) == [Decimal("10.5"), Decimal(12), Decimal("9.25")]
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        admin.close()


def http_source(kpi: KPI, server: Any, **extra: Any) -> Source:
    return Source.objects.create(
        organization=kpi.organization,
        kpi=kpi,
        name="stats api",
        kind=Source.Kind.HTTP,
        url=server.url("/stats"),
        headers="Authorization: Bearer t0ken",
        items_path="data.series",
        time_field="t",
        value_field="v.amount",
        **extra,
    )


def test_it_syncs_an_http_json_endpoint_with_selectors_and_headers(kpi, http_server):
    series = [{"t": day, "v": {"amount": float(value)}} for day, value in ROWS]
    http_server.responses["/stats"] = (200, {"data": {"series": series}})
    source = http_source(kpi, http_server)
    log = run_sync(source.pk, SyncLog.Trigger.MANUAL)
    assert (log.error, log.created) == ("", 3)
    assert live_values(kpi) == [Decimal("10.5"), Decimal(12), Decimal("9.25")]
    assert http_server.requests[0][2]["Authorization"] == "Bearer t0ken"


def test_it_keeps_the_data_and_backs_off_when_a_source_fails(kpi, http_server):
    http_server.responses["/stats"] = (
        200,
        {"data": {"series": [{"t": "2026-10-01", "v": {"amount": 1}}]}},
    )
    source = http_source(kpi, http_server)
    assert run_sync(source.pk).created == 1

    http_server.responses["/stats"] = (500, {"error": "down"})
    before = timezone.now()
    log = run_sync(source.pk)
    source.refresh_from_db()
    assert log.error == "HTTP 500 from the endpoint"
    assert (source.failures, source.last_error) == (1, "HTTP 500 from the endpoint")
    assert source.next_run_at is not None
    assert source.next_run_at >= before + dt.timedelta(minutes=5)
    run_sync(source.pk)
    source.refresh_from_db()
    assert source.failures == 2
    assert source.next_run_at is not None
    assert source.next_run_at >= before + dt.timedelta(minutes=10)

    # A bad row fails the whole sync: nothing half written, the good data untouched.
    bad = [{"t": "2026-10-02", "v": {"amount": 2}}, {"t": "2026-10-03", "v": {"amount": "n/a"}}]
    http_server.responses["/stats"] = (200, {"data": {"series": bad}})
    log = run_sync(source.pk)
    assert log.error == "item 2: 'n/a' is not a number"
    assert live_values(kpi) == [Decimal(1)]
    assert list(SyncLog.objects.filter(source=source).values_list("error", flat=True)) == [
        "item 2: 'n/a' is not a number",
        "HTTP 500 from the endpoint",
        "HTTP 500 from the endpoint",
        "",
    ]


def test_it_reports_an_unreachable_database_without_echoing_the_password(kpi, local_databases):
    source = sql_source(kpi, "postgres://postgres:hunter2@127.0.0.1:1/x", "SELECT 1, 1")
    log = run_sync(source.pk)
    assert log.error
    assert "hunter2" not in log.error


def test_it_collects_a_period_only_after_its_delay(kpi, sqlite_dir):
    kpi.cadence = "monthly"
    kpi.save()
    today = timezone.now().date()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    path = sqlite_dir / "w.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE m (day TEXT, amount TEXT)")
        db.executemany(
            "INSERT INTO m VALUES (?, ?)",
            [(last_month.isoformat(), "1"), (this_month.isoformat(), "2")],
        )
    source = sql_source(kpi, f"sqlite:///{path}", "SELECT day, amount FROM m", collect_after_days=0)
    log = run_sync(source.pk)
    assert (log.created, log.skipped) == (1, 1)  # this month has not ended yet
    assert live_values(kpi) == [Decimal(1)]


def test_it_stores_connection_urls_encrypted(kpi):
    source = sql_source(kpi, "postgres://u:hunter2@db.internal/x", "SELECT 1, 1")
    stored = Source.objects.filter(pk=source.pk).values_list("database_url", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT database_url FROM feeds_source WHERE id = %s", [source.pk])
        (raw,) = cursor.fetchone()
    assert "hunter2" not in raw
    assert list(stored) == ["postgres://u:hunter2@db.internal/x"]


def test_it_computes_the_next_run_of_each_schedule(kpi):
    source = Source(organization=kpi.organization, kpi=kpi, time_of_day=dt.time(6, 30))
    now = dt.datetime(2026, 11, 22, 7, 0, tzinfo=dt.UTC)
    source.schedule = Source.Schedule.INTERVAL
    source.interval_minutes = 15
    assert next_run(source, now) == now + dt.timedelta(minutes=15)
    source.schedule = Source.Schedule.DAILY
    assert next_run(source, now) == dt.datetime(2026, 11, 23, 6, 30, tzinfo=dt.UTC)
    source.schedule = Source.Schedule.MONTHLY
    source.day_of_month = 4
    assert next_run(source, now) == dt.datetime(2026, 12, 4, 6, 30, tzinfo=dt.UTC)
    assert retry_at(1, now) == now + dt.timedelta(minutes=5)
    assert retry_at(3, now) == now + dt.timedelta(minutes=20)
    assert retry_at(30, now) == now + dt.timedelta(hours=6)
