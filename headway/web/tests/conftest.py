from __future__ import annotations

import pytest

from headway.conftest import World
from headway.web.tests.browser import browser  # noqa: F401  (a fixture)
from headway.web.tests.pages import Plan, make_plan


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Test runs render pages without collectstatic: the manifest storage would have no entries.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def plan(world: World) -> Plan:
    return make_plan(world)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium through Playwright against a live server"
    )
