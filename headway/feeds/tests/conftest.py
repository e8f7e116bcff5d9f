from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from headway.feeds.tests.helpers import LOCALHOST, LocalHTTP, fake_dns, make_kpi
from headway.kpis.models import KPI


@pytest.fixture
def kpi(world) -> KPI:
    return make_kpi(world)


@pytest.fixture(autouse=True)
def dns(monkeypatch) -> dict[str, list[str]]:
    return fake_dns(monkeypatch)


@pytest.fixture
def http_server(settings) -> Iterator[LocalHTTP]:
    # It listens on 127.0.0.1, where user-configured URLs may go only if the operator allows.
    settings.OUTBOUND_ALLOW = LOCALHOST
    server = LocalHTTP()
    yield server
    server.stop()


@pytest.fixture
def local_databases(settings) -> None:
    """The test PostgreSQL and MariaDB on 127.0.0.1, allowed as an operator would allow a
    warehouse network."""
    settings.OUTBOUND_SQL_ALLOW = LOCALHOST


@pytest.fixture
def sqlite_dir(settings, tmp_path: Path) -> Path:
    """The operator's directory of SQLite sources: the test's own temporary directory."""
    settings.SQLITE_SOURCES_DIR = tmp_path
    return tmp_path
