"""`headway demo`: imports the demo through the OKR-file importer, idempotently, and lets its
people sign in."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from headway.conftest import World
from headway.demo.data import ORGANIZATION, build_demo
from headway.kpis.models import KPI, Measurement
from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org.models import Membership, Organization, Team, TeamMembership, User
from headway.reports.build import build_report

TODAY = date(2026, 11, 22)
SIGN_IN = "Sign in at http://127.0.0.1:8000/ as founder@northwind.test with password headway-demo"
MODELS = (
    Organization,
    Team,
    User,
    Membership,
    TeamMembership,
    Cycle,
    Objective,
    Alignment,
    KeyResult,
    CheckIn,
    Initiative,
    KPI,
    Measurement,
)


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_it_loads_the_demo_once() -> None:
    output = demo("--today", TODAY.isoformat())
    assert output == f'Demo organization "{ORGANIZATION}" is ready.\n{SIGN_IN}\n'

    data = build_demo(TODAY)
    first = counts()
    krs = [kr for o in data["objectives"] for kr in o["key_results"]]
    assert first["Organization"] == 1
    assert first["User"] == len(data["people"])
    assert first["Objective"] == len(data["objectives"])
    assert first["KeyResult"] == len(krs)
    # The file's check-ins, and the `kpi` check-in each KR following a KPI gets on import.
    driven = [kr for kr in krs if kr.get("kpi")]
    assert driven
    assert first["CheckIn"] == sum(len(kr.get("checkins", [])) for kr in krs) + len(driven)
    assert CheckIn.objects.filter(source="kpi").count() == len(driven)
    assert first["KPI"] == len(data["kpis"])
    assert first["Measurement"] == sum(len(kpi["measurements"]) for kpi in data["kpis"])

    again = demo("--today", TODAY.isoformat(), "--verbosity", "2")
    assert again.startswith("Imported <demo> into Northwind Demo\n")
    assert again.endswith(output)
    assert " created" not in again.replace(" 0 created", "")
    assert counts() == first


@pytest.mark.django_db
def test_it_stores_what_the_document_says() -> None:
    demo("--today", TODAY.isoformat())
    org = Organization.objects.get(name=ORGANIZATION)
    assert org.time_zone == "Europe/Lisbon"
    assert Team.objects.get(organization=org, parent=None).name == "Northwind"
    roles = Counter(Membership.objects.filter(organization=org).values_list("role", flat=True))
    assert set(roles) == {"admin", "lead", "member", "viewer"}

    objectives = Objective.objects.filter(organization=org)
    assert objectives.filter(private=True).exists()
    assert objectives.filter(state="draft").exists()
    assert objectives.filter(kind="committed").exists()
    assert objectives.filter(progress_mode="children").exists()
    levels = Counter(objectives.values_list("level", flat=True))
    assert levels["company"] >= 3
    assert levels["team"] >= 4
    assert levels["personal"] >= 3
    assert not objectives.filter(level="company").exclude(team__parent=None).exists()
    parents = Counter(Alignment.objects.filter(organization=org).values_list("child", flat=True))
    assert max(parents.values()) >= 2
    assert Alignment.objects.filter(organization=org, weight=Decimal(2)).exists()
    overrides = KeyResult.objects.filter(organization=org, score_override__isnull=False)
    assert overrides.count() >= 2
    assert all(kr.score_reason and kr.objective.state == "closed" for kr in overrides)
    assert KeyResult.objects.filter(organization=org, kpi__isnull=False).exists()
    assert {"2026", "2026-Q3", "2026-Q4"} == set(
        Cycle.objects.filter(organization=org).values_list("name", flat=True)
    )
    assert Cycle.objects.get(organization=org, name="2026-Q4").parent.name == "2026"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_it_reports_the_stories_as_of_today() -> None:
    demo("--today", TODAY.isoformat())
    org = Organization.objects.get(name=ORGANIZATION)
    report = build_report(org, Cycle.objects.get(organization=org, name="2026-Q4"), TODAY)
    statuses = Counter(kr["status"] for o in report["objectives"] for kr in o["key_results"])
    assert statuses["on_track"] >= 5
    assert statuses["at_risk"] >= 1
    assert statuses["off_track"] >= 1
    children_mode = next(o for o in report["objectives"] if o["ref"] == "2026-q4-company-growth")
    assert children_mode["progress"] is not None

    kpis = {kpi["ref"]: kpi for kpi in report["kpis"]}
    assert any(kpi["rag"] == "red" for kpi in kpis.values())
    assert [ref for ref, kpi in kpis.items() if kpi["stale"]] == ["nps"]
    assert kpis["cac"]["deteriorating"]

    previous = build_report(org, Cycle.objects.get(organization=org, name="2026-Q3"), TODAY)
    scores = {kr["ref"]: kr["score"] for o in previous["objectives"] for kr in o["key_results"]}
    assert scores["2026-q3-newsletter"] == 0.5  # the override, not the suggested 0.3
    assert all(o["score"] is not None for o in previous["objectives"])


@pytest.mark.django_db
def test_it_lets_the_demo_people_sign_in(client: Client) -> None:
    demo("--today", TODAY.isoformat(), "--password", "northwind-123")
    assert client.login(email="founder@northwind.test", password="northwind-123")
    assert client.login(email="emma@northwind.test", password="northwind-123")
    assert not client.login(email="emma@northwind.test", password="headway-demo")

    founder = User.objects.get(email="founder@northwind.test")
    assert founder.is_staff
    assert founder.is_superuser
    assert not User.objects.get(email="emma@northwind.test").is_staff

    client.logout()
    response = client.post(
        "/admin/login/",
        {"username": "founder@northwind.test", "password": "northwind-123", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_it_leaves_a_database_with_data_alone(world: World) -> None:
    before = counts()
    output = demo("--if-empty")
    assert output == "The database already has data; the demo was not added.\n"
    assert counts() == before


@pytest.mark.django_db
def test_it_fills_an_empty_database_once() -> None:
    assert "is ready" in demo("--if-empty", "--today", TODAY.isoformat())
    before = counts()
    output = demo("--if-empty")
    assert output.startswith("The database already has data; the demo was not added.\n")
    assert "Sign in at http://127.0.0.1:8000/ as founder@northwind.test" in output
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("args", [("--today", "22/11/2026"), ("--password", "")])
def test_it_rejects_bad_options(args: tuple[str, str]) -> None:
    with pytest.raises(CommandError):
        demo(*args)
    assert not Organization.objects.exists()
