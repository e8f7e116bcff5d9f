"""`python -m bench.report`: time build_report on a large generated organization.

Creates a fresh database (a temporary SQLite file under bench/out/, or with --database-url
postgres://... a throwaway database ``headway_bench`` on that server), migrates it, fills it
with bench.generate and prints the figures of bench.measure. The database is removed after.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

OUT_DIR = Path(__file__).resolve().parent / "out"
BENCH_DATABASE = "headway_bench"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.report", description="Time the cycle report on a large organization."
    )
    parser.add_argument("--objectives", type=int, default=2000)
    parser.add_argument("--krs", type=int, default=8000)
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument("--kpis", type=int, default=300)
    parser.add_argument("--days", type=int, default=730, help="daily measurements per KPI")
    parser.add_argument("--repeat", type=int, default=3, help="timings: best of this many runs")
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/db: bench in a throwaway database "
        f"{BENCH_DATABASE} on that server (default: a temporary SQLite file)",
    )
    args = parser.parse_args(argv)
    for name in ("objectives", "krs", "checkins", "kpis", "days", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.database_url and urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        parser.error("--database-url: only postgres:// URLs (SQLite is the default)")
    return args


@contextmanager
def postgres_database(url: str, name: str = BENCH_DATABASE) -> Iterator[str]:
    """Create database ``name`` on the server of ``url``; yield its URL; drop it."""
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


def run(args: argparse.Namespace) -> None:
    """Generate and measure in the database Django is set up with (migrated)."""
    from django.db import connection

    from bench.generate import Sizes, generate
    from bench.measure import format_figures, measure

    sizes = Sizes(args.objectives, args.krs, args.checkins, args.kpis, args.days)
    print(
        f"Headway report benchmark: {connection.vendor}, Python {platform.python_version()}",
        flush=True,
    )
    started = time.perf_counter()
    generated = generate(sizes)
    print(
        f"generated       {sizes.objectives:,} objectives, {sizes.krs:,} key results, "
        f"{sizes.checkins:,} check-ins, {sizes.kpis:,} KPIs, {sizes.measurements:,} "
        f"measurements in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    print(f"report          {generated.cycle.name} as of {generated.as_of}", flush=True)
    figures = measure(generated.organization, generated.cycle, generated.as_of, repeat=args.repeat)
    print(format_figures(figures, args.repeat), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    in_fresh_database("run-", args.database_url, lambda: run(args))


def in_fresh_database(
    prefix: str,
    database_url: str | None,
    run: Callable[[], object],
    *,
    database_name: str = BENCH_DATABASE,
) -> None:
    """Set up Django on a new, migrated database (SQLite under bench/out/, or a throwaway
    PostgreSQL database on the server of ``database_url``), call ``run``, clean up."""
    OUT_DIR.mkdir(exist_ok=True)
    data_dir = tempfile.mkdtemp(prefix=prefix, dir=OUT_DIR)
    os.mkdir(os.path.join(data_dir, "static"))  # WhiteNoise warns when STATIC_ROOT is missing
    os.environ["DJANGO_SETTINGS_MODULE"] = "headway.settings"
    os.environ["HEADWAY_DATA_DIR"] = data_dir
    os.environ["HEADWAY_DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.pop("DATABASE_URL", None)
    try:
        if database_url:
            with postgres_database(database_url, database_name) as url:
                os.environ["DATABASE_URL"] = url
                _setup_and_run(run)
        else:
            _setup_and_run(run)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _setup_and_run(run: Callable[[], object]) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    run()


if __name__ == "__main__":
    main()
