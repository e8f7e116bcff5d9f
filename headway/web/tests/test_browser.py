"""The main workflows in a real browser: Playwright driving Debian's chromium (headless)
against a live server. The run also saves screenshots of the main pages to docs/screenshots/.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from headway.kpis.models import KPI, Measurement
from headway.okrs.models import Alignment, CheckIn, KeyResult, Objective
from headway.web.tests.browser import (
    DESKTOP,
    PHONE,
    Pages,
    fits_width,
    screenshot,
    settle,
    sign_in,
)
from headway.web.tests.pages import Plan

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PASSWORD = "password"  # the personas' password (headway/conftest.py)


@pytest.fixture
def pages(browser: Any, live_server: Any) -> Iterator[Pages]:
    opened = Pages(browser, str(live_server.url))
    yield opened
    opened.close()


@pytest.fixture
def site(pages: Pages, plan: Plan) -> Pages:
    return pages


def test_it_signs_in_and_out(site, plan):
    page, console = site.open()
    page.goto("/objectives/")
    assert "/login/" in page.url
    page.get_by_label("Email").fill("bob@acme.test")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Please enter a correct email").is_visible()
    assert page.get_by_label("Email").input_value() == "bob@acme.test"
    sign_in(page, "bob@acme.test", PASSWORD)
    assert page.get_by_role("heading", name="My week").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.goto("/")
    assert "/login/" in page.url
    assert console.errors == []


def test_it_checks_in_on_all_my_key_results_at_once(site, plan):
    page, console = site.open()
    sign_in(page, "bob@acme.test", PASSWORD)
    rows = page.locator(".checkin-row")
    assert rows.count() == 4
    revenue = page.locator('[data-ref="revenue"]')
    progress_before = revenue.get_attribute("data-progress")
    status_before = revenue.get_attribute("data-status")

    page.get_by_label("New value ($)").fill("100000")
    page.locator(f"#confidence-{plan.revenue.pk}").fill("9")
    page.locator(f"#note-{plan.revenue.pk}").fill("closed the big deal")
    page.get_by_label("New value (users)").fill("500")
    page.get_by_label("Done").check()
    page.get_by_role("button", name=re.compile("Check in on all")).click()

    page.locator("#checkin-saved").wait_for()  # swapped in by htmx, no page load
    revenue = page.locator('[data-ref="revenue"]')
    assert revenue.get_attribute("data-progress") == "1.0" != progress_before
    assert revenue.get_attribute("data-status") == "on_track"
    assert status_before != "on_track" or progress_before != "1.0"
    assert page.locator('[data-ref="launch"]').get_attribute("data-progress") == "1.0"
    settle(page)
    assert CheckIn.objects.filter(note="closed the big deal", confidence=9).count() == 1
    assert CheckIn.objects.filter(key_result=plan.launch, done=True).exists()
    assert console.errors == []


def test_it_shows_an_error_next_to_the_row_and_keeps_what_was_typed(site, plan):
    page, console = site.open()
    sign_in(page, "bob@acme.test", PASSWORD)
    settle(page)
    before = CheckIn.objects.count()
    page.get_by_label("New value ($)").fill("a lot")
    page.locator(f"#note-{plan.revenue.pk}").fill("my careful note")
    page.get_by_role("button", name=re.compile("Check in on all")).click()
    error = page.locator(f"#value-{plan.revenue.pk}-error")
    error.wait_for()
    assert "is not a number" in error.inner_text()
    assert page.locator(f"#note-{plan.revenue.pk}").input_value() == "my careful note"
    assert page.get_by_label("New value ($)").input_value() == "a lot"
    settle(page)
    assert CheckIn.objects.count() == before
    assert console.errors == []


def test_it_creates_an_objective_with_three_key_results_aligned_to_the_company(site, plan):
    page, console = site.open()
    sign_in(page, "alice@acme.test", PASSWORD)
    page.goto("/objectives/")
    page.get_by_role("link", name="New objective").click()
    page.get_by_label("Title").fill("Open the Lisbon shop")
    page.get_by_label("Team").select_option(label="Growth")
    page.get_by_label("Kind").select_option("committed")
    page.get_by_label("Aligns to (parent 1)").select_option("be-the-best")
    page.locator("#id_weight_0").fill("2")
    page.get_by_role("button", name="Save objective").click()
    page.get_by_role("heading", name="Open the Lisbon shop").wait_for()
    settle(page)
    objective = Objective.objects.get(title="Open the Lisbon shop")
    settle(page)
    assert Alignment.objects.get(child=objective).parent.ref == "be-the-best"

    page.get_by_role("link", name="Add key result").first.click()
    # Inline validation: the message appears beside the field as soon as it changes.
    page.get_by_label("Title").fill("Lisbon revenue")
    page.get_by_label("Start").fill("50")
    page.get_by_label("Target").fill("50")
    page.get_by_label("Unit").focus()
    target_error = page.locator("#id_target_error")
    expect(target_error).to_contain_text("target equals start")  # htmx, no submit
    assert "threshold" in target_error.inner_text()
    page.get_by_label("Target").fill("80000")
    page.get_by_label("Start").fill("0")
    page.get_by_label("Unit").fill("$")
    page.get_by_role("button", name="Save and add another").click()
    page.get_by_role("heading", name="New key result").wait_for()
    page.get_by_label("Title").fill("Opening day")
    page.get_by_label("Type").select_option("milestone")
    page.get_by_role("button", name="Save and add another").click()
    page.get_by_role("heading", name="New key result").wait_for()
    page.get_by_label("Title").fill("Local customers")
    page.get_by_label("Start").fill("0")
    page.get_by_label("Target").fill("1200")
    page.get_by_role("button", name="Save key result").click()
    page.get_by_role("heading", name="Open the Lisbon shop").wait_for()

    settle(page)
    assert list(KeyResult.objects.filter(objective=objective).values_list("title", flat=True)) == [
        "Lisbon revenue",
        "Opening day",
        "Local customers",
    ]
    assert page.locator("section[data-ref]").count() == 3
    page.goto("/objectives/map/")
    parent_item = page.locator("li", has=page.locator('[data-ref="be-the-best"]')).first
    assert parent_item.locator('[data-ref="open-the-lisbon-shop"]').count() == 1
    assert console.errors == []


def test_it_checks_the_objective_form_as_it_is_typed(site, plan):
    page, console = site.open()
    sign_in(page, "alice@acme.test", PASSWORD)
    page.goto("/objectives/new/")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.method) if "/objectives/" in r.url else None)
    page.get_by_label("Title").fill("Be loved in Lisbon")
    page.get_by_label("Team").select_option(label="Growth")
    page.get_by_label("Level").select_option("company")
    team_error = page.locator("#id_team_error")
    expect(team_error).to_have_text("a company objective belongs to the company team")
    page.get_by_label("Team").select_option(label="Acme")  # fixing it clears the message
    expect(team_error).to_have_text("")
    # Typed, not left: the check runs once typing pauses.
    page.get_by_label("Aligns to (parent 1)").select_option("be-the-best")
    page.locator("#id_weight_0").fill("-2")
    weight_error = page.locator("#id_weight_0_error")
    expect(weight_error).to_have_text("weight is a zero or positive number")
    assert page.locator("#id_weight_0").evaluate("e => e === document.activeElement")
    page.locator("#id_weight_0").fill("2")
    expect(weight_error).to_have_text("")
    # An edit whose parent would close a loop says so beside that parent.
    page.goto("/objectives/be-the-best/edit/")
    page.get_by_label("Aligns to (parent 1)").select_option("grow-revenue")
    expect(page.locator("#id_parent_0_error")).to_contain_text("alignment would loop")
    page.get_by_label("Aligns to (parent 1)").select_option("")
    expect(page.locator("#id_parent_0_error")).to_have_text("")
    assert set(requests) == {"GET", "POST"}  # the checks are posts; nothing was submitted
    assert page.url.endswith("/objectives/be-the-best/edit/")
    settle(page)
    assert not Objective.objects.filter(title="Be loved in Lisbon").exists()
    assert not Alignment.objects.filter(child=plan.company_objective).exists()
    assert console.errors == []


def test_it_turns_a_kpi_tile_red_after_a_measurement(site, plan):
    page, console = site.open()
    sign_in(page, "bob@acme.test", PASSWORD)
    page.goto("/kpis/")
    tile = page.locator('a.tile[data-ref="churn"]')
    assert tile.get_attribute("data-rag") == "yellow"
    tile.click()
    page.get_by_label("Value", exact=True).fill("4.8")
    page.get_by_role("button", name="Add measurement").click()
    page.get_by_text("Measurement of Churn recorded.").wait_for()
    page.get_by_role("link", name="← KPIs").click()
    tile = page.locator('a.tile[data-ref="churn"]')
    assert tile.get_attribute("data-rag") == "red"
    assert "red" in (tile.get_attribute("class") or "").split()
    assert "4.8" in tile.locator(".value").inner_text()
    settle(page)
    assert Measurement.objects.filter(kpi=plan.churn, value=Decimal("4.8")).exists()
    assert console.errors == []


def test_it_switches_the_as_of_date(site, plan):
    page, console = site.open()
    sign_in(page, "bob@acme.test", PASSWORD)
    page.goto("/objectives/grow-revenue/")
    today_value = page.locator('[data-ref="signups"]').get_attribute("data-current")
    past = plan.today.toordinal() - 20
    from datetime import date

    day = date.fromordinal(past).isoformat()
    page.get_by_label("As of").fill(day)
    page.get_by_role("button", name="Show").first.click()
    page.wait_for_url(f"**as_of={day}*")
    assert page.get_by_text("as it was on").is_visible()
    assert page.locator('[data-ref="signups"]').get_attribute("data-current") == "100"
    assert today_value == "200"
    # Links keep the date: the objectives list is shown as of the same day.
    page.get_by_role("link", name="← Objectives").click()
    assert f"as_of={day}" in page.url
    assert console.errors == []


MAIN_PAGES = {
    "my-week": "/",
    "objectives": "/objectives/",
    "objective": "/objectives/grow-revenue/",
    "alignment-map": "/objectives/map/",
    "kpis": "/kpis/",
    "kpi": "/kpis/churn/",
    "new-objective": "/objectives/new/",
    "team": "/team/",
    "api-tokens": "/api/tokens/",
}


def test_it_fits_a_phone(site, plan):
    page, console = site.open(PHONE)
    sign_in(page, "bob@acme.test", PASSWORD)
    for name, path in MAIN_PAGES.items():
        page.goto(path)
        assert fits_width(page), f"{name} scrolls sideways at 390 px"
        assert page.locator("main h1").first.is_visible(), name
    assert console.errors == []


def _busiest_person() -> str:
    """The demo person with the most key results to check in on (for the My week shot)."""
    owners: Counter[str] = Counter()
    for kr in KeyResult.objects.filter(
        organization__name="Northwind Demo", objective__state="active"
    ).select_related("owner", "objective__owner"):
        owner = kr.owner or kr.objective.owner
        if owner is not None:
            owners[owner.email] += 1
    return owners.most_common(1)[0][0]


def _demo_screens(page: Any, suffix: str) -> None:
    objective = (
        Objective.objects.filter(organization__name="Northwind Demo", state="active", level="team")
        .order_by("cycle__start", "position")
        .last()
    )
    kpi = KPI.objects.filter(organization__name="Northwind Demo").order_by("name").first()
    assert objective is not None
    assert kpi is not None
    shots = {
        "objectives": "/objectives/",
        "objective": f"/objectives/{objective.ref}/",
        "alignment-map": "/objectives/map/",
        "kpis": "/kpis/",
        "kpi": f"/kpis/{kpi.ref}/",
        "gallery": "/gallery/",
        "people": "/team/",
        "settings": "/settings/",
        "cycles": "/objectives/cycles/",
    }
    for name, path in shots.items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert fits_width(page), f"{name} scrolls sideways ({suffix})"
        screenshot(page, f"{name}-{suffix}")


def test_it_saves_screenshots_of_the_demo(pages):
    from headway.demo.actions import DEFAULT_PASSWORD, demo_today, load_demo
    from headway.demo.data import ADMIN_EMAIL

    load_demo(demo_today(), DEFAULT_PASSWORD)
    busiest = _busiest_person()
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page, console = pages.open(viewport)
        sign_in(page, busiest, DEFAULT_PASSWORD)
        page.wait_for_load_state("networkidle")
        screenshot(page, f"my-week-{suffix}")
        page.get_by_role("button", name="Sign out").click()
        sign_in(page, ADMIN_EMAIL, DEFAULT_PASSWORD)
        _demo_screens(page, suffix)
        assert console.errors == []


def test_it_filters_objectives_in_place(site, plan):
    page, console = site.open()
    sign_in(page, "alice@acme.test", PASSWORD)
    page.goto("/objectives/")
    assert page.locator("li.obj").count() == 4
    page.get_by_label("Team").select_option("Finance")
    expect(page.locator("li.obj")).to_have_count(1)
    assert page.locator('li.obj[data-ref="finance-secret"]').count() == 1
    assert "team=Finance" in page.url  # the filtered list can be bookmarked
    assert console.errors == []


def test_it_shows_more_objectives_and_unfolds_a_map_branch(site, plan, monkeypatch):
    from headway.okrs import views

    monkeypatch.setattr(views, "LIST_PAGE", 3)  # the plan's four objectives: a long list
    monkeypatch.setattr(views, "MAP_UNFOLDED", 1)  # and a large map
    Objective.objects.create(
        organization=plan.world.acme,
        ref="my-part",
        cycle=plan.q4,
        team=plan.world.growth,
        owner=plan.world.bob,
        title="My part",
        level="personal",
    )
    Alignment.objects.create(
        organization=plan.world.acme,
        child=Objective.objects.get(ref="my-part"),
        parent=plan.growth_objective,
    )
    page, console = site.open()
    sign_in(page, "alice@acme.test", PASSWORD)
    page.goto("/objectives/")
    assert page.locator("li.obj").count() == 3
    page.get_by_role("link", name="Show 2 more").click()
    expect(page.locator("li.obj")).to_have_count(5)
    assert page.locator("#more-objectives").count() == 0
    assert "shown=6" in page.url  # a reload keeps every row shown

    page.goto("/objectives/map/")
    mine = page.locator('[data-ref="my-part"]')
    expect(mine).to_be_hidden()  # a third level: folded in a large map
    page.locator('.node[data-ref="grow-revenue"] + details > summary').click()
    expect(mine).to_be_visible()
    assert console.errors == []
