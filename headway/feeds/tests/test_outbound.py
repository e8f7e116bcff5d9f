"""Sources may not reach the server's own network or files (headway/feeds/outbound.py).

The refusals are checked where users see them (the source form, the sync log) against the
real local servers of the other feed tests, which the operator's settings let through only
when a test says so.
"""

import ipaddress
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from headway.feeds import outbound
from headway.feeds.forms import SourceForm
from headway.feeds.models import Source
from headway.feeds.sync import run_sync
from headway.feeds.tests.helpers import LOCALHOST, LocalHTTP, self_signed
from headway.feeds.tests.test_sources import http_source, sql_source, unreachable
from headway.kpis.models import Measurement

ROOT = Path(__file__).resolve().parents[3]
PUBLIC = "93.184.215.14"
REAL_RESOLVE = outbound.resolve  # before the `dns` fixture replaces it
REMEDY = "the server's operator can allow it with HEADWAY_OUTBOUND_ALLOW"
SQL_REMEDY = REMEDY + " or HEADWAY_OUTBOUND_SQL_ALLOW"


def refused(url: str) -> str:
    with pytest.raises(outbound.OutboundError) as caught:
        outbound.check_url(url)
    return str(caught.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8000/", "127.0.0.1 is a loopback address"),
        ("http://127.8.9.10/", "127.8.9.10 is a loopback address"),
        ("http://[::1]:8000/", "::1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is a link-local address"),
        ("http://10.1.2.3/", "10.1.2.3 is a private address"),
        ("http://172.16.0.1/", "172.16.0.1 is a private address"),
        ("https://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://[fd00::1]/", "fd00::1 is a private address"),
        ("http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
        ("http://100.64.0.1/", "100.64.0.1 is not a public address"),
    ],
)
def test_it_refuses_addresses_of_the_servers_own_networks(url, message):
    assert refused(url) == f"{message}; {REMEDY}"


def test_it_lets_public_addresses_through(dns):
    outbound.check_url(f"https://{PUBLIC}/stats")
    outbound.check_url("https://[2606:4700:4700::1111]/")
    dns["api.example.com"] = [PUBLIC, "2606:4700:4700::1111"]
    outbound.check_url("https://api.example.com/stats")
    assert refused("ftp://api.example.com/x") == "the URL must start with http:// or https://"


def test_it_refuses_a_name_when_any_of_its_addresses_is_private(dns):
    dns["api.example.com"] = [PUBLIC, "10.0.0.7"]
    assert refused("https://api.example.com/x") == (
        f"api.example.com resolves to 10.0.0.7, a private address; {REMEDY}"
    )


def test_it_refuses_local_names_through_the_real_resolver(monkeypatch):
    monkeypatch.setattr(outbound, "resolve", REAL_RESOLVE)
    assert refused("http://localhost:8000/").startswith("localhost resolves to ")
    assert "a loopback address" in refused("http://localhost:8000/")
    # Spellings of 127.0.0.1 that the system's resolver accepts.
    assert refused("http://127.1/") == f"127.1 resolves to 127.0.0.1, a loopback address; {REMEDY}"
    assert refused("http://2130706433/").startswith("2130706433 resolves to 127.0.0.1,")


def test_the_operators_allow_list_lets_a_network_through(settings):
    settings.OUTBOUND_ALLOW = [ipaddress.ip_network("10.20.0.0/16")]
    outbound.check_url("http://10.20.1.5/")
    assert refused("http://10.21.0.1/") == f"10.21.0.1 is a private address; {REMEDY}"
    # The SQL list opens a warehouse network to database connections only.
    settings.OUTBOUND_SQL_ALLOW = [ipaddress.ip_network("10.30.0.0/16")]
    outbound.check_database_url("postgres://reader@10.30.0.5/warehouse")
    outbound.check_database_url("mysql://reader@10.20.0.5/warehouse")
    assert refused("http://10.30.0.5/") == f"10.30.0.5 is a private address; {REMEDY}"
    with pytest.raises(outbound.OutboundError, match=r"10\.31\.0\.5 is a private address"):
        outbound.check_database_url("postgres://reader@10.31.0.5/warehouse")


def test_it_stops_at_start_up_on_a_bad_allow_list(tmp_path):
    env = {
        **os.environ,
        "HEADWAY_DATA_DIR": str(tmp_path),
        "HEADWAY_OUTBOUND_ALLOW": "10.20.0.0/16,10.0.0.300/8",
    }
    result = subprocess.run(
        [sys.executable, "-m", "headway", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "HEADWAY_OUTBOUND_ALLOW='10.20.0.0/16,10.0.0.300/8'" in result.stderr
    assert "expected CIDR networks" in result.stderr


# --- HTTP sources: the check is made on the address that is connected to ---------------


def test_it_refuses_an_http_source_on_the_servers_loopback_without_a_request(
    kpi, http_server, settings
):
    settings.OUTBOUND_ALLOW = []  # the production default
    http_server.responses["/stats"] = (200, {"data": {"series": []}})
    log = run_sync(http_source(kpi, http_server).pk)
    assert log.error == f"127.0.0.1 is a loopback address; {REMEDY}"
    assert http_server.requests == []


def test_it_connects_to_the_checked_address_and_still_names_the_host(kpi, http_server, dns):
    # The name is unknown to the machine's DNS: a sync that works went to our answer.
    dns["stats.example.com"] = ["127.0.0.1"]
    port = http_server.server_address[1]
    http_server.responses["/stats"] = (
        200,
        {"data": {"series": [{"t": "2026-10-01", "v": {"amount": 4}}]}},
    )
    source = http_source(kpi, http_server)
    Source.objects.filter(pk=source.pk).update(url=f"http://stats.example.com:{port}/stats")
    log = run_sync(source.pk)
    assert (log.error, log.created) == ("", 1)
    assert http_server.requests[0][2]["Host"] == f"stats.example.com:{port}"


def test_https_verifies_the_certificate_against_the_name_not_the_address(
    kpi, dns, settings, monkeypatch, tmp_path
):
    pem = self_signed(tmp_path / "tls.pem", "tls.example.com")
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))  # as an operator with a private CA would
    server = LocalHTTP(certificate=pem)
    try:
        settings.OUTBOUND_ALLOW = LOCALHOST
        dns["tls.example.com"] = dns["other.example.com"] = ["127.0.0.1"]
        series = [{"t": "2026-10-01", "v": {"amount": 4}}]
        server.responses["/stats"] = (200, {"data": {"series": series}})
        source = http_source(kpi, server)
        port = server.server_address[1]
        Source.objects.filter(pk=source.pk).update(url=f"https://tls.example.com:{port}/stats")
        log = run_sync(source.pk)
        assert (log.error, log.created) == ("", 1)
        # The same address under a name the certificate does not hold fails verification.
        Source.objects.filter(pk=source.pk).update(url=f"https://other.example.com:{port}/stats")
        log = run_sync(source.pk)
        assert "certificate verify failed" in log.error
        assert len(server.requests) == 1
    finally:
        server.stop()


def test_a_name_that_rebinds_to_loopback_after_the_form_check_is_refused(
    kpi, http_server, settings, monkeypatch
):
    settings.OUTBOUND_ALLOW = []
    answers = iter([[PUBLIC], ["127.0.0.1"]])  # public for the form, then the server itself
    monkeypatch.setattr(outbound, "resolve", lambda host: next(answers))
    port = http_server.server_address[1]
    form = source_form(kind="http", url=f"http://rebind.example.com:{port}/stats")
    assert form.is_valid(), form.errors
    http_server.responses["/stats"] = (200, [])
    source = http_source(kpi, http_server)
    Source.objects.filter(pk=source.pk).update(url=form.cleaned_data["url"])
    log = run_sync(source.pk)
    assert log.error == f"rebind.example.com resolves to 127.0.0.1, a loopback address; {REMEDY}"
    assert http_server.requests == []


def test_it_does_not_follow_a_redirect(kpi, http_server):
    http_server.responses["/stats"] = (302, {"location": http_server.url("/inside")})
    http_server.responses["/inside"] = (200, {"data": {"series": []}})
    log = run_sync(http_source(kpi, http_server).pk)
    assert log.error == "HTTP 302 from the endpoint"
    assert [path for _, path, _, _ in http_server.requests] == ["/stats"]


# --- SQL sources -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (
            "postgres://postgres@127.0.0.1:5432/postgres",
            f"127.0.0.1 is a loopback address; {SQL_REMEDY}",
        ),
        ("postgres://u@[::1]/x", f"::1 is a loopback address; {SQL_REMEDY}"),
        ("mysql://root@10.0.0.5/test", f"10.0.0.5 is a private address; {SQL_REMEDY}"),
        ("postgres:///headway", "the URL names no host"),  # libpq would use a local socket
        ("mysql:///test", "the URL names no host"),
        (
            "postgres://u@nowhere.example.com/x",
            "cannot find the address of nowhere.example.com: Name or service not known",
        ),
    ],
)
def test_it_refuses_database_servers_of_the_servers_own_networks(kpi, url, error):
    log = run_sync(sql_source(kpi, url, "SELECT 1, 1").pk)
    assert log.error == error


@pytest.mark.parametrize(
    ("scheme", "port", "query"),
    [
        ("postgres", 5432, "SELECT DATE '2026-10-01', 7"),
        ("mysql", 3306, "SELECT DATE('2026-10-01'), 7"),
    ],
)
def test_it_connects_a_database_to_the_checked_address(
    kpi, local_databases, dns, scheme, port, query
):
    import socket

    with socket.socket() as probe:
        try:
            probe.connect(("127.0.0.1", port))
        except OSError as e:
            unreachable(f"{scheme} on 127.0.0.1:{port}", e)
    dns["warehouse.example.com"] = ["127.0.0.1"]  # the drivers cannot resolve it themselves
    user, database = ("postgres", "postgres") if scheme == "postgres" else ("root", "test")
    url = f"{scheme}://{user}@warehouse.example.com:{port}/{database}"
    log = run_sync(sql_source(kpi, url, query).pk)
    assert (log.error, log.created) == ("", 1)


# --- SQLite sources --------------------------------------------------------------------


def make_db(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE d (day TEXT, amount TEXT)")
        db.execute("INSERT INTO d VALUES ('2026-10-01', '5')")
    db.close()
    return path


def test_sqlite_sources_are_off_until_the_operator_names_a_directory(kpi, settings, tmp_path):
    settings.SQLITE_SOURCES_DIR = None
    log = run_sync(sql_source(kpi, f"sqlite:///{make_db(tmp_path / 'w.db')}", "SELECT 1, 1").pk)
    assert log.error == (
        "SQLite sources are turned off on this server; its operator can allow the files of "
        "one directory with HEADWAY_SQLITE_SOURCES_DIR"
    )


def test_it_reads_an_sqlite_file_named_relative_to_the_directory(kpi, sqlite_dir):
    make_db(sqlite_dir / "w.db")
    log = run_sync(sql_source(kpi, "sqlite:///w.db", "SELECT day, amount FROM d").pk)
    assert (log.error, log.created) == ("", 1)


@pytest.mark.parametrize("how", ["absolute", "dot-dot", "relative dot-dot", "symlink"])
def test_it_keeps_sqlite_sources_inside_their_directory(kpi, settings, tmp_path, how):
    sources = tmp_path / "sources"
    sources.mkdir()
    settings.SQLITE_SOURCES_DIR = sources
    outside = make_db(tmp_path / "outside.db")
    (sources / "link.db").symlink_to(outside)
    url = {
        "absolute": f"sqlite:///{outside}",
        "dot-dot": f"sqlite:///{sources}/../outside.db",
        "relative dot-dot": "sqlite:///../outside.db",
        "symlink": f"sqlite:///{sources}/link.db",
    }[how]
    log = run_sync(sql_source(kpi, url, "SELECT day, amount FROM d").pk)
    assert log.error.endswith(
        "is outside the directory of SQLite sources (HEADWAY_SQLITE_SOURCES_DIR)"
    )
    assert not Measurement.objects.exists()


def test_it_never_opens_headways_own_database(kpi, settings):
    if connection.vendor != "sqlite":
        pytest.skip("Headway's own database is not an SQLite file in this run")
    own = Path(connection.settings_dict["NAME"]).resolve()
    settings.SQLITE_SOURCES_DIR = own.parent  # an operator's mistake: the data directory
    for name in (str(own), f"{own}-wal"):
        log = run_sync(sql_source(kpi, f"sqlite:///{name}", "SELECT 1, 1").pk)
        assert log.error == f"{name} is Headway's own database"


def test_it_lets_an_sqlite_query_only_read(kpi, sqlite_dir, tmp_path):
    make_db(sqlite_dir / "w.db")
    copy = tmp_path / "copy.db"
    for query in (f"VACUUM INTO '{copy}'", f"ATTACH DATABASE '{copy}' AS other"):
        log = run_sync(sql_source(kpi, "sqlite:///w.db", query).pk)
        assert log.error == "an SQLite source may only read: one SELECT query"
    assert not copy.exists()


# --- The source form says it at once ----------------------------------------------------


def source_form(**fields: Any) -> SourceForm:
    data = {
        "name": "s",
        "time_field": "time",
        "value_field": "value",
        "schedule": "daily",
        "interval_minutes": 60,
        "time_of_day": "06:00",
        "day_of_month": 1,
        "query": "SELECT 1, 1",
        **fields,
    }
    return SourceForm(data)


def test_the_source_form_refuses_what_a_sync_would_refuse(db, dns, settings, tmp_path):
    dns["metadata.example.com"] = ["169.254.169.254"]
    form = source_form(kind="http", url="http://metadata.example.com/latest/")
    assert form.errors["url"] == [
        f"metadata.example.com resolves to 169.254.169.254, a link-local address; {REMEDY}"
    ]
    form = source_form(kind="sql", database_url="postgres://u:p@10.1.2.3/db")
    assert form.errors["database_url"] == [f"10.1.2.3 is a private address; {SQL_REMEDY}"]
    settings.SQLITE_SOURCES_DIR = tmp_path
    form = source_form(kind="sql", database_url="sqlite:////etc/hosts")
    assert form.errors["database_url"] == [
        "/etc/hosts is outside the directory of SQLite sources (HEADWAY_SQLITE_SOURCES_DIR)"
    ]
    form = source_form(kind="sql", database_url="postgres://u@[::1/db")
    assert form.errors["database_url"] == ["the URL cannot be read: Invalid IPv6 URL"]
    (tmp_path / "loop.db").symlink_to(tmp_path / "loop.db")
    form = source_form(kind="sql", database_url="sqlite:///loop.db")
    assert str(form.errors["database_url"][0]).startswith("'loop.db' is not a usable file name")
    # A name the server cannot resolve just now is accepted: each sync checks it again.
    assert source_form(kind="http", url="https://not-yet.example.com/x").is_valid()
    assert source_form(kind="sql", database_url="sqlite:///later.db").is_valid()


def test_the_source_page_shows_the_refusal(client, world, kpi):
    client.force_login(world.bob)
    response = client.post(
        "/feeds/kpis/signups/sources/new/",
        {
            "name": "metadata",
            "kind": "http",
            "url": "http://169.254.169.254/latest/meta-data/",
            "time_field": "time",
            "value_field": "value",
            "schedule": "daily",
            "interval_minutes": 60,
            "time_of_day": "06:00",
            "day_of_month": 1,
        },
    )
    assert response.status_code == 400
    assert "169.254.169.254 is a link-local address" in response.content.decode()
    assert not Source.objects.exists()
