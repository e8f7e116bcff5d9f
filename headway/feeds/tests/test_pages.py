import datetime as dt
import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.alerts.models import AlertSubscription
from headway.feeds.models import Source, Webhook
from headway.feeds.tests.helpers import make_kpi, today_at
from headway.kpis.measurements import MeasurementInput, record_measurements
from headway.kpis.models import Measurement
from headway.okrs.models import Cycle, Objective
from headway.org.access import actor_for
from headway.web.report import by_ref, kpi_report


@pytest.fixture
def bob(client, world):
    client.force_login(world.bob)
    return client


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def test_it_previews_an_upload_with_row_errors_then_imports_a_clean_one(bob, kpi):
    bad = SimpleUploadedFile("m.csv", b"day,amount\n2026-10-01,1\n2026-10-02,lots\n")
    response = bob.post(
        "/feeds/upload/",
        {"file": bad, "kpi": "signups", "time_column": "day", "value_column": "amount"},
    )
    assert response.status_code == 302
    preview = bob.get(response["Location"])
    assert preview.status_code == 400
    assert "'lots' is not a number" in html.unescape(preview.content.decode())
    assert bob.post(response["Location"]).status_code == 400
    assert Measurement.objects.count() == 0

    good = SimpleUploadedFile("m.csv", b"day,amount\n2026-10-01,1\n2026-10-02,2\n")
    response = bob.post(
        "/feeds/upload/",
        {"file": good, "kpi": "signups", "time_column": "day", "value_column": "amount"},
    )
    preview = bob.get(response["Location"])
    assert preview.status_code == 200
    assert "Import 2 measurements" in preview.content.decode()
    assert bob.post(response["Location"]).status_code == 302
    assert Measurement.objects.filter(source="import").count() == 2
    assert bob.post(response["Location"]).status_code == 200  # committed once only
    assert Measurement.objects.count() == 2


def test_it_names_the_upload_form_fields_in_file_and_mapping_problems(bob, kpi):
    csv = SimpleUploadedFile("m.csv", b"foo,bar\n1,2\n")
    response = bob.post(
        "/feeds/upload/",
        {"file": csv, "kpi": "signups", "time_column": "day", "value_column": "amount"},
    )
    page = html.unescape(bob.get(response["Location"]).content.decode())
    assert "The file cannot be read with this mapping" in page
    assert "<strong>Time column</strong>: no column 'day'; the file has: foo, bar" in page
    assert "time_column" not in page

    latin1 = SimpleUploadedFile("m.csv", "day,amount\n2026-10-01,1 caf\u00e9\n".encode("latin-1"))
    response = bob.post(
        "/feeds/upload/",
        {"file": latin1, "kpi": "signups", "time_column": "day", "value_column": "amount"},
    )
    page = html.unescape(bob.get(response["Location"]).content.decode())
    assert "The file cannot be read</h2>" in page  # not the mapping's fault
    assert "<strong>File</strong>: the CSV file is not UTF-8 text" in page


def test_it_hides_another_persons_upload(bob, world, kpi, client):
    bob.post(
        "/feeds/upload/",
        {
            "file": SimpleUploadedFile("m.csv", b"time,value\n2026-10-01,1\n"),
            "kpi": "signups",
            "time_column": "time",
            "value_column": "value",
        },
    )
    from headway.feeds.models import Upload

    client.force_login(world.alice)
    assert client.get(f"/feeds/upload/{Upload.objects.get().pk}/").status_code == 404


def test_it_configures_a_source_and_queues_a_sync_after_commit(
    bob, kpi, sqlite_dir, django_capture_on_commit_callbacks
):
    url = f"sqlite:///{sqlite_dir}/x.db"
    response = bob.post(
        "/feeds/kpis/signups/sources/new/",
        {
            "name": "warehouse",
            "kind": "sql",
            "database_url": url,
            "query": "SELECT day, v FROM t",
            "time_field": "time",
            "value_field": "value",
            "schedule": "daily",
            "interval_minutes": 60,
            "time_of_day": "06:00",
            "day_of_month": 1,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.database_url == url
    assert source.next_run_at is not None
    assert source.next_run_at > timezone.now()
    page = bob.get("/feeds/kpis/signups/").content.decode()
    assert "warehouse" in page
    assert url not in bob.get(f"/feeds/kpis/signups/sources/{source.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        bob.post(f"/feeds/kpis/signups/sources/{source.pk}/sync/")
    assert DBTaskResult.objects.get().args_kwargs["args"] == [source.pk, "manual"]


def _http_source(**fields):
    return {
        "name": "api",
        "kind": "http",
        "url": "https://8.8.8.8/metrics.json",
        "items_path": "data",
        "time_field": "t",
        "value_field": "v",
        "schedule": "interval",
        "interval_minutes": 60,
        "time_of_day": "06:00",
        "day_of_month": 1,
        "enabled": "on",
        **fields,
    }


def test_it_checks_a_sources_headers_and_interval_when_saved_not_at_the_first_sync(bob, kpi):
    response = bob.post(
        "/feeds/kpis/signups/sources/new/",
        _http_source(
            headers="Accept: application/json\nAuthorization Bearer s3cret", interval_minutes=0
        ),
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "header line 2 has no ':': write one 'Name: value' per line" in page
    message = page.split("header line 2", 1)[1].split("<", 1)[0]
    assert "s3cret" not in message  # headers are secrets: the message does not repeat them
    assert "run it every 1 minute or more" in page
    assert not Source.objects.exists()


def test_it_says_when_a_saved_source_runs_next_in_the_organizations_time(bob, kpi, world):
    world.acme.time_zone = "Europe/Paris"
    world.acme.save()
    response = bob.post("/feeds/kpis/signups/sources/new/", _http_source(), follow=True)
    source = Source.objects.get()
    local = timezone.localtime(source.next_run_at, world.acme.tz)
    assert f"Source api saved; next run {local:%Y-%m-%d %H:%M} CET." in response.content.decode()


def test_it_keeps_people_who_cannot_edit_the_kpi_out_of_its_feeds(client, world, kpi):
    client.force_login(world.charlie)
    assert client.get("/feeds/kpis/signups/").status_code == 404
    viewer_kpi = make_kpi(world, "board-only", team=world.company, owner=None)
    client.force_login(world.bob)
    assert client.get(f"/feeds/kpis/{viewer_kpi.ref}/").status_code == 403


def test_it_shows_a_new_webhook_secret_once(bob, kpi):
    bob.post("/feeds/kpis/signups/webhook/")
    hook = Webhook.objects.get()
    first = bob.get("/feeds/kpis/signups/").content.decode()
    assert hook.secret in first
    assert hook.secret not in bob.get("/feeds/kpis/signups/").content.decode()


def test_it_saves_a_watchers_alert_choices(alice, world, kpi):
    page = alice.get("/feeds/kpis/signups/alerts/")
    assert page.status_code == 200
    alice.post("/feeds/kpis/signups/alerts/", {"email": "on", "on_red": "on"})
    mine = AlertSubscription.objects.get(user=world.alice)
    assert (mine.on_red, mine.on_green, mine.email) == (True, False, True)


def test_it_drafts_a_recovery_objective_from_the_kpi_page(alice, world, kpi):
    today = timezone.now().date()
    Cycle.objects.create(
        organization=world.acme,
        name="now",
        start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=10),
    )
    record_measurements(
        actor_for(world.alice, world.acme), kpi, [MeasurementInput(today_at(), Decimal(10))]
    )
    request = RequestFactory().get("/")
    request.user = world.alice
    request.actor = actor_for(world.alice, world.acme)  # type: ignore[attr-defined]
    request.as_of = today  # type: ignore[attr-defined]
    numbers = by_ref(kpi_report(request.actor, today)["kpis"])["signups"]  # type: ignore[attr-defined]
    html = Template("{% load feeds %}{% kpi_feed_actions kpi n %}").render(
        Context({"request": request, "kpi": kpi, "n": numbers})
    )
    assert "Draft a recovery objective" in html
    response = alice.post("/feeds/kpis/signups/recover/")
    assert response.status_code == 302
    assert Objective.objects.get().state == "draft"


def test_it_lets_kpi_editors_add_alert_channels_and_keeps_members_out(alice, world, kpi, client):
    alice.post(
        "/feeds/kpis/signups/alerts/",
        {
            "channel-kind": "webhook",
            "channel-url": "https://hooks.example.com/x",
            "channel-secret": "shh",
            "channel-on_red": "on",
        },
    )
    from headway.alerts.models import AlertChannel

    channel = AlertChannel.objects.get()
    assert (channel.kind, channel.secret, channel.on_red, channel.on_green) == (
        "webhook",
        "shh",
        True,
        False,
    )
    assert not AlertSubscription.objects.exists()  # the channel form left choices alone
    other = make_kpi(world, "company-kpi", team=world.company, owner=None)
    client.force_login(world.bob)
    client.post(
        f"/feeds/kpis/{other.ref}/alerts/",
        {"channel-kind": "slack", "channel-url": "https://hooks.example.com/y"},
    )
    assert AlertChannel.objects.count() == 1


def test_it_shows_the_feeds_page_in_a_fixed_number_of_queries(
    bob, kpi, django_assert_max_num_queries
):
    from headway.feeds.models import SyncLog

    def add(n: int) -> None:
        for i in range(n):
            source = Source.objects.create(
                organization=kpi.organization, kpi=kpi, name=f"s{i}", kind="http", url="https://x"
            )
            SyncLog.objects.create(
                organization=kpi.organization,
                source=source,
                trigger="manual",
                started_at=timezone.now(),
            )

    add(1)
    with django_assert_max_num_queries(20) as few:
        assert bob.get("/feeds/kpis/signups/").status_code == 200
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert bob.get("/feeds/kpis/signups/").status_code == 200
