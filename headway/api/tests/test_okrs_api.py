import datetime as dt
from decimal import Decimal

from headway.okrs.models import CheckIn, KeyResult, Objective


def test_it_creates_reads_updates_and_deletes_an_objective(api_world):
    alice = api_world.alice
    body = {
        "ref": "win-europe",
        "title": "Win Europe",
        "cycle": "2026-Q4",
        "team_id": api_world.acme.team.pk,
        "owner": "bob@acme.test",
        "kind": "committed",
        "parents": [{"ref": "acme-grow", "weight": "2.5"}],
    }
    created = alice.post("objectives", body)
    assert created.status_code == 201, created.json()
    assert created.json()["parents"] == [{"ref": "acme-grow", "weight": 2.5}]
    got = alice.get("objectives/win-europe")
    assert got.status_code == 200
    assert got["ETag"] == '"1"'
    assert (got.json()["owner"], got.json()["kind"]) == ("bob@acme.test", "committed")

    patched = alice.patch("objectives/win-europe", {"title": "Win all of Europe"}, If_Match='"1"')
    assert patched.status_code == 200, patched.json()
    assert patched["ETag"] == '"2"'
    assert Objective.objects.get(ref="win-europe").title == "Win all of Europe"

    assert alice.delete("objectives/win-europe", If_Match='"2"').status_code == 204
    assert not Objective.objects.filter(ref="win-europe").exists()


def test_it_answers_a_stale_edit_with_412_and_the_current_state(api_world):
    alice = api_world.alice
    assert (
        alice.patch("objectives/acme-grow", {"title": "First"}, If_Match='"1"').status_code == 200
    )
    stale = alice.patch("objectives/acme-grow", {"title": "Second"}, If_Match='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "First"
    assert stale.json()["current"]["version"] == 2
    assert stale["ETag"] == '"2"'
    assert Objective.objects.get(ref="acme-grow").title == "First"


def test_it_keeps_decimals_exact_from_json_numbers_and_strings(api_world):
    alice = api_world.alice
    for ref, start, target in (
        ("kr-num", 0.1, 0.3),
        ("kr-str", "0.1", "12345678901234567.0000000001"),
    ):
        response = alice.call(
            "POST",
            "key-results",
            f'{{"ref": "{ref}", "objective": "acme-grow", "title": "t", '
            f'"start": {start if isinstance(start, float) else chr(34) + start + chr(34)}, '
            f'"target": {target if isinstance(target, float) else chr(34) + target + chr(34)}}}',
        )
        assert response.status_code == 201, response.json()
    assert KeyResult.objects.get(ref="kr-num").target == Decimal("0.3")
    # 27 significant digits survive: no float on the way.
    assert KeyResult.objects.get(ref="kr-str").target == Decimal("12345678901234567.0000000001")
    too_fine = alice.post(
        "key-results",
        {
            "ref": "kr-fine",
            "objective": "acme-grow",
            "title": "t",
            "start": 0,
            "target": "0.00000000001",
        },
    )
    assert too_fine.status_code == 400
    assert "target" in too_fine.json()["errors"]
    assert alice.get("key-results/kr-num").json()["start"] == 0.1


def test_it_names_the_field_of_every_error(api_world):
    alice = api_world.alice
    bad = alice.post(
        "key-results", {"ref": "x", "objective": "acme-grow", "title": "t", "start": 5, "target": 5}
    )
    assert bad.status_code == 400
    assert "target" in bad.json()["errors"]
    missing = alice.post("objectives", {"ref": "no title"})
    assert missing.status_code == 400
    assert {"ref", "title", "cycle", "team_id"} <= set(missing.json()["errors"])
    assert alice.call("POST", "objectives", "{not json").status_code == 400
    assert (
        alice.post(
            "key-results",
            {"ref": "y", "objective": "acme-grow", "title": "t", "start": "NaN", "target": 1},
        ).status_code
        == 400
    )


def test_it_rejects_an_alignment_loop(api_world):
    alice = api_world.alice
    alice.post(
        "objectives",
        {
            "ref": "child",
            "title": "c",
            "cycle": "2026-Q4",
            "team_id": api_world.acme.team.pk,
            "parents": [{"ref": "acme-grow"}],
        },
    )
    loop = alice.patch("objectives/acme-grow", {"parents": [{"ref": "child"}]})
    assert loop.status_code == 400
    assert "loop" in loop.json()["errors"]["parents"][0]


def test_it_records_checkins_one_or_many_and_lists_them(api_world):
    bob = api_world.bob
    one = bob.post("key-results/acme-signups/checkins", {"value": "42.5", "confidence": 7})
    assert one.status_code == 201, one.json()
    assert one.json()["value"] == 42.5
    many = bob.post(
        "checkins",
        {
            "checkins": [
                {"key_result": "acme-signups", "value": 50},
                {"key_result": "acme-launch", "done": True},
            ]
        },
    )
    assert many.status_code == 201, many.json()
    bad = bob.post("checkins", {"checkins": [{"key_result": "acme-launch", "value": 3}]})
    assert bad.status_code == 400
    assert "checkins.0.value" in bad.json()["errors"]
    listed = bob.get("key-results/acme-signups/checkins").json()["items"]
    assert [c["value"] for c in listed] == [10, 42.5, 50]
    assert CheckIn.objects.filter(source="api").count() == 3


def test_it_pages_lists_with_a_cursor_in_a_fixed_number_of_queries(
    api_world, django_assert_num_queries
):
    alice = api_world.alice
    for n in range(5):
        Objective.objects.create(
            organization=api_world.world.acme,
            ref=f"o{n}",
            cycle=api_world.acme.cycle,
            team=api_world.acme.team,
            title="o",
        )
    seen = []
    url = "objectives?limit=3"
    # token lookup, last-used, membership+teams (2), page, parent links
    with django_assert_num_queries(6):
        page = alice.get(url).json()
    while True:
        seen += [o["ref"] for o in page["items"]]
        if not page["next_cursor"]:
            break
        page = alice.get(f"objectives?limit=3&cursor={page['next_cursor']}").json()
    assert len(seen) == 7
    assert len(set(seen)) == 7
    assert alice.get("objectives?cursor=garbage").status_code == 400


def test_it_serves_the_report_filtered_by_the_permission_layer(api_world):
    from headway.org.access import actor_for, visible_kpis, visible_objectives
    from headway.reports.build import build_report

    world = api_world.world
    as_of = dt.date(2026, 11, 15)
    for who, api in ((world.alice, api_world.alice), (api_world.dora, api_world.viewer)):
        actor = actor_for(who, world.acme)
        expected = build_report(
            world.acme,
            api_world.acme.cycle,
            as_of,
            objective_filter=visible_objectives(actor),
            kpi_filter=visible_kpis(actor),
        )
        got = api.get("cycles/2026-Q4/report?as_of=2026-11-15")
        assert got.status_code == 200
        assert got.json() == expected
    refs = [o["ref"] for o in api_world.viewer.get("cycles/2026-Q4/report").json()["objectives"]]
    assert "acme-secret" not in refs
    assert "acme-grow" in refs


def test_it_moves_and_duplicates(api_world):
    alice = api_world.alice
    alice.post("cycles", {"name": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31"})
    copy = alice.post("objectives/acme-grow/duplicate", {"cycle": "2027-Q1"})
    assert copy.status_code == 201, copy.json()
    copy_ref = copy.json()["ref"]
    assert KeyResult.objects.filter(objective__ref=copy_ref).count() == 2
    assert not CheckIn.objects.filter(key_result__objective__ref=copy_ref).exists()
    moved = alice.patch("key-results/acme-signups", {"objective": copy_ref})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["objective"] == copy_ref
    assert CheckIn.objects.filter(key_result__ref="acme-signups").count() == 1
