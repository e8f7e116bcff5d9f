"""Export -> import -> export is lossless, byte for byte, and exporting costs a fixed number
of queries however large the organization is."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headway.conftest import World
from headway.kpis.driven import update_driven_key_results
from headway.kpis.models import KPI, Measurement
from headway.okrfiles import dump_json, dump_yaml, export_data, import_data, import_text
from headway.okrfiles.tests.helpers import snapshot
from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org.models import Membership, Organization, Role, Team, User

BERLIN = ZoneInfo("Europe/Berlin")


def build_rich_org(world: World) -> None:
    """Everything the format can hold, made the way the web app would (not by an import)."""
    acme = world.acme
    Organization.objects.filter(pk=acme.pk).update(
        time_zone="Europe/Berlin",
        on_track_max=Decimal("0.15"),
        at_risk_max=Decimal("0.3"),
        band_yellow_from=Decimal("0.35"),
        band_green_from=Decimal("0.65"),
        deteriorating_count=4,
    )
    seo = Team.objects.create(organization=acme, name="SEO", parent=world.growth)
    ops = Team.objects.create(organization=acme, name="Ops", parent=world.company)
    dana = User.objects.create_user("dana@acme.test", None, name="Dana Ñúñez")
    membership = Membership.objects.create(organization=acme, user=dana, role=Role.LEAD)
    membership.teams.add(seo, ops, through_defaults={"organization": acme})
    eve = User.objects.create_user("eve@acme.test", None, name="Eve Gone")  # left Acme

    year = Cycle.objects.create(
        organization=acme, name="2026", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    q4 = Cycle.objects.create(
        organization=acme,
        name="2026-Q4",
        start=date(2026, 10, 1),
        end=date(2026, 12, 31),
        parent=year,
    )
    Cycle.objects.create(
        organization=acme,
        name="2026-Q3",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        parent=year,
    )

    visitors = KPI.objects.create(
        organization=acme,
        ref="visitors",
        name="Visitors",
        description="All of them",
        team=world.growth,
        owner=dana,
        unit="visits",
        aggregation="sum",
        target=Decimal(60000),
        red=Decimal(45000),
    )
    for at, value, key, source in [
        (datetime(2026, 10, 1, tzinfo=BERLIN), Decimal(52000), None, "web"),
        (datetime(2026, 10, 1, tzinfo=BERLIN), Decimal(1), None, "web"),  # same time
        (datetime(2026, 10, 2, 15, 45, tzinfo=BERLIN), Decimal("0.1"), "feed:1", "feed"),
        (datetime(2026, 11, 1, tzinfo=BERLIN), Decimal("99.90"), None, "import"),
        # Every digit the column keeps, more than Python's default decimal context.
        (
            datetime(2026, 11, 2, tzinfo=BERLIN),
            Decimal("12345678901234567890.1234567891"),
            None,
            "web",
        ),
    ]:
        Measurement.objects.create(
            organization=acme,
            kpi=visitors,
            at=at,
            value=value,
            idempotency_key=key,
            source=source,
        )
    # A corrected reading: history, not a fact; the export leaves it out.
    Measurement.objects.create(
        organization=acme,
        kpi=visitors,
        at=datetime(2026, 11, 1, tzinfo=BERLIN),
        value=Decimal(7),
        superseded_at=datetime(2026, 11, 2, tzinfo=BERLIN),
    )
    KPI.objects.create(
        organization=acme,
        ref="churn",
        name="Churn",
        team=ops,
        direction="lower_is_better",
        target=Decimal("2.5"),
        red=Decimal(4),
        private=True,
        cadence="quarterly",
    )
    KPI.objects.create(
        organization=acme,
        ref="latency",
        name="Latency",
        team=ops,
        direction="in_range",
        low=Decimal(100),
        high=Decimal(200),
        tolerance=Decimal(20),
        aggregation="average",
        cadence="weekly",
    )

    company = Objective.objects.create(
        organization=acme,
        ref="company",
        cycle=year,
        team=world.company,
        title="Be loved",
        description="Line one — “quoted”\nLine two\n",
        level="company",
        kind="committed",
        progress_mode="children",
    )
    ops_goal = Objective.objects.create(
        organization=acme,
        ref="ops-goal",
        cycle=q4,
        team=ops,
        title="2026",
        state="draft",
        description="yes",
        position=1,
    )
    traffic = Objective.objects.create(
        organization=acme,
        ref="traffic",
        cycle=q4,
        team=world.growth,
        owner=dana,
        title="More traffic",
        progress_mode="both",
        private=True,
        state="closed",
        position=0,
    )
    Alignment.objects.create(organization=acme, child=traffic, parent=company, weight=2)
    Alignment.objects.create(organization=acme, child=traffic, parent=ops_goal)
    Alignment.objects.create(
        organization=acme, child=ops_goal, parent=company, weight=Decimal("0.25")
    )

    churn = KeyResult.objects.create(
        organization=acme,
        objective=traffic,
        ref="less-churn",
        title="Cut churn",
        start=Decimal(10),
        target=Decimal(5),
        unit="%",
        weight=Decimal("0.5"),
        owner=world.bob,
        score_override=Decimal("0.7"),
        score_reason="Partly seasonal",
    )
    launch = KeyResult.objects.create(
        organization=acme,
        objective=traffic,
        ref="launch",
        title="Launch",
        type="milestone",
        position=1,
    )
    uptime = KeyResult.objects.create(
        organization=acme,
        objective=traffic,
        ref="uptime",
        title="Uptime",
        type="threshold",
        bound="at_most",
        target=Decimal("99.9"),
        position=2,
    )
    KeyResult.objects.create(
        organization=acme,
        objective=traffic,
        ref="by-kpi",
        title="Visitors up",
        start=Decimal(50000),
        target=Decimal("60000.5"),
        kpi=visitors,
        kpi_value="cycle_total",
        position=3,
    )
    moments = [
        datetime(2026, 10, 5, 10, 11, 12, 123456, tzinfo=BERLIN),
        datetime(2026, 10, 6, tzinfo=BERLIN),
        datetime(2026, 10, 6, tzinfo=BERLIN),
    ]
    CheckIn.objects.create(
        organization=acme,
        key_result=churn,
        value=Decimal("99.90"),
        confidence=5,
        note="Multi\nline note",
        author=world.bob,
        at=moments[0],
        source="web",
    )
    for at in moments[1:]:  # the same reading twice
        CheckIn.objects.create(
            organization=acme, key_result=churn, value=Decimal("0.1"), author=eve, at=at
        )
    CheckIn.objects.create(organization=acme, key_result=launch, done=False, at=moments[0])
    CheckIn.objects.create(
        organization=acme, key_result=launch, done=True, confidence=10, at=moments[1]
    )
    CheckIn.objects.create(organization=acme, key_result=uptime, value=Decimal(100), at=moments[2])
    Initiative.objects.create(
        organization=acme,
        key_result=churn,
        title="Exit survey",
        status="in_progress",
        owner=dana,
        url="https://example.com/survey",
    )
    Initiative.objects.create(organization=acme, key_result=churn, title="Call churners")
    # What recording the measurements through the app would have done last.
    update_driven_key_results(KPI.objects.get(pk=visitors.pk))  # Acme's zone is Berlin now


def _as(text: str, name: str) -> str:
    old = "organization: Acme\n" if not text.startswith("{") else '"organization": "Acme",'
    new = f"organization: {name}\n" if not text.startswith("{") else f'"organization": "{name}",'
    assert text.count(old) == 1
    return text.replace(old, new)


@pytest.mark.django_db
def test_it_round_trips_losslessly(world):
    build_rich_org(world)
    exported = dump_yaml(export_data("Acme"))

    import_text(_as(exported, "Copy"), "acme.yaml")
    again = dump_yaml(export_data("Copy"))
    assert again == _as(exported, "Copy")

    for text in (
        "target: 99.9\n",
        "value: 0.1,",
        "weight: 0.25}",
        "former: true}",
        "note: |-\n",
        "at: '2026-10-05T10:11:12.123456+02:00'",
        "level: company\n",
        "value: 12345678901234567890.1234567891,",
    ):
        assert text in exported, text
    assert "99.90" not in exported
    assert "value: 7}" not in exported
    assert "e+" not in exported.lower()


@pytest.mark.django_db
def test_it_round_trips_json_losslessly(world):
    build_rich_org(world)
    exported = dump_json(export_data("Acme"))
    import_text(_as(exported, "Copy"), "acme.json")
    assert dump_json(export_data("Copy")) == _as(exported, "Copy")


@pytest.mark.django_db
def test_it_round_trips_python_data(world):
    build_rich_org(world)
    data = export_data("Acme")
    import_data({**data, "organization": "Copy"})
    assert export_data("Copy") == {**data, "organization": "Copy"}


@pytest.mark.django_db
def test_it_reads_a_byte_order_mark(world):
    build_rich_org(world)
    exported = dump_json(export_data("Acme"))
    assert not import_text("\ufeff" + exported, "acme.json").changed


@pytest.mark.django_db
def test_it_reimports_its_own_export_without_changes(world):
    build_rich_org(world)
    exported = dump_yaml(export_data("Acme"))
    checkins, measurements = CheckIn.objects.count(), Measurement.objects.count()

    import_text(exported)  # may renumber positions once, never duplicates
    assert (CheckIn.objects.count(), Measurement.objects.count()) == (checkins, measurements)
    assert dump_yaml(export_data("Acme")) == exported

    before = snapshot()
    summary = import_text(exported)
    assert not summary.changed, summary.lines()
    assert snapshot() == before


@pytest.mark.django_db
def test_it_exports_one_cycle(world):
    build_rich_org(world)
    data = export_data("Acme", cycle="2026-Q4")
    assert [c["name"] for c in data["cycles"]] == ["2026", "2026-Q4"]
    assert [o["ref"] for o in data["objectives"]] == ["traffic", "ops-goal"]
    # The parent in another cycle is only named by its ref.
    assert data["objectives"][0]["aligns_to"] == [
        {"ref": "company", "weight": Decimal(2)},
        "ops-goal",
    ]
    assert {k["ref"] for k in data["kpis"]} == {"visitors", "churn", "latency"}
    before = snapshot()
    assert not import_text(dump_yaml(data)).changed
    assert snapshot() == before


def _grow(world: World, n: int, offset: int) -> None:
    cycle, _ = Cycle.objects.get_or_create(
        organization=world.acme, name="Q", start=date(2026, 10, 1), end=date(2026, 12, 31)
    )
    for i in range(offset, offset + n):
        user = User.objects.create_user(f"p{i}@acme.test", None, name=f"P {i}")
        m = Membership.objects.create(organization=world.acme, user=user)
        m.teams.add(world.growth, through_defaults={"organization": world.acme})
        team = Team.objects.create(organization=world.acme, name=f"T{i}", parent=world.growth)
        kpi = KPI.objects.create(organization=world.acme, ref=f"k{i}", name=f"K{i}", team=team)
        Measurement.objects.create(
            organization=world.acme, kpi=kpi, at=datetime(2026, 10, 1, tzinfo=BERLIN), value=i
        )
        parent = Objective.objects.create(
            organization=world.acme,
            ref=f"p{i}",
            cycle=cycle,
            team=team,
            title=f"P{i}",
            owner=user,
        )
        child = Objective.objects.create(
            organization=world.acme, ref=f"c{i}", cycle=cycle, team=team, title=f"C{i}"
        )
        Alignment.objects.create(organization=world.acme, child=child, parent=parent)
        for j in range(2):
            kr = KeyResult.objects.create(
                organization=world.acme,
                objective=child,
                ref=f"kr{i}-{j}",
                title=f"KR{j}",
                start=0,
                target=10,
                owner=user,
                kpi=kpi if j else None,
            )
            CheckIn.objects.create(
                organization=world.acme,
                key_result=kr,
                value=j,
                author=user,
                at=datetime(2026, 10, 2, tzinfo=BERLIN),
            )
            Initiative.objects.create(
                organization=world.acme, key_result=kr, title="Do it", owner=user
            )


def _export_queries(org: Organization) -> int:
    with CaptureQueriesContext(connection) as queries:
        export_data(org)
    return len(queries)


@pytest.mark.django_db
def test_it_exports_with_a_fixed_number_of_queries(world):
    _grow(world, 2, 0)
    small = _export_queries(world.acme)
    _grow(world, 8, 2)
    assert _export_queries(world.acme) == small
    assert small <= 12
