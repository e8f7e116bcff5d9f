"""List pages read a fixed number of rows' worth of queries, whatever the organization's size.

Each page is counted on a small organization and again once it is three times larger
(three times the teams, people, objectives, key results, check-ins and KPIs).
"""

from __future__ import annotations

import pytest

from headway.web.tests.helpers import queries_run
from headway.web.tests.pages import add_team, make_plan

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/objectives/",
    "/objectives/map/",
    "/kpis/",
    "/objectives/?view=team&team=Growth",
    "/team/",
    "/objectives/cycles/",
]


def count_queries(client, url: str) -> int:
    client.get(url)  # warm up: first-request work (sessions, caches) is not the page's
    with queries_run() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert queries  # the counting works
    return len(queries)


@pytest.mark.parametrize("persona", ["alice", "bob"])
@pytest.mark.parametrize("url", PAGES)
def test_it_uses_the_same_number_of_queries_for_a_larger_organization(client, world, url, persona):
    plan = make_plan(world, extra_teams=2)
    client.force_login(getattr(world, persona))
    small = count_queries(client, url)
    small_page = client.get(url).content
    for n in range(2, 6):  # 2 teams -> 6 teams: three times the organization
        add_team(world, plan.q4, plan.company_objective, n, plan.today)
    large = count_queries(client, url)
    assert client.get(url).content != small_page  # the page did grow
    assert large == small


def _grow_people_and_cycles(world, n: int) -> None:
    """Another cycle, a team, and a person invited to it who has not joined yet."""
    from datetime import date

    from headway.okrs.models import Cycle
    from headway.org.access import actor_for
    from headway.org.actions import invite_person
    from headway.org.models import Team

    Cycle.objects.create(
        organization=world.acme,
        name=f"Y{n}",
        start=date(2000 + n, 1, 1),
        end=date(2000 + n, 12, 31),
    )
    team = Team.objects.create(organization=world.acme, name=f"Squad {n}", parent=world.company)
    invite_person(actor_for(world.alice, world.acme), email=f"new{n}@acme.test", teams=[team])


@pytest.mark.parametrize("url", ["/team/", "/objectives/cycles/"])
def test_it_lists_people_invitations_and_cycles_in_a_fixed_number_of_queries(client, world, url):
    make_plan(world, extra_teams=2)
    _grow_people_and_cycles(world, 0)
    client.force_login(world.alice)
    small = count_queries(client, url)
    for n in range(1, 4):
        _grow_people_and_cycles(world, n)
    large = count_queries(client, url)
    html = client.get(url).content.decode()
    assert "new3@acme.test" in html or 'data-cycle="Y3"' in html  # the page did grow
    assert large == small
