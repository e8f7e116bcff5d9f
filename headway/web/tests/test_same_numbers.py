"""Every page shows the numbers `headway report` prints for the same day (issue 3, item 8)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from headway.web.tests.helpers import rows, shown
from headway.web.tests.pages import Plan

pytestmark = pytest.mark.django_db


def headway_report(plan: Plan, day: date) -> Any:
    out = io.StringIO()
    call_command(
        "report",
        cycle=plan.q4.name,
        organization="Acme",
        as_of=day.isoformat(),
        format="json",
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.mark.parametrize("days_ago", [0, 20])
def test_it_shows_the_numbers_of_headway_report(client, plan, days_ago):
    day = plan.today - timedelta(days=days_ago)
    query = f"?as_of={day.isoformat()}" if days_ago else ""
    report = headway_report(plan, day)
    assert report["as_of"] == day.isoformat()
    client.force_login(plan.world.alice)  # the admin sees everything the command prints

    listed = rows(client.get(f"/objectives/{query}").content.decode())
    mapped = rows(client.get(f"/objectives/map/{query}").content.decode())
    assert set(listed) == {o["ref"] for o in report["objectives"]}
    for objective in report["objectives"]:
        ref = objective["ref"]
        for page in (listed, mapped):
            assert page[ref]["progress"] == shown(objective["progress"]), ref
            assert page[ref]["status"] == objective["status"], ref
        detail = rows(client.get(f"/objectives/{ref}/{query}").content.decode())
        for kr in objective["key_results"]:
            assert detail[kr["ref"]]["progress"] == shown(kr["progress"]), kr["ref"]
            assert detail[kr["ref"]]["current"] == shown(kr["current"]), kr["ref"]
            assert detail[kr["ref"]]["status"] == kr["status"], kr["ref"]

    tiles = rows(client.get(f"/kpis/{query}").content.decode())
    assert set(tiles) == {k["ref"] for k in report["kpis"]}
    for kpi in report["kpis"]:
        assert tiles[kpi["ref"]]["current"] == shown(kpi["current"]), kpi["ref"]
        assert tiles[kpi["ref"]]["rag"] == (kpi["rag"] or ""), kpi["ref"]
        assert tiles[kpi["ref"]]["stale"] == ("true" if kpi["stale"] else "false"), kpi["ref"]


def test_it_shows_a_past_day_as_it_was(client, plan):
    """The as-of date changes what a page shows: a check-in after it is not counted."""
    client.force_login(plan.world.alice)
    before = (plan.today - timedelta(days=20)).isoformat()  # after the revenue check-in only
    earlier = (plan.today - timedelta(days=30)).isoformat()  # before any check-in
    then = rows(client.get(f"/objectives/grow-revenue/?as_of={before}").content.decode())
    first = rows(client.get(f"/objectives/grow-revenue/?as_of={earlier}").content.decode())
    now = rows(client.get("/objectives/grow-revenue/").content.decode())
    assert first["revenue"]["current"] == "0"
    assert then["revenue"]["current"] == "30000"
    assert then["signups"]["current"] == "100"  # its check-in came later
    assert now["signups"]["current"] == "200"
