from __future__ import annotations

import pytest

from headway.conftest import World
from headway.web.tests.browser import browser  # noqa: F401  (a fixture)
from headway.web.tests.pages import Plan, make_plan


@pytest.fixture
def plan(world: World) -> Plan:
    return make_plan(world)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium through Playwright against a live server"
    )
