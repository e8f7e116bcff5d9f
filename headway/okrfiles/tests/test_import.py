from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from headway.kpis.models import KPI, Measurement
from headway.okrfiles import (
    ImportSummary,
    dump_json,
    dump_yaml,
    export_data,
    import_data,
    import_text,
)
from headway.okrfiles.tests.helpers import EXAMPLE, SMALL, snapshot
from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective
from headway.org.models import Membership, Organization, Role, Team, User


def _counts(summary: ImportSummary, kind: str) -> tuple[int, int, int]:
    c = summary.counts[kind]
    return (c.created, c.updated, c.unchanged)


@pytest.mark.django_db
def test_it_imports_the_full_example(world):
    summary = import_text(EXAMPLE, "okrs.yaml")

    assert _counts(summary, "organization") == (0, 0, 1)
    assert _counts(summary, "teams") == (0, 0, 2)
    assert _counts(summary, "people") == (1, 0, 0)
    assert _counts(summary, "objectives") == (2, 0, 0)
    assert _counts(summary, "key_results") == (4, 0, 0)
    # The two of the file, and the `kpi` check-in of the KR that follows visitors.
    assert _counts(summary, "checkins") == (3, 0, 0)

    ana = User.objects.get(email="ana@acme.test")
    assert ana.name == "Ana Lima"
    assert not ana.has_usable_password()
    membership = Membership.objects.get(organization=world.acme, user=ana)
    assert membership.role == Role.LEAD
    assert list(membership.teams.all()) == [world.growth]

    kpi = KPI.objects.get(organization=world.acme, ref="visitors")
    assert (kpi.team, kpi.owner, kpi.aggregation, kpi.target, kpi.red) == (
        world.growth,
        ana,
        "sum",
        60000,
        45000,
    )
    measurement = kpi.measurements.get()
    assert measurement.at == datetime(2026, 10, 1, tzinfo=UTC)
    assert measurement.value == 52000
    assert measurement.source == "import"
    # The key an upload or a webhook gives the same KPI and time: they meet as one.
    assert measurement.idempotency_key == f"kpi{kpi.pk}:2026-10-01T00:00:00+00:00"

    traffic = Objective.objects.get(organization=world.acme, ref="traffic")
    assert traffic.cycle.name == "2026-Q4"
    assert (traffic.team, traffic.owner, traffic.kind) == (world.growth, ana, "aspirational")
    link = Alignment.objects.get(child=traffic)
    assert (link.parent.ref, link.weight) == ("company-growth", 2)

    posts, theme, uptime, visitors = traffic.key_results.order_by("position")
    assert (posts.ref, posts.start, posts.target, posts.unit) == ("posts", 0, 30, "posts")
    checkin = posts.checkins.get()
    assert (checkin.value, checkin.confidence, checkin.note, checkin.author) == (
        9,
        6,
        "On plan",
        ana,
    )
    assert checkin.at == datetime(2026, 10, 31, tzinfo=UTC)
    driven = visitors.checkins.get()
    assert (driven.source, driven.value) == ("kpi", 52000)
    assert (theme.ref, theme.type, theme.checkins.get().done) == (
        "launch-the-new-blog-theme",
        "milestone",
        True,
    )
    assert (uptime.type, uptime.bound, uptime.target) == ("threshold", "at_least", Decimal("99.9"))
    assert (visitors.kpi, visitors.kpi_value) == (kpi, "latest")


@pytest.mark.django_db
def test_it_creates_the_organization_when_missing():
    summary = import_text(EXAMPLE, "okrs.yaml")
    org = Organization.objects.get(name="Acme")
    assert _counts(summary, "organization") == (1, 0, 0)
    assert Team.objects.get(organization=org, parent=None).name == "Acme"
    assert "Imported okrs.yaml into Acme" in summary.lines()[0]


@pytest.mark.django_db
def test_it_is_idempotent(world):
    import_text(EXAMPLE, "okrs.yaml")
    before = snapshot()
    summary = import_text(EXAMPLE, "okrs.yaml")
    assert not summary.changed
    assert _counts(summary, "checkins") == (0, 0, 2)
    assert _counts(summary, "measurements") == (0, 0, 1)
    assert snapshot() == before


@pytest.mark.django_db
def test_it_matches_by_title_when_the_ref_is_missing(world):
    cycle = Cycle.objects.create(
        organization=world.acme, name="2026-Q4", start=date(2026, 10, 1), end=date(2026, 12, 31)
    )
    objective = Objective.objects.create(
        organization=world.acme, ref="stored-ref", cycle=cycle, team=world.growth, title="Grow"
    )
    kr = KeyResult.objects.create(
        organization=world.acme,
        objective=objective,
        ref="stored-kr",
        title="Sign-ups",
        start=0,
        target=10,
    )
    KPI.objects.create(organization=world.acme, ref="nps-score", name="NPS", team=world.growth)
    text = """\
organization: Acme
kpis:
  - {name: NPS, team: Acme, target: 50}
objectives:
  - title: Grow
    description: Now with a description
    cycle: 2026-Q4
    team: Growth
    key_results:
      - {title: Sign-ups, start: 0, target: 20}
"""
    summary = import_text(text)
    assert _counts(summary, "objectives") == (0, 1, 0)
    assert _counts(summary, "key_results") == (0, 1, 0)
    assert _counts(summary, "kpis") == (0, 1, 0)
    objective.refresh_from_db()
    kr.refresh_from_db()
    assert (objective.ref, objective.description, objective.version) == (
        "stored-ref",
        "Now with a description",
        2,
    )
    assert (kr.ref, kr.target) == ("stored-kr", 20)
    assert KPI.objects.get(organization=world.acme).team == world.company
    assert Objective.objects.count() == 1
    data = export_data(world.acme)
    assert data["objectives"][0]["ref"] == "stored-ref"
    assert data["kpis"][0]["ref"] == "nps-score"


@pytest.mark.django_db
def test_it_generates_unique_refs(world):
    cycle = Cycle.objects.create(
        organization=world.acme, name="Q", start=date(2026, 10, 1), end=date(2026, 12, 31)
    )
    Objective.objects.create(
        organization=world.acme, ref="grow", cycle=cycle, team=world.growth, title="Other"
    )
    text = """\
organization: Acme
objectives:
  - {title: Grow!, cycle: Q, team: Growth}
  - {title: Grow?, cycle: Q, team: Growth, key_results: [{title: "🚀", type: milestone}]}
  - {ref: grow-3, title: Three, cycle: Q, team: Growth}
"""
    import_text(text)
    refs = list(
        Objective.objects.filter(organization=world.acme)
        .order_by("id")
        .values_list("ref", flat=True)
    )
    assert refs == ["grow", "grow-2", "grow-4", "grow-3"]
    assert KeyResult.objects.get().ref == "kr"


@pytest.mark.django_db
def test_it_keeps_decimals_exact(world):
    text = SMALL.replace(
        "    target: 60000\n",
        "    target: 99.90\n    red: 0.1\n    low: 1e5\n    high: 12345678901234567890.12345678\n",
    )
    text = text.replace(
        "        start: 0\n        target: 30", "        start: 0.1\n        target: 0.0000000001"
    )
    import_text(text)
    kpi = KPI.objects.get(organization=world.acme)
    assert (kpi.target, kpi.red, kpi.low) == (Decimal("99.9"), Decimal("0.1"), Decimal(100000))
    assert kpi.high == Decimal("12345678901234567890.12345678")
    kr = KeyResult.objects.get()
    assert (kr.start, kr.target) == (Decimal("0.1"), Decimal("0.0000000001"))
    exported = export_data(world.acme)["kpis"][0]
    assert (exported["target"], exported["red"]) == (Decimal("99.9"), Decimal("0.1"))
    assert "high: 12345678901234567890.12345678\n" in dump_yaml(export_data("Acme"))


@pytest.mark.django_db
def test_it_takes_python_data_with_floats_dates_and_decimals(world):
    data = {
        "organization": "Acme",
        "cycles": [{"name": "Q", "start": date(2026, 10, 1), "end": "2026-12-31"}],
        "kpis": [
            {
                "ref": "uptime",
                "name": "Uptime",
                "team": "Growth",
                "target": 99.9,
                "red": Decimal("99.5"),
                "measurements": [
                    {"at": datetime(2026, 10, 2, 9, 30, tzinfo=UTC), "value": 0.1},
                    {"at": date(2026, 10, 3), "value": 3},
                ],
            }
        ],
        "objectives": [
            {
                "title": "Grow",
                "cycle": "Q",
                "team": "Acme",
                "private": True,
                "state": "draft",
                "level": "company",
            }
        ],
    }
    summary = import_data(data)
    assert _counts(summary, "measurements") == (2, 0, 0)
    kpi = KPI.objects.get(organization=world.acme)
    assert kpi.target == Decimal("99.9")
    assert [m.value for m in kpi.measurements.order_by("at")] == [Decimal("0.1"), 3]
    objective = Objective.objects.get()
    assert (objective.private, objective.state, objective.level) == (True, "draft", "company")
    assert not import_data(data).changed


@pytest.mark.django_db
def test_it_adds_checkins_and_never_edits_them(world):
    import_text(SMALL)
    corrected = SMALL.replace(
        "          - {at: 2026-10-31, value: 9, confidence: 6}\n",
        "          - {at: 2026-10-31, value: 9, confidence: 6}\n"
        "          - {at: 2026-10-31, value: 9, confidence: 6}\n"
        "          - {at: 2026-11-07, value: 12, confidence: 7, note: Better}\n",
    )
    summary = import_text(corrected)
    assert _counts(summary, "checkins") == (2, 0, 1)
    assert CheckIn.objects.count() == 3
    # A file without the check-ins removes nothing.
    summary = import_text(
        SMALL.replace(
            "          - {at: 2026-10-31, value: 9, confidence: 6}\n", "          []\n"
        ).replace("        checkins:\n          []\n", "")
    )
    assert CheckIn.objects.count() == 3
    assert not summary.changed


@pytest.mark.django_db
def test_it_corrects_a_measurement_by_its_key_and_keeps_history(world):
    with_measurement = SMALL.replace(
        "    target: 60000\n",
        "    target: 60000\n    measurements:\n      - {at: 2026-10-01, value: 5}\n",
    )
    import_text(with_measurement)
    corrected = with_measurement.replace("value: 5}", "value: 6}")
    summary = import_text(corrected)
    assert _counts(summary, "measurements") == (0, 1, 0)
    old, new = Measurement.objects.order_by("id")
    assert (old.value, old.idempotency_key) == (5, None)
    assert old.superseded_at is not None
    assert (new.value, new.supersedes, new.superseded_at) == (6, old, None)
    assert new.idempotency_key == f"kpi{new.kpi_id}:2026-10-01T00:00:00+00:00"
    # Only live rows are facts: the export shows the corrected value, and importing it again
    # changes nothing.
    assert export_data("Acme")["kpis"][0]["measurements"] == [{"at": date(2026, 10, 1), "value": 6}]
    assert not import_text(corrected).changed


@pytest.mark.django_db
def test_it_reads_dates_in_the_organization_time_zone(world):
    text = (
        SMALL.replace(
            "    target: 60000\n",
            "    target: 60000\n    measurements:\n      - {at: 2026-10-01, value: 5}\n"
            "      - {at: '2026-10-02T09:30:00+02:00', value: 6}\n",
        )
        + "settings: {time_zone: Europe/Berlin}\n"
    )
    import_text(text)
    berlin = ZoneInfo("Europe/Berlin")
    first, second = Measurement.objects.order_by("at")
    assert first.at == datetime(2026, 10, 1, tzinfo=berlin)
    assert second.at == datetime(2026, 10, 2, 7, 30, tzinfo=UTC)
    measurements = export_data("Acme")["kpis"][0]["measurements"]
    assert [m["at"] for m in measurements] == [
        date(2026, 10, 1),
        datetime(2026, 10, 2, 9, 30, tzinfo=berlin),
    ]


@pytest.mark.django_db
def test_it_imports_json_like_yaml(world):
    import_text(EXAMPLE)
    yaml_export = export_data(world.acme)
    text = dump_json(yaml_export).replace('"organization": "Acme"', '"organization": "Copy"')
    summary = import_text(text, "okrs.json")
    assert _counts(summary, "key_results") == (4, 0, 0)
    copy = export_data("Copy")
    copy["organization"] = "Acme"
    assert copy == yaml_export


@pytest.mark.django_db
def test_it_dry_run_reports_and_writes_nothing(world):
    before = snapshot()
    summary = import_text(EXAMPLE, dry_run=True)
    assert _counts(summary, "objectives") == (2, 0, 0)
    assert "dry run" in summary.lines()[0]
    assert snapshot() == before


@pytest.mark.django_db
def test_it_sets_roles_and_teams_exactly(world):
    text = """\
organization: Acme
people:
  - {email: bob@acme.test, role: viewer}
  - {email: alice@acme.test, name: Someone Else, role: admin, teams: [Acme, Growth]}
"""
    summary = import_text(text)
    assert _counts(summary, "people") == (0, 2, 0)
    bob = Membership.objects.get(organization=world.acme, user=world.bob)
    assert (bob.role, list(bob.teams.all())) == ("viewer", [])
    alice = Membership.objects.get(organization=world.acme, user=world.alice)
    assert sorted(t.name for t in alice.teams.all()) == ["Acme", "Growth"]
    world.alice.refresh_from_db()
    assert world.alice.name == "Alice Admin"  # a person's name is theirs, not the file's
    assert not import_text(text).changed


@pytest.mark.django_db
def test_it_can_move_the_company_team(world):
    text = """\
organization: Acme
teams:
  - {name: Acme, parent: Holding}
  - {name: Holding}
"""
    summary = import_text(text)
    assert _counts(summary, "teams") == (1, 1, 0)
    holding = Team.objects.get(organization=world.acme, name="Holding")
    world.company.refresh_from_db()
    assert (holding.parent, world.company.parent) == (None, holding)
    assert not import_text(text).changed


@pytest.mark.django_db
def test_it_keeps_former_members_as_authors(world):
    text = SMALL.replace(
        "  - {email: ana@acme.test, name: Ana Lima, teams: [Growth]}\n",
        "  - {email: ana@acme.test, name: Ana Lima, teams: [Growth]}\n"
        "  - {email: old@acme.test, name: Old Timer, former: true}\n",
    ).replace("confidence: 6}", "confidence: 6, by: old@acme.test}")
    import_text(text)
    old = User.objects.get(email="old@acme.test")
    assert not Membership.objects.filter(user=old).exists()
    assert CheckIn.objects.get().author == old
    people = export_data(world.acme)["people"]
    assert {"email": "old@acme.test", "name": "Old Timer", "former": True} in people
    assert not import_text(text).changed


@pytest.mark.django_db
def test_it_does_not_touch_other_organizations(world):
    text = (
        EXAMPLE.replace("organization: Acme", "organization: Globex")
        .replace(
            "  - name: Acme                       # a team with no parent is the company",
            "  - name: Globex",
        )
        .replace("parent: Acme}", "parent: Globex}")
        .replace("team: Acme", "team: Globex")
    )
    acme_before = export_data(world.acme)
    import_text(text)
    assert export_data(world.acme) == acme_before
    assert Objective.objects.filter(organization=world.globex).count() == 2


@pytest.mark.django_db
def test_a_new_measurement_in_a_later_file_moves_the_kr_that_follows_the_kpi(world):
    import_text(EXAMPLE, "okrs.yaml")
    later = EXAMPLE.replace(
        "      - {at: 2026-10-01, value: 52000}",
        "      - {at: 2026-10-01, value: 52000}\n      - {at: 2026-11-01, value: 55000}",
    )
    assert later != EXAMPLE
    summary = import_text(later, "okrs.yaml")
    assert _counts(summary, "measurements") == (1, 0, 1)
    kr = KeyResult.objects.get(organization=world.acme, kpi__ref="visitors")
    assert [(c.source, c.value) for c in kr.checkins.order_by("id")] == [
        ("kpi", 52000),
        ("kpi", 55000),
    ]
    assert not import_text(later, "okrs.yaml").changed


@pytest.mark.django_db
def test_a_file_and_an_upload_of_the_same_kpi_and_time_are_one_measurement(world):
    from headway.feeds.files import Mapping, commit_import, plan_import
    from headway.org.access import actor_for

    with_measurement = SMALL.replace(
        "    target: 60000\n",
        "    target: 60000\n    measurements:\n      - {at: 2026-10-01, value: 5}\n",
    )
    import_text(with_measurement)
    alice = actor_for(world.alice, Organization.objects.get(name="Acme"))
    upload = b"time,value\n2026-10-01T00:00:00+00:00,7\n"
    results = commit_import(alice, plan_import(alice, "m.csv", upload, Mapping(kpi_ref="visitors")))
    assert (results["visitors"].created, results["visitors"].corrected) == (0, 1)
    assert list(Measurement.objects.filter(superseded_at=None).values_list("value", flat=True)) == [
        7
    ]
    # The file again: its value comes back as a correction, never as a second row.
    assert _counts(import_text(with_measurement), "measurements") == (0, 1, 0)
    assert list(Measurement.objects.filter(superseded_at=None).values_list("value", flat=True)) == [
        5
    ]


@pytest.mark.django_db
def test_it_still_knows_measurements_stored_under_the_keys_imports_used_before(world):
    with_measurement = SMALL.replace(
        "    target: 60000\n",
        "    target: 60000\n    measurements:\n      - {at: 2026-10-01, value: 5}\n",
    )
    import_text(with_measurement)
    Measurement.objects.update(idempotency_key="import:visitors:2026-10-01T00:00:00+00:00")
    summary = import_text(with_measurement.replace("value: 5}", "value: 6}"))
    assert _counts(summary, "measurements") == (0, 1, 0)
    assert Measurement.objects.filter(superseded_at=None).get().value == 6
