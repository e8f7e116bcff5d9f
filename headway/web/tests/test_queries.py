"""List pages read a fixed number of rows' worth of queries, whatever the organization's size.

Each page is counted on a small organization and again once it is three times larger
(three times the teams, people, objectives, key results, check-ins and KPIs).
"""

from __future__ import annotations

import pytest

from headway.web.tests.helpers import queries_run
from headway.web.tests.pages import add_team, make_plan

pytestmark = pytest.mark.django_db

PAGES = ["/", "/objectives/", "/objectives/map/", "/kpis/", "/objectives/?view=team&team=Growth"]


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
