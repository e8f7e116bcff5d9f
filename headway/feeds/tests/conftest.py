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


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Test runs render pages without collectstatic: the manifest storage would have no entries.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
