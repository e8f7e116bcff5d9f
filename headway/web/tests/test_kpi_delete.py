"""Deleting a KPI from its page: a confirmation that says what goes with it."""

from __future__ import annotations

import pytest

from headway.audit.models import AuditEvent
from headway.feeds.models import Source
from headway.kpis.models import KPI, Measurement
from headway.okrs.models import KeyResult
from headway.web.tests.helpers import text

pytestmark = pytest.mark.django_db


def test_it_says_what_goes_with_the_kpi_then_deletes_it(client, plan):
    Source.objects.create(
        organization=plan.world.acme, kpi=plan.churn, name="Warehouse", kind=Source.Kind.SQL
    )
    Measurement.objects.filter(kpi=plan.churn).order_by("at")[0].delete()
    client.force_login(plan.world.alice)
    detail = client.get("/kpis/churn/").content.decode()
    assert 'href="/kpis/churn/delete/"' in detail
    confirm = text(client.get("/kpis/churn/delete/").content.decode())
    assert "its 3 measurements;" in confirm
    assert "its data source Warehouse, with their sync logs;" in confirm
    assert "No key result follows it." in confirm
    response = client.post("/kpis/churn/delete/", {"version": plan.churn.version})
    assert response["Location"] == "/kpis/"
    assert not KPI.objects.filter(ref="churn").exists()
    assert not Measurement.objects.filter(kpi_id=plan.churn.pk).exists()
    assert not Source.objects.filter(kpi_id=plan.churn.pk).exists()
    event = AuditEvent.objects.get(object_type="kpi", object_label="churn", action="deleted")
    assert (event.actor, event.surface) == (plan.world.alice, "web")
    board = client.get("/kpis/").content.decode()
    assert "KPI Churn deleted with its 3 measurements." in board
    assert 'data-ref="churn"' not in board


def test_it_keeps_a_kpi_that_drives_key_results_and_says_how_to_free_it(client, plan):
    KeyResult.objects.filter(pk=plan.revenue.pk).update(kpi=plan.churn)
    KeyResult.objects.filter(ref="finance-kr").update(kpi=plan.churn)  # a private objective
    client.force_login(plan.world.bob)  # owns churn, cannot see Finance's private plan
    confirm = client.get("/kpis/churn/delete/").content.decode()
    assert "Key results follow Churn" in confirm
    assert 'href="/objectives/key-results/revenue/edit/"' in confirm
    assert "1 more key result in private objectives you cannot see follows it" in confirm
    assert "finance-kr" not in confirm
    assert "Finance KR" not in confirm
    assert 'class="danger"' not in confirm
    response = client.post("/kpis/churn/delete/", follow=True)
    assert "key results follow this KPI: unlink them first" in response.content.decode()
    assert KPI.objects.filter(ref="churn").exists()


def test_it_refuses_an_edit_made_from_an_old_version(client, plan):
    client.force_login(plan.world.alice)
    KPI.objects.filter(pk=plan.churn.pk).update(version=5)
    response = client.post("/kpis/churn/delete/", {"version": "4"}, follow=True)
    assert "Someone changed this KPI meanwhile" in response.content.decode()
    assert KPI.objects.filter(ref="churn").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_lets_only_those_who_may_change_the_kpi_delete_it(client, plan, method):
    client.force_login(plan.world.bob)  # a member; NPS is alice's, of the company team
    assert getattr(client, method)("/kpis/nps/delete/").status_code == 403
    assert 'href="/kpis/nps/delete/"' not in client.get("/kpis/nps/").content.decode()
    assert getattr(client, method)("/kpis/cash/delete/").status_code == 404  # private
    client.force_login(plan.world.charlie)
    assert getattr(client, method)("/kpis/nps/delete/").status_code == 404
    assert KPI.objects.filter(ref__in=["nps", "cash"]).count() == 2
