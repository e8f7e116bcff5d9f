"""`python -m bench.pages`: time the objectives page, the alignment map and the KPI board on
the large generated organization of bench.report (same sizes and options).

Each page is requested through Django's test client as an admin of the organization (so
every objective is listed), as of the generator's day; the figures are the best wall-clock
and CPU time of ``--repeat`` requests, the number of queries and the size of the page.
"""

from __future__ import annotations

import argparse
import functools
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.report import in_fresh_database, parse_args

PAGES = (
    ("objectives page", "/objectives/"),
    ("alignment map", "/objectives/map/"),
    ("KPI board", "/kpis/"),  # every KPI with its history: 300 x 730 days by default
)


@dataclass(frozen=True)
class PageFigures:
    name: str
    wall: float
    cpu: float
    queries: int
    size: int


def time_pages(organization_id: int, cycle_name: str, as_of: str, repeat: int) -> list[PageFigures]:
    from django.test import Client

    from bench.measure import best_of
    from headway.org.models import Membership, Organization, Role, User
    from headway.web.tests.helpers import queries_run

    organization = Organization.objects.get(pk=organization_id)
    admin, _ = User.objects.get_or_create(email="bench-admin@bench.bench")
    Membership.objects.get_or_create(organization=organization, user=admin, role=Role.ADMIN)
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    figures = []
    for name, path in PAGES:
        url = f"{path}?cycle={cycle_name}&as_of={as_of}"
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        with queries_run() as queries:
            client.get(url)
        wall, cpu = best_of(repeat, functools.partial(client.get, url))
        figures.append(PageFigures(name, wall, cpu, len(queries), len(response.content)))
    return figures


def format_pages(figures: list[PageFigures], repeat: int) -> str:
    lines = []
    for f in figures:
        lines.append(
            f"{f.name:<16}{f.wall * 1000:8.0f} ms wall {f.cpu * 1000:8.0f} ms CPU (best of "
            f"{repeat}), {f.queries} queries, {f.size / 1024:,.0f} KiB of HTML"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test.utils import override_settings

    from bench.generate import Sizes, generate

    sizes = Sizes(args.objectives, args.krs, args.checkins, args.kpis, args.days)
    print(f"Headway pages benchmark: {connection.vendor}, Python {platform.python_version()}")
    started = time.perf_counter()
    generated = generate(sizes)
    print(
        f"generated       {sizes.objectives:,} objectives, {sizes.krs:,} key results, "
        f"{sizes.checkins:,} check-ins, {sizes.kpis:,} KPIs in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    # Pages link their stylesheet; without collectstatic the manifest storage has no entries.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    default = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    with override_settings(STORAGES={"default": default, "staticfiles": plain}):
        figures = time_pages(
            generated.organization.pk,
            generated.cycle.name,
            generated.as_of.isoformat(),
            args.repeat,
        )
    print(format_pages(figures, args.repeat), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    in_fresh_database("pages-", args.database_url, lambda: run(args))


if __name__ == "__main__":
    main()
