"""KPI pages: the board and a KPI's page show the report's numbers; measurements and KPIs."""

from __future__ import annotations

from typing import Any

import pytest

from headway.kpis.models import KPI, Measurement
from headway.org.access import actor_for
from headway.org.models import User
from headway.web import charts
from headway.web.report import kpi_report
from headway.web.tests.helpers import rows, shown
from headway.web.tests.pages import Plan

pytestmark = pytest.mark.django_db


def kpi_numbers(plan: Plan, user: User) -> dict[str, Any]:
    report = kpi_report(actor_for(user, plan.world.acme), plan.today)
    return {k["ref"]: k for k in report["kpis"]}


def test_it_shows_tiles_with_the_report_numbers(client, plan):
    client.force_login(plan.world.alice)
    html = client.get("/kpis/").content.decode()
    tiles = rows(html)
    expected = kpi_numbers(plan, plan.world.alice)
    assert set(tiles) == set(expected)
    for ref, numbers in expected.items():
        assert tiles[ref]["current"] == shown(numbers["current"])
        assert tiles[ref]["rag"] == (numbers["rag"] or "")
        assert tiles[ref]["gap"] == shown(numbers["gap"])
        assert tiles[ref]["trend"] == (numbers["trend"] or "")
    assert html.count('<svg class="spark"') == len(expected)
    # Each sparkline draws the report's last period values of its KPI.
    by_ref = {k.ref: k for k in KPI.objects.filter(organization=plan.world.acme)}
    assert any(len(numbers["recent"]) > 1 for numbers in expected.values())
    for ref, numbers in expected.items():
        label = f'aria-label="{by_ref[ref].name}: last {len(numbers["recent"])} periods"'
        assert label in html
        assert charts.sparkline(numbers["recent"], label=label[12:-1]) in html


def test_it_hides_private_kpis_of_other_teams(client, plan):
    client.force_login(plan.world.bob)
    assert "cash" not in rows(client.get("/kpis/").content.decode())
    assert client.get("/kpis/cash/").status_code == 404


def test_it_turns_a_tile_red_after_a_measurement(client, plan):
    client.force_login(plan.world.bob)
    assert rows(client.get("/kpis/").content.decode())["churn"]["rag"] == "yellow"
    response = client.post(
        "/kpis/churn/measurements/", {"day": plan.today.isoformat(), "value": "4.8"}
    )
    assert response.status_code == 302
    assert rows(client.get("/kpis/").content.decode())["churn"]["rag"] == "red"


def test_it_rejects_a_bad_measurement_next_to_the_field(client, plan):
    client.force_login(plan.world.bob)
    before = Measurement.objects.count()
    response = client.post("/kpis/churn/measurements/", {"day": "2999-01-01", "value": "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert Measurement.objects.count() == before
    assert "a measurement cannot be in the future" in html
    assert "Enter a number." in html


def test_it_corrects_and_deletes_a_measurement_keeping_history(client, plan):
    client.force_login(plan.world.bob)
    latest = Measurement.objects.filter(kpi=plan.churn).latest("at")
    response = client.post(f"/kpis/churn/measurements/{latest.pk}/", {"value": "5"})
    assert response.status_code == 302
    latest.refresh_from_db()
    assert latest.superseded_at is not None
    assert kpi_numbers(plan, plan.world.bob)["churn"]["current"] == 5
    live = Measurement.objects.get(kpi=plan.churn, superseded_at=None, at=latest.at)
    confirm = client.get(f"/kpis/churn/measurements/{live.pk}/delete/")
    assert "Delete this measurement?" in confirm.content.decode()
    assert Measurement.objects.filter(pk=live.pk, superseded_at=None).exists()
    client.post(f"/kpis/churn/measurements/{live.pk}/delete/")
    assert not Measurement.objects.filter(kpi=plan.churn, superseded_at=None, at=latest.at).exists()
    assert Measurement.objects.filter(pk=live.pk).exists()  # kept as history
    assert kpi_numbers(plan, plan.world.bob)["churn"]["current"] == 1.9  # the month before


def test_it_shows_a_kpi_page_with_chart_table_and_driven_key_results(client, plan):
    plan.revenue.kpi = plan.churn
    plan.revenue.save()
    client.force_login(plan.world.bob)
    html = client.get("/kpis/churn/").content.decode()
    assert '<img src="/charts/kpi/churn.svg"' in html
    assert "<caption>Churn per period</caption>" in html
    assert "Revenue" in html.split('id="d-heading"', 1)[1]


def test_it_creates_a_kpi_and_rejects_bad_thresholds_next_to_the_field(client, plan):
    client.force_login(plan.world.alice)
    data = {
        "name": "Refund rate",
        "team": plan.world.growth.pk,
        "cadence": "monthly",
        "aggregation": "last",
        "direction": "lower_is_better",
        "target": "3",
        "red": "2",
        "unit": "%",
    }
    response = client.post("/kpis/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "lower is better: red must be at or above the target"
        in html.split('id="id_red_error"', 1)[1].split("</span>")[0]
    )
    assert 'value="Refund rate"' in html
    response = client.post("/kpis/new/", {**data, "red": "5"})
    assert response.status_code == 302
    kpi = KPI.objects.get(name="Refund rate")
    assert (kpi.target, kpi.red) == (3, 5)
    response = client.post(f"/kpis/{kpi.ref}/edit/", {**data, "red": "6", "version": kpi.version})
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.red == 6


def test_it_lets_only_leads_and_owners_edit_a_kpi(client, plan):
    client.force_login(plan.world.bob)
    assert client.get("/kpis/nps/edit/").status_code == 403
    assert client.get("/kpis/churn/edit/").status_code == 200  # bob owns it


def test_it_offers_feeds_alerts_and_a_recovery_draft_once_a_kpi_is_red(client, plan):
    client.force_login(plan.world.bob)
    yellow = client.get("/kpis/churn/").content.decode()
    assert 'href="/feeds/kpis/churn/"' in yellow
    assert 'href="/feeds/kpis/churn/alerts/"' in yellow
    assert "Draft a recovery objective" not in yellow

    latest = Measurement.objects.filter(kpi=plan.churn).latest("at")
    Measurement.objects.create(
        organization=plan.world.acme, kpi=plan.churn, at=latest.at, value=latest.value * 3
    )
    red = client.get("/kpis/churn/").content.decode()
    assert 'action="/feeds/kpis/churn/recover/"' in red
    assert 'href="/feeds/upload/"' in client.get("/kpis/").content.decode()


def test_it_pages_back_to_older_measurements_to_correct_or_delete_them(client, plan):
    # Only the latest 60 were listed, with no word about the others: a reading mistyped as
    # 1999 could not be found, corrected or deleted from the pages.
    from datetime import timedelta
    from decimal import Decimal

    from headway.web.tests.pages import at

    typo = Measurement.objects.create(
        organization=plan.world.acme,
        kpi=plan.churn,
        at=at(plan.today.replace(year=1999)),
        value=Decimal(9),
    )
    for days in range(1, 70):
        Measurement.objects.create(
            organization=plan.world.acme,
            kpi=plan.churn,
            at=at(plan.today - timedelta(days=days)),
            value=Decimal(2),
        )
    live = Measurement.objects.filter(kpi=plan.churn, superseded_at=None).count()
    client.force_login(plan.world.bob)
    first = client.get("/kpis/churn/").content.decode()
    assert f"The latest 60 of {live} measurements" in first
    assert f"/measurements/{typo.pk}/delete/" not in first
    older = first.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert older == "?older=60"
    second = client.get(f"/kpis/churn/{older}").content.decode()
    assert f"/measurements/{typo.pk}/delete/" in second
    assert 'rel="prev"' in second
