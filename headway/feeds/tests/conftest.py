from __future__ import annotations

from collections.abc import Iterator

import pytest

from headway.feeds.tests.helpers import LocalHTTP, make_kpi
from headway.kpis.models import KPI


@pytest.fixture
def kpi(world) -> KPI:
    return make_kpi(world)


@pytest.fixture
def http_server() -> Iterator[LocalHTTP]:
    server = LocalHTTP()
    yield server
    server.stop()
