"""The objective form checks itself as it is typed: htmx posts it to its own URL with the
HX-Request header, and the server answers with each field's message (saving nothing), in
the words a normal submit shows."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from headway.okrs.models import Alignment, Objective
from headway.web.tests.helpers import queries_run
from headway.web.tests.pages import Plan, add_team

pytestmark = pytest.mark.django_db

NEW = "/objectives/new/"
EDIT = "/objectives/grow-revenue/edit/"
MESSAGE = re.compile(r'<span class="errorlist" id="id_(\w+)_error"[^>]*>(.*?)</span>', re.S)


def good(plan: Plan, **changes: Any) -> dict[str, Any]:
    data = {
        "title": "Open a second shop",
        "description": "",
        "cycle": plan.q4.name,
        "team": plan.world.growth.pk,
        "owner": plan.world.bob.pk,
        "level": "team",
        "kind": "committed",
        "state": "active",
        "progress_mode": "key_results",
        "parent_0": "be-the-best",
        "weight_0": "2",
        "parent_1": "",
        "weight_1": "",
    }
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


def check(client: Client, url: str, data: dict[str, Any], status: int = 200) -> dict[str, str]:
    """The inline check's answer: field name -> its message ('' when none)."""
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == status
    body = response.content.decode()
    assert 'hx-swap-oob="true"' in body
    assert "<form" not in body  # only the messages, swapped in out of band
    return {name: html.unescape(text) for name, text in MESSAGE.findall(body)}


def loop_from(start: str, message: str) -> list[str]:
    """The objectives of "alignment would loop: a -> b -> a", in order from `start`."""
    path = message.removeprefix("alignment would loop: ").split(" -> ")
    assert path[0] == path[-1], message
    at = path.index(start)
    return path[at:-1] + path[:at]


def test_it_finds_nothing_wrong_with_good_input_and_saves_nothing(client, plan):
    client.force_login(plan.world.alice)
    before = Objective.objects.count(), Alignment.objects.count()
    messages = check(client, NEW, good(plan))
    assert set(messages) >= {"title", "team", "owner", "parent_0", "weight_0"}
    assert all(m == "" for m in messages.values()), messages
    edit = check(client, EDIT, good(plan, title="Grow revenue faster"))
    assert all(m == "" for m in edit.values()), edit
    assert (Objective.objects.count(), Alignment.objects.count()) == before
    assert Objective.objects.get(ref="grow-revenue").title == "Grow revenue"


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("title", {"title": "x" * 301}, "at most 300 characters (it has 301)"),
        ("team", {"level": "company"}, "a company objective belongs to the company team"),
        ("team", {"team": "999999"}, "choose one of the organization's teams"),
        ("cycle", {"cycle": "1999-Q1"}, "choose one of the organization's cycles"),
        ("weight_0", {"weight_0": "-1"}, "weight is a zero or positive number"),
        ("weight_0", {"weight_0": "two"}, "weight is a zero or positive number"),
        ("weight_0", {"weight_0": "1e25"}, "at most 20 digits before the decimal point"),
        ("parent_0", {"parent_0": "no-such-objective"}, "no objective no-such-objective"),
        ("parent_1", {"parent_1": "be-the-best"}, "this parent is listed twice"),
    ],
)
def test_it_names_the_problem_beside_its_field(client, plan, field, changes, message):
    client.force_login(plan.world.alice)
    messages = check(client, NEW, good(plan, **changes))
    assert message in messages[field]
    assert [name for name, text in messages.items() if text] == [field]
    # A normal submit (no JavaScript) shows the same words beside the same field.
    response = client.post(NEW, good(plan, **changes))
    assert response.status_code == 400
    assert message in html.unescape(dict(MESSAGE.findall(response.content.decode()))[field])


def test_it_names_an_owner_from_another_organization(client, plan):
    client.force_login(plan.world.alice)
    messages = check(client, NEW, good(plan, owner=plan.world.charlie.pk))
    assert messages["owner"] == "that person is not in this organization"


def test_it_reports_an_emptied_title_but_not_one_never_typed(client, plan):
    client.force_login(plan.world.alice)
    assert check(client, EDIT, good(plan, title=""))["title"] == "This field is required."
    # A new form's empty title is not an error yet: the person has not reached it.
    assert check(client, NEW, good(plan, title=""))["title"] == ""
    assert check(client, NEW, good(plan, title="   "))["title"] == "This field is required."


def test_it_reports_a_parent_that_would_close_a_loop_beside_its_row(client, plan):
    client.force_login(plan.world.alice)
    # be-the-best is grow-revenue's parent; aligning it to grow-revenue would loop. The
    # parent sits in the second row, the first left empty: the message follows the row.
    data = good(plan, title="Be the best place to shop", team=plan.world.company.pk)
    data |= {"level": "company", "parent_0": "", "weight_0": "", "parent_1": "grow-revenue"}
    data["weight_1"] = "1"
    messages = check(client, "/objectives/be-the-best/edit/", data)
    assert loop_from("be-the-best", messages["parent_1"]) == ["be-the-best", "grow-revenue"]
    assert [name for name, text in messages.items() if text] == ["parent_1"]
    response = client.post("/objectives/be-the-best/edit/", data)
    assert response.status_code == 400
    assert "alignment would loop" in dict(MESSAGE.findall(response.content.decode()))["parent_1"]
    assert not Alignment.objects.filter(child=plan.company_objective).exists()


def test_it_tells_bob_which_teams_he_may_plan_for(client, plan):
    client.force_login(plan.world.bob)
    messages = check(client, NEW, good(plan))
    assert messages["team"] == (
        "you may not plan team objectives of Growth: its leads and admins do"
    )
    personal = check(client, NEW, good(plan, level="personal"))
    assert personal["team"] == ""  # his own personal objective in his team: allowed
    for_alice = check(client, NEW, good(plan, level="personal", owner=plan.world.alice.pk))
    assert "you may not plan this personal objective of Growth" in for_alice["team"]
    # A normal submit says the same, beside the team rather than above the form.
    response = client.post(NEW, good(plan))
    assert response.status_code == 400
    assert "its leads and admins do" in dict(MESSAGE.findall(response.content.decode()))["team"]
    assert not Objective.objects.filter(title="Open a second shop").exists()


def test_it_does_not_tell_bob_about_private_objectives(client, plan):
    world = plan.world
    mine = Objective.objects.create(
        organization=world.acme,
        ref="bobs-own",
        cycle=plan.q4,
        team=world.growth,
        owner=world.bob,
        title="Bob's own",
        level="personal",
    )
    # finance-secret (private, another team) aligns to bob's objective, and grow-revenue
    # to finance-secret: bob aligning his objective to grow-revenue closes a loop through
    # an objective he may not see.
    secret = Objective.objects.get(ref="finance-secret")
    Alignment.objects.create(organization=world.acme, child=secret, parent=mine)
    Alignment.objects.create(organization=world.acme, child=plan.growth_objective, parent=secret)
    client.force_login(world.bob)
    url = "/objectives/bobs-own/edit/"
    data = good(plan, title="Bob's own", level="personal", parent_0="grow-revenue")
    body = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    message = html.unescape(dict(MESSAGE.findall(body))["parent_0"])
    assert loop_from("bobs-own", message) == ["bobs-own", "grow-revenue", "a private objective"]
    submitted = client.post(url, data).content.decode()
    for page in (body, submitted):
        assert "finance-secret" not in page  # its ref, made from its title
        assert "Finance private plan" not in page
    # Nor can he name a private objective as a parent: it is as unknown as a missing one.
    hidden = check(client, url, good(plan, title="Bob's own", parent_0="finance-secret"))
    assert hidden["parent_0"] == "no objective finance-secret to align to"
    assert "Finance" not in str(hidden)


def test_it_answers_only_those_who_may_plan_the_objective(client, plan):
    client.force_login(plan.world.charlie)  # another organization
    assert client.post(EDIT, good(plan), HTTP_HX_REQUEST="true").status_code == 404
    assert (
        client.post("/objectives/secret-plan/edit/", {}, HTTP_HX_REQUEST="true").status_code == 404
    )
    client.force_login(plan.world.bob)  # sees it, may not plan it
    response = client.post("/objectives/be-the-best/edit/", good(plan), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "errorlist" not in response.content.decode()
    assert (
        client.post("/objectives/finance-secret/edit/", {}, HTTP_HX_REQUEST="true").status_code
        == 404
    )
    client.logout()
    response = client.post(NEW, good(plan), HTTP_HX_REQUEST="true")
    assert response.status_code == 302  # to the sign-in page
    assert "errorlist" not in response.content.decode()


def test_it_needs_the_csrf_token(plan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(plan.world.alice)
    assert client.post(NEW, good(plan), HTTP_HX_REQUEST="true").status_code == 403
    page = client.get(NEW).content.decode()
    assert 'hx-post="/objectives/new/"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    data = good(plan, csrfmiddlewaretoken=token.group(1))
    assert client.post(NEW, data, HTTP_HX_REQUEST="true").status_code == 200


def count(client: Client, url: str, data: dict[str, Any]) -> int:
    client.post(url, data, HTTP_HX_REQUEST="true")  # warm up (sessions, caches)
    with queries_run() as queries:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return len(queries)


# Signing in and the organization (5), the objective or the open cycles (1), the parent
# choices (1), the chosen cycle, team and owner (3), the alignment links (1), and the
# session's save (3): whatever the organization's size.
QUERIES = 14


@pytest.mark.parametrize("url", [EDIT, NEW])
def test_it_checks_in_a_fixed_number_of_queries(client, plan, url):
    client.force_login(plan.world.alice)
    data = good(plan, title="Grow revenue")
    assert count(client, url, data) == QUERIES
    for n in range(4):  # more teams, people, objectives and alignment links
        add_team(plan.world, plan.q4, plan.company_objective, n, plan.today)
    assert count(client, url, data) == QUERIES
    # Wrong values cost no more; a loop adds the one query that names its objectives.
    assert count(client, url, good(plan, title="", weight_0="-1")) <= QUERIES
    loop = good(plan, title="Be the best", team=plan.world.company.pk, parent_0="grow-revenue")
    assert count(client, "/objectives/be-the-best/edit/", loop) == QUERIES + 1
