"""The admin pages in a real browser (Playwright + Debian's chromium, headless): alice
changes bob's role, edits a cycle (with the inline date check) and deletes a KPI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from headway.kpis.models import KPI, Measurement
from headway.okrs.models import Cycle
from headway.org.models import Membership, Role
from headway.web.tests.browser import PHONE, Pages, fits_width, settle, sign_in
from headway.web.tests.pages import Plan

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PASSWORD = "password"  # the personas' password (headway/conftest.py)


@pytest.fixture
def site(browser: Any, live_server: Any, plan: Plan) -> Iterator[Pages]:
    opened = Pages(browser, str(live_server.url))
    yield opened
    opened.close()


def _settings(page: Any, item: str) -> None:
    page.locator("summary", has_text="Settings").click()
    page.get_by_role("link", name=item).click()


def test_it_changes_a_role_edits_a_cycle_and_deletes_a_kpi(site, plan):
    page, console = site.open()
    sign_in(page, "alice@acme.test", PASSWORD)

    _settings(page, "People and invitations")
    page.get_by_role("link", name="Manage Bob Member").click()
    page.get_by_label("Role").select_option(label="Team lead")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Bob Member saved.").wait_for()
    expect(page.locator('tr[data-person="bob@acme.test"]')).to_have_attribute("data-role", "lead")
    settle(page)
    assert Membership.objects.get(user=plan.world.bob).role == Role.LEAD

    _settings(page, "Cycles")
    page.get_by_role("link", name=f"Edit {plan.q3.name}").click()
    page.get_by_label("End").fill(plan.q3.start.replace(day=1).isoformat())
    page.get_by_label("Name").focus()  # the change goes to the server as it happens
    expect(page.locator("#id_end_error")).to_contain_text("the end must be after the start")
    page.get_by_label("End").fill(plan.q3.end.isoformat())
    page.get_by_label("Name").fill("Last quarter")
    page.get_by_role("button", name="Save cycle").click()
    page.get_by_text("Cycle Last quarter saved.").wait_for()
    assert page.locator('tr[data-cycle="Last quarter"]').count() == 1
    settle(page)
    assert Cycle.objects.get(pk=plan.q3.pk).name == "Last quarter"

    page.goto("/kpis/churn/")
    page.get_by_role("link", name="Delete KPI…").click()
    expect(page.locator('[data-field="measurements"]')).to_contain_text("its 4 measurements")
    page.get_by_role("button", name="Delete Churn").click()
    page.get_by_text("KPI Churn deleted with its 4 measurements.").wait_for()
    assert page.locator('a.tile[data-ref="churn"]').count() == 0
    settle(page)
    assert not KPI.objects.filter(ref="churn").exists()
    assert not Measurement.objects.filter(kpi_id=plan.churn.pk).exists()
    assert console.errors == []


def test_it_fits_the_admin_pages_on_a_phone(site, plan):
    page, console = site.open(PHONE)
    sign_in(page, "alice@acme.test", PASSWORD)
    for path in (
        "/team/",
        f"/team/people/{plan.world.bob.pk}/",
        f"/team/teams/{plan.world.growth.pk}/",
        "/settings/",
        "/objectives/cycles/",
        f"/objectives/cycles/{plan.q4.pk}/edit/",
        "/kpis/churn/delete/",
    ):
        page.goto(path)
        assert fits_width(page), f"{path} scrolls sideways at 390 px"
        assert page.locator("main h1").first.is_visible(), path
    assert console.errors == []
