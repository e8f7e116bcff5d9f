"""The API docs and the token page in a real browser, under the Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from headway.web.tests.browser import browser  # noqa: F401 (the fixture)


def _page(chromium: Any, live_server: Any) -> tuple[Any, list[str]]:
    page = chromium.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: (
            problems.append(f"off-site request {r.url}")
            if not r.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    return page, problems


def test_it_renders_the_api_docs_with_no_csp_violation_or_cdn(browser, live_server):  # noqa: F811
    page, problems = _page(browser, live_server)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Headway API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag", timeout=15000)
    assert page.locator(".opblock").count() > 40
    assert problems == []
    page.close()


def test_it_shows_a_new_token_once(browser, live_server, api_world):  # noqa: F811
    page, problems = _page(browser, live_server)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "bob@acme.test")
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/api/tokens/")
    page.fill("#token-name", "CI")
    page.click("text=Create token")
    secret = page.inner_text("#new-token")
    assert secret.startswith("hw_")
    page.goto(f"{live_server.url}/api/tokens/")
    assert secret not in page.content()
    assert "CI" in page.content()
    assert problems == []
    page.close()
