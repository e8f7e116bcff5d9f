"""Objective pages: list, map and detail show the report's numbers; the plan forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from headway.okrs.models import Alignment, KeyResult, Objective
from headway.org.access import actor_for
from headway.org.models import User
from headway.web.report import report_for
from headway.web.tests.helpers import rows, shown
from headway.web.tests.pages import Plan

pytestmark = pytest.mark.django_db


def report_numbers(plan: Plan, user: User) -> dict[str, Any]:
    report = report_for(actor_for(user, plan.world.acme), plan.q4, plan.today)
    return {o["ref"]: o for o in report["objectives"]}


def test_it_lists_the_cycle_with_the_report_numbers(client, plan):
    client.force_login(plan.world.alice)
    shown_rows = rows(client.get("/objectives/").content.decode())
    expected = report_numbers(plan, plan.world.alice)
    assert set(shown_rows) == set(expected)
    for ref, numbers in expected.items():
        assert shown_rows[ref]["progress"] == shown(numbers["progress"]), ref
        assert shown_rows[ref]["status"] == numbers["status"], ref


def test_it_says_expected_progress_on_the_day_shown_not_today(client, plan):
    from datetime import timedelta

    client.force_login(plan.world.alice)
    assert "expected progress today" in client.get("/objectives/").content.decode()
    day = plan.today - timedelta(days=1)
    if day < plan.q4.start:
        pytest.skip("today is the first day of the quarter")
    past = client.get(f"/objectives/?as_of={day}").content.decode()
    assert "expected progress today" not in past
    assert f"expected progress on {day.day} {day:%b}" in past


def test_it_hides_private_objectives_of_other_teams_from_bob(client, plan):
    client.force_login(plan.world.bob)
    listed = rows(client.get("/objectives/").content.decode())
    assert "secret-plan" in listed  # private, but of bob's own team
    assert "finance-secret" not in listed
    assert client.get("/objectives/finance-secret/").status_code == 404
    assert "finance-secret" not in rows(client.get("/objectives/map/").content.decode())


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ("view=company", {"be-the-best"}),
        ("view=team", {"grow-revenue", "secret-plan", "finance-secret"}),
        ("team=Growth", {"grow-revenue", "secret-plan"}),
        ("owner=alice@acme.test", {"be-the-best", "finance-secret"}),
        ("kind=committed", {"be-the-best"}),
    ],
)
def test_it_filters_by_level_team_owner_and_kind(client, plan, query, refs):
    client.force_login(plan.world.alice)
    assert set(rows(client.get(f"/objectives/?{query}").content.decode())) == refs


def test_it_filters_by_status(client, plan):
    client.force_login(plan.world.alice)
    numbers = report_numbers(plan, plan.world.alice)
    status = numbers["grow-revenue"]["status"]
    listed = rows(client.get(f"/objectives/?status={status}").content.decode())
    assert listed
    assert {row["status"] for row in listed.values()} == {status}


def test_it_draws_a_child_under_each_of_its_parents(client, plan):
    second = Objective.objects.create(
        organization=plan.world.acme,
        ref="second-parent",
        cycle=plan.q4,
        team=plan.world.company,
        title="Second parent",
        level="company",
    )
    Alignment.objects.create(
        organization=plan.world.acme, child=plan.growth_objective, parent=second, weight=2
    )
    client.force_login(plan.world.alice)
    html = client.get("/objectives/map/").content.decode()
    assert html.count('data-ref="grow-revenue"') == 2
    expected = report_numbers(plan, plan.world.alice)
    assert rows(html)["grow-revenue"]["progress"] == shown(expected["grow-revenue"]["progress"])


def test_it_shows_an_objective_with_its_key_results_history_and_parents(client, plan):
    client.force_login(plan.world.bob)
    html = client.get("/objectives/grow-revenue/").content.decode()
    numbers = report_numbers(plan, plan.world.bob)["grow-revenue"]
    shown_rows = rows(html)
    for kr in numbers["key_results"]:
        assert shown_rows[kr["ref"]]["progress"] == shown(kr["progress"])
        assert shown_rows[kr["ref"]]["current"] == shown(kr["current"])
    assert "slow start" in html  # the check-in history with notes
    assert "Be the best place to shop" in html  # its parent
    assert '<img src="/charts/kr/revenue.svg"' in html
    assert "<caption>Revenue: readings</caption>" in html  # the chart's text alternative


def test_it_creates_an_objective_aligned_to_a_company_objective(client, plan):
    client.force_login(plan.world.alice)
    response = client.post(
        "/objectives/new/",
        {
            "title": "Open a second shop",
            "cycle": plan.q4.name,
            "team": plan.world.growth.pk,
            "owner": plan.world.bob.pk,
            "level": "team",
            "kind": "committed",
            "state": "active",
            "progress_mode": "key_results",
            "parent_0": "be-the-best",
            "weight_0": "2",
        },
    )
    assert response.status_code == 302
    created = Objective.objects.get(title="Open a second shop")
    assert response["Location"] == f"/objectives/{created.ref}/"
    link = Alignment.objects.get(child=created)
    assert (link.parent.ref, link.weight) == ("be-the-best", Decimal(2))


def test_it_keeps_everything_typed_when_the_objective_form_fails(client, plan):
    client.force_login(plan.world.alice)
    response = client.post(
        "/objectives/new/",
        {
            "title": "",
            "description": "my long careful description",
            "cycle": plan.q4.name,
            "team": plan.world.growth.pk,
            "level": "company",
            "kind": "committed",
            "state": "active",
            "progress_mode": "key_results",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert "my long careful description" in html


def test_it_refuses_a_company_objective_outside_the_company_team(client, plan):
    client.force_login(plan.world.alice)
    response = client.post(
        "/objectives/new/",
        {
            "title": "Wrong level",
            "cycle": plan.q4.name,
            "team": plan.world.growth.pk,
            "level": "company",
            "kind": "committed",
            "state": "active",
            "progress_mode": "key_results",
        },
    )
    assert response.status_code == 400
    assert "a company objective belongs to the company team" in response.content.decode()


def test_it_rejects_target_equal_to_start_next_to_the_field(client, plan):
    client.force_login(plan.world.alice)
    data = {"title": "Flat", "type": "metric", "start": "5", "target": "5", "weight": "1"}
    response = client.post("/objectives/grow-revenue/key-results/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_target_error"' in html
    error = html.split('id="id_target_error"', 1)[1].split("</span>", 1)[0]
    assert "target equals start" in error
    assert 'value="Flat"' in html
    # The inline check (htmx, on change) answers with the same message for that field.
    inline = client.post("/objectives/key-results/validate/", data).content.decode()
    assert "target equals start" in inline.split('id="id_target_error"', 1)[1].split("</span>")[0]
    assert 'hx-swap-oob="true"' in inline


def test_it_adds_and_edits_key_results(client, plan):
    client.force_login(plan.world.alice)
    response = client.post(
        "/objectives/grow-revenue/key-results/new/",
        {
            "title": "Repeat buyers",
            "type": "metric",
            "start": "10",
            "target": "25",
            "unit": "%",
            "weight": "1",
            "add_another": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/key-results/new/")
    kr = KeyResult.objects.get(title="Repeat buyers")
    assert (kr.start, kr.target, kr.objective) == (10, 25, plan.growth_objective)
    response = client.post(
        f"/objectives/key-results/{kr.ref}/edit/",
        {
            "title": "Repeat buyers",
            "type": "metric",
            "start": "10",
            "target": "30",
            "unit": "%",
            "weight": "2",
            "version": kr.version,
        },
    )
    assert response.status_code == 302
    kr.refresh_from_db()
    assert (kr.target, kr.weight) == (30, 2)


def test_it_moves_a_key_result_to_another_objective(client, plan):
    client.force_login(plan.world.alice)
    response = client.post("/objectives/key-results/signups/move/", {"objective": "be-the-best"})
    assert response.status_code == 302
    plan.signups.refresh_from_db()
    assert plan.signups.objective == plan.company_objective


def test_it_duplicates_an_objective_into_another_cycle(client, plan):
    client.force_login(plan.world.alice)
    response = client.post("/objectives/grow-revenue/duplicate/", {"cycle": plan.q3.name})
    assert response.status_code == 302
    copy = Objective.objects.get(cycle=plan.q3, title="Grow revenue")
    assert copy.key_results.count() == 3
    assert (copy.kind, copy.level, copy.team, copy.owner) == (
        plan.growth_objective.kind,
        "team",
        plan.world.growth,
        plan.world.bob,
    )


def test_it_refuses_bob_planning_team_objectives(client, plan):
    client.force_login(plan.world.bob)
    assert client.get("/objectives/be-the-best/edit/").status_code == 403
    response = client.get("/objectives/grow-revenue/key-results/new/")
    assert response.status_code == 403
    assert "you may not plan this objective" in response.content.decode()


def test_it_opens_a_cycle(client, plan):
    client.force_login(plan.world.alice)
    page = client.get("/objectives/cycles/new/").content.decode()
    assert 'value="' in page
    response = client.post(
        "/objectives/cycles/new/", {"name": "2030-Q1", "start": "2030-01-01", "end": "2029-12-31"}
    )
    assert response.status_code == 400
    assert "the end must be after the start" in response.content.decode()
    response = client.post(
        "/objectives/cycles/new/", {"name": "2030-Q1", "start": "2030-01-01", "end": "2030-03-31"}
    )
    assert response.status_code == 302
    client.force_login(plan.world.bob)
    assert client.get("/objectives/cycles/new/").status_code == 403


def test_it_adds_an_initiative_to_a_key_result(client, plan):
    client.force_login(plan.world.bob)
    response = client.post(
        "/objectives/key-results/revenue/initiatives/",
        {"title": "Partner webinar", "status": "in_progress"},
    )
    assert response.status_code == 302
    initiative = plan.revenue.initiatives.get()
    assert (initiative.title, initiative.status) == ("Partner webinar", "in_progress")
    html = client.get("/objectives/grow-revenue/").content.decode()
    assert "Partner webinar" in html
    client.force_login(plan.world.charlie)
    response = client.post("/objectives/key-results/revenue/initiatives/", {"title": "x"})
    assert response.status_code == 404
