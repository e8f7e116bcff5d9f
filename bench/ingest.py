"""`python -m bench.ingest`: ingest measurements through the bulk path and a CSV file.

Times N measurements (default 1,000,000) of one KPI, each with an idempotency key, written
(1) through ``record_measurements`` (the path of the API, `headway measure`, webhooks and
sources) and (2) through a CSV file (``plan_import`` + ``commit_import``, as the upload
page and `headway import-measurements` do), and prints them beside the raw insert rate of
the same rows into the same table with the database driver alone (sqlite3 ``executemany``
in one transaction; psycopg ``COPY``). The table is emptied before each run.

Uses a temporary SQLite file under bench/out/, or with --database-url postgres://... a
throwaway database ``headway_bench_ingest`` on that server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.report import OUT_DIR, in_fresh_database

BENCH_DATABASE = "headway_bench_ingest"
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description="Time measurement ingestion."
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/db: bench in a throwaway database "
        f"{BENCH_DATABASE} on that server (default: a temporary SQLite file)",
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.database_url and urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        parser.error("--database-url: only postgres:// URLs (SQLite is the default)")
    return args


@dataclass(frozen=True)
class Timing:
    label: str
    rows: int
    seconds: float
    cpu: float  # this process's CPU seconds: all of SQLite's work, only the client's on PostgreSQL

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def _values(n: int) -> Iterator[tuple[dt.datetime, Decimal, str]]:
    for i in range(n):
        yield START + dt.timedelta(minutes=i), Decimal(f"{i % 9973}.{i % 100:02d}"), f"b{i}"


def _timed(label: str, rows: int, work: Callable[[], Any]) -> Timing:
    started, cpu = time.perf_counter(), time.process_time()
    work()
    return Timing(label, rows, time.perf_counter() - started, time.process_time() - cpu)


def _empty_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # DELETE would leave a million dead rows for the next run's index probes to skip.
            cursor.execute("TRUNCATE kpis_measurement")
            cursor.execute("ANALYZE kpis_measurement")
        else:
            cursor.execute("DELETE FROM kpis_measurement")
            # Every path starts from the same file: the delete's WAL written back and reset,
            # not left for whichever path comes next to checkpoint.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _raw_insert(rows: list[tuple[Any, ...]]) -> Callable[[], None]:
    """The driver alone, on its own connection, with the same stored representation."""
    from django.db import connection

    from headway.kpis.ingest import COLUMNS

    settings = connection.settings_dict
    table, columns = "kpis_measurement", ", ".join(COLUMNS)
    if connection.vendor == "postgresql":
        import psycopg

        def insert_pg() -> None:
            with (
                psycopg.connect(
                    host=settings["HOST"] or None,
                    port=settings["PORT"] or None,
                    user=settings["USER"] or None,
                    password=settings["PASSWORD"] or None,
                    dbname=settings["NAME"],
                ) as raw,
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)

        return insert_pg

    import sqlite3

    def insert_sqlite() -> None:
        name = str(settings["NAME"])
        raw = sqlite3.connect(name, isolation_level=None, uri=name.startswith("file:"))
        try:
            raw.execute("BEGIN")
            placeholders = ", ".join("?" * len(COLUMNS))
            raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
            raw.execute("COMMIT")
        finally:
            raw.close()

    return insert_sqlite


def run(args: argparse.Namespace) -> list[Timing]:
    from django.db import connection

    from headway.feeds.files import Mapping, commit_import, plan_import
    from headway.fields import _plain
    from headway.kpis.ingest import _sqlite_datetime, stored_value
    from headway.kpis.measurements import MeasurementInput, derived_key, record_measurements
    from headway.kpis.models import KPI, Measurement
    from headway.org.access import system_actor
    from headway.org.models import Organization, Team

    n = args.rows
    print(
        f"Headway ingest benchmark: {n:,} rows, {connection.vendor}, "
        f"Python {platform.python_version()}",
        flush=True,
    )
    org = Organization.objects.create(name="Bench")
    team = Team.objects.create(organization=org, name="Bench")
    kpi = KPI.objects.create(
        organization=org, ref="bench", name="Bench", team=team, cadence=KPI.Cadence.DAILY
    )
    actor = system_actor(org)
    timings = []

    now = dt.datetime.now(dt.UTC)
    sqlite = connection.vendor == "sqlite"
    rows: list[tuple[Any, ...]] = []
    for at, value, _ in _values(n):
        stored = stored_value(value)
        key = derived_key(kpi, at)
        if sqlite:
            rows.append(
                (org.pk, kpi.pk, _sqlite_datetime(at), _plain(stored), "api", key, None,
                 _sqlite_datetime(now))
            )  # fmt: skip
        else:
            rows.append((org.pk, kpi.pk, at, stored, "api", key, None, now))
    # Grow the database file once, so that no path pays for it in its timing.
    _raw_insert(rows)()
    _empty_table()

    points = [MeasurementInput(at, value, key=derived_key(kpi, at)) for at, value, _ in _values(n)]
    timings.append(
        _timed(
            "bulk path (record_measurements)",
            n,
            lambda: record_measurements(actor, kpi, points, source=Measurement.Source.API),
        )
    )
    assert Measurement.objects.filter(kpi=kpi).count() == n
    points.clear()
    _empty_table()

    OUT_DIR.mkdir(exist_ok=True)  # a fresh clone has no bench/out yet
    csv_path = Path(tempfile.mkstemp(suffix=".csv", dir=OUT_DIR)[1])
    try:
        with csv_path.open("w") as out:
            out.write("time,value\n")
            for at, value, _ in _values(n):
                out.write(f"{at.isoformat()},{value}\n")

        def by_csv() -> None:
            plan = plan_import(actor, "bench.csv", csv_path.read_bytes(), Mapping(kpi_ref="bench"))
            assert plan.ok, plan.errors[:3]
            commit_import(actor, plan)

        timings.append(_timed("CSV file (plan + commit)", n, by_csv))
    finally:
        csv_path.unlink()
    assert Measurement.objects.filter(kpi=kpi).count() == n
    _empty_table()

    timings.append(_timed("raw driver insert", n, _raw_insert(rows)))
    assert Measurement.objects.filter(kpi=kpi).count() == n
    _empty_table()
    print(format_timings(timings, cpu_ratio=sqlite), flush=True)
    return timings


def format_timings(timings: list[Timing], *, cpu_ratio: bool = True) -> str:
    """The table; "of raw" is the rate as a fraction of the raw driver's. On SQLite, where
    the database works in this process, the CPU ratio is steadier on a busy machine."""
    raw = timings[-1]
    header = f"{'path':<34}{'seconds':>10}{'rows/s':>14}{'of raw':>9}{'cpu s':>9}"
    lines = [header + (f"{'cpu of raw':>12}" if cpu_ratio else "")]
    for t in timings:
        line = f"{t.label:<34}{t.seconds:>10.2f}{t.rate:>14,.0f}{t.rate / raw.rate:>9.2f}"
        line += f"{t.cpu:>9.2f}"
        if cpu_ratio:
            line += f"{raw.cpu / t.cpu if t.cpu else float('inf'):>12.2f}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    in_fresh_database("ingest-", args.database_url, lambda: run(args), database_name=BENCH_DATABASE)


if __name__ == "__main__":
    main()
