"""The site frame and My week: sign-in, organization, as-of, check-ins, charts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from headway.kpis.models import Measurement
from headway.okrs.models import CheckIn
from headway.org.models import Membership, Organization, Role, Team
from headway.web.report import report_for
from headway.web.tests.helpers import rows, shown
from headway.web.tests.pages import Plan, at

pytestmark = pytest.mark.django_db


def test_it_sends_strangers_to_sign_in(client, plan):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_signs_in_and_out(client, plan):
    response = client.post("/login/", {"username": "bob@acme.test", "password": "password"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_it_rejects_a_wrong_password_with_a_message(client, plan):
    response = client.post("/login/", {"username": "bob@acme.test", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct email" in response.content.decode()
    assert 'value="bob@acme.test"' in response.content.decode()


def test_it_emails_a_password_reset_link_that_sets_a_new_password(client, plan, mailoutbox):
    client.post("/password-reset/", {"email": "bob@acme.test"})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "a long new secret 42", "new_password2": "a long new secret 42"}
    )
    assert client.login(username="bob@acme.test", password="a long new secret 42")


def test_every_page_links_to_the_api_tokens(client, plan):
    # README and docs/api.md send people to "API tokens"; the header is where they look.
    client.force_login(plan.world.bob)
    for path in ("/", "/kpis/", "/team/"):
        assert 'href="/api/tokens/"' in client.get(path).content.decode(), path


def test_it_shows_bob_his_key_results_with_the_report_numbers(client, plan):
    client.force_login(plan.world.bob)
    html = client.get("/").content.decode()
    shown_rows = rows(html)
    assert {"revenue", "signups", "launch"} <= set(shown_rows)
    assert "secret-kr" in shown_rows  # bob owns the private Growth objective
    assert "nps-kr" not in shown_rows  # alice's
    from headway.org.access import actor_for
    from headway.web.decorators import OrgRequest  # noqa: F401  (import check only)

    report = report_for(actor_for(plan.world.bob, plan.world.acme), plan.q4, plan.today)
    numbers = {kr["ref"]: kr for o in report["objectives"] for kr in o["key_results"]}
    for ref in ("revenue", "signups", "launch"):
        assert shown_rows[ref]["progress"] == shown(numbers[ref]["progress"])
        assert shown_rows[ref]["status"] == numbers[ref]["status"]


def _checkin_form(plan: Plan, **overrides: str) -> dict[str, str]:
    data = {}
    for kr in (plan.revenue, plan.signups):
        data[f"value-{kr.pk}"] = "0"
        data[f"confidence-{kr.pk}"] = "5"
    secret = plan.private_objective.key_results.get()
    data[f"value-{secret.pk}"] = "1"
    data.update(overrides)
    return data


def test_it_records_every_row_with_one_submit(client, plan):
    client.force_login(plan.world.bob)
    data = _checkin_form(
        plan,
        **{
            f"value-{plan.revenue.pk}": "90,000",
            f"confidence-{plan.revenue.pk}": "8",
            f"note-{plan.revenue.pk}": "big deal closed",
            f"value-{plan.signups.pk}": "450",
            f"done-{plan.launch.pk}": "on",
        },
    )
    before = CheckIn.objects.count()
    response = client.post("/", data)
    assert response.status_code == 302
    assert CheckIn.objects.count() == before + 4
    latest = CheckIn.objects.filter(key_result=plan.revenue).latest("at", "id")
    assert (latest.value, latest.confidence, latest.note) == (90000, 8, "big deal closed")
    assert CheckIn.objects.filter(key_result=plan.launch).get().done is True


def test_it_updates_progress_and_status_in_place_with_htmx(client, plan):
    client.force_login(plan.world.bob)
    before = rows(client.get("/").content.decode())["revenue"]
    response = client.post(
        "/",
        _checkin_form(plan, **{f"value-{plan.revenue.pk}": "100000"}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="my-week"' in html
    assert "<html" not in html
    after = rows(html)["revenue"]
    assert after["progress"] == "1.0" != before["progress"]
    assert after["status"] == "on_track"


def test_it_keeps_what_was_typed_and_saves_nothing_on_an_error(client, plan):
    client.force_login(plan.world.bob)
    before = CheckIn.objects.count()
    data = _checkin_form(
        plan,
        **{
            f"value-{plan.revenue.pk}": "lots",
            f"confidence-{plan.signups.pk}": "11",
            f"note-{plan.signups.pk}": "keep this note",
            f"value-{plan.signups.pk}": "321",
        },
    )
    response = client.post("/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert CheckIn.objects.count() == before
    assert "“lots” is not a number" in html
    assert "confidence is a whole number from 0 to 10" in html
    assert 'value="keep this note"' in html
    assert 'value="321"' in html
    assert 'value="lots"' in html


@pytest.mark.parametrize("typed", ["0,65", "1,5", "12,34", "1,2345", "0 65", "0_65"])
def test_it_refuses_a_decimal_comma_instead_of_reading_it_as_thousands(client, plan, typed):
    # "0,65" is 0.65 to half of Europe: dropping the comma would record 65.
    client.force_login(plan.world.bob)
    before = CheckIn.objects.count()
    response = client.post("/", _checkin_form(plan, **{f"value-{plan.revenue.pk}": typed}))
    assert response.status_code == 400
    assert CheckIn.objects.count() == before
    assert f"“{typed}” is not a number: use a point for decimals" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "value"),
    [("90,000", 90000), ("1,234,567.5", Decimal("1234567.5")), ("12 500", 12500), ("-3", -3)],
)
def test_it_reads_thousands_separators(client, plan, typed, value):
    client.force_login(plan.world.bob)
    response = client.post("/", _checkin_form(plan, **{f"value-{plan.revenue.pk}": typed}))
    assert response.status_code == 302
    assert CheckIn.objects.filter(key_result=plan.revenue).latest("at", "id").value == value


def test_it_lists_what_needs_me(client, plan):
    client.force_login(plan.world.bob)
    html = client.get("/").content.decode()
    stale = html.split('id="needs-stale"', 1)[1].split("</ul>", 1)[0]
    # The revenue check-in is 25 days old and signups 13: neither is from this week.
    assert "Revenue" in stale
    assert "Launch the shop" in stale
    assert 'id="needs-kpis"' not in html  # churn is yellow, fresh and improving
    Measurement.objects.create(
        organization=plan.world.acme, kpi=plan.churn, at=at(plan.today, 0), value=Decimal("4.5")
    )
    html = client.get("/").content.decode()
    assert "Churn" in html.split('id="needs-kpis"', 1)[1].split("</ul>", 1)[0]


def test_it_shows_a_past_day_read_only(client, plan):
    client.force_login(plan.world.bob)
    past = (plan.today - timedelta(days=20)).isoformat()
    html = client.get(f"/?as_of={past}").content.decode()
    assert "check-ins are recorded today only" in html
    assert "<fieldset disabled" in html
    assert client.post(f"/?as_of={past}", _checkin_form(plan)).status_code == 403


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2999-01-01"])
def test_it_explains_a_bad_as_of_date(client, plan, bad):
    client.force_login(plan.world.bob)
    response = client.get(f"/objectives/?as_of={bad}")
    assert response.status_code == 400
    assert "showing today instead" in response.content.decode()


def test_it_switches_organization_only_to_one_of_mine(client, plan):
    globex = Organization.objects.get(name="Globex")
    other = Organization.objects.create(name="Initech")
    Team.objects.create(organization=other, name="Initech")
    Membership.objects.create(organization=other, user=plan.world.bob, role=Role.MEMBER)
    client.force_login(plan.world.bob)
    assert "Initech" in client.get("/").content.decode()  # the switcher lists it
    assert client.post("/organizations/switch/", {"organization": other.pk}).status_code == 302
    assert "Initech" in client.get("/objectives/").content.decode()
    assert client.post("/organizations/switch/", {"organization": globex.pk}).status_code == 404


def test_it_serves_deterministic_accessible_charts(client, plan):
    client.force_login(plan.world.bob)
    first = client.get("/charts/kr/revenue.svg")
    second = client.get("/charts/kr/revenue.svg")
    assert first["Content-Type"] == "image/svg+xml"
    assert first.content == second.content
    svg = first.content.decode()
    assert 'role="img"' in svg
    assert "<title>Revenue</title>" in svg
    assert "<desc>" in svg
    kpi = client.get("/charts/kpi/churn.svg").content.decode()
    assert "<title>Churn</title>" in kpi
    assert "latest" in kpi


def test_it_hides_private_charts_and_other_tenants(client, plan):
    client.force_login(plan.world.bob)
    assert client.get("/charts/kr/finance-kr.svg").status_code == 404
    assert client.get("/charts/kpi/cash.svg").status_code == 404
    client.force_login(plan.world.charlie)
    assert client.get("/charts/kr/revenue.svg").status_code == 404


def test_it_gives_charlie_404_for_every_acme_page(client, plan):
    client.force_login(plan.world.charlie)
    for url in (
        "/objectives/grow-revenue/",
        "/objectives/grow-revenue/edit/",
        "/objectives/key-results/revenue/edit/",
        "/kpis/churn/",
        "/kpis/churn/edit/",
    ):
        assert client.get(url).status_code == 404, url


def test_it_copies_a_gallery_example_as_drafts(client, plan):
    client.force_login(plan.world.alice)
    assert "Fitness app" in client.get(reverse("gallery")).content.decode()
    response = client.post(reverse("gallery_copy", args=["saas"]))
    assert response.status_code == 302
    from headway.kpis.models import KPI
    from headway.okrs.models import Objective

    copied = Objective.objects.get(title="Reach $2M in annual recurring revenue")
    assert copied.state == Objective.State.DRAFT
    assert copied.cycle == plan.q4
    assert copied.key_results.count() == 3
    assert KPI.objects.filter(name="Uptime", organization=plan.world.acme).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "ARR" in page.content.decode()


def test_it_sends_a_signed_out_person_to_sign_in_and_serves_a_favicon(client, plan):
    client.force_login(plan.world.bob)
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/favicon.ico")["Location"].endswith("web/favicon.svg")
