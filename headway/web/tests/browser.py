"""Playwright against Debian's chromium, for the browser tests (headless, no network)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_or_skip() -> str:
    """The chromium binary; without it the browser tests skip locally and fail in CI."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(
            f"{CHROMIUM} is missing in CI: `make pytest` installs it (apt-get install chromium)"
        )
    pytest.skip(f"browser tests need {CHROMIUM}: apt-get install -y chromium (CI installs it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the browser is
    # open, and Django refuses ORM calls from a thread with a running loop; the calls the
    # tests (and their database teardown) make are plain synchronous ones, so allow them.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=executable, args=ARGS, headless=True
            )
            yield instance
            instance.close()
    finally:
        if saved is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


class Console:
    """Errors the page logged (a Content-Security-Policy violation shows up here)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def __call__(self, message: Any) -> None:
        if message.type == "error" and "favicon.ico" not in message.text:
            self.errors.append(message.text)


class Pages:
    """Opens pages in fresh browser contexts and closes them all when the test ends, so no
    chart request outlives the test's database."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []

    def open(self, viewport: dict[str, int] = DESKTOP) -> tuple[Any, Console]:
        page, console = open_page(self.browser, self.base_url, viewport)
        self.contexts.append(page.context)
        return page, console

    def close(self) -> None:
        for context in self.contexts:
            for page in context.pages:
                settle(page)
            context.close()


def settle(page: Any) -> None:
    """Wait until the page has loaded everything (charts included). The live server shares
    an in-memory SQLite database with the test: reading it while the server still answers a
    chart request can fail with "database table is locked"."""
    page.wait_for_load_state("networkidle")


def open_page(
    browser: Any, base_url: str, viewport: dict[str, int] = DESKTOP
) -> tuple[Any, Console]:
    context = browser.new_context(viewport=viewport, base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    console = Console()
    page.on("console", console)
    page.on("pageerror", lambda error: console.errors.append(str(error)))
    return page, console


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled")


def fits_width(page: Any) -> bool:
    """No horizontal scrolling: nothing is wider than the viewport."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
