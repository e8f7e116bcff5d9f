"""Every wrong input gives file:line + path + a clear message, and writes nothing."""

from __future__ import annotations

import pytest

from headway.okrfiles import OKRFileError, import_data, import_text
from headway.okrfiles.tests.helpers import SMALL, snapshot


def _edit(old: str, new: str) -> str:
    assert SMALL.count(old) == 1, old
    return SMALL.replace(old, new)


TWO_OBJECTIVES_IN_A_LOOP = (
    SMALL.replace("    title: More traffic\n", "    title: More traffic\n    aligns_to: [goal]\n")
    + """\
  - ref: goal
    title: Grow
    cycle: 2026-Q4
    team: Acme
    aligns_to: [{ref: traffic, weight: 2}]
"""
)

CASES = {
    "bad YAML syntax": (
        _edit("  - {name: Acme}", "  - {name: Acme"),
        "okrs.yaml:5: invalid YAML: did not find expected ',' or '}'",
    ),
    "tab-indented YAML": (
        _edit("    name: Visitors", "\tname: Visitors"),
        "okrs.yaml:12: invalid YAML",
    ),
    "unknown top key": (
        SMALL + "objectivs: []\n",
        "okrs.yaml:28 objectivs: unknown key 'objectivs'; did you mean 'objectives'?",
    ),
    "unknown key result key": (
        _edit("        target: 30", "        trget: 30"),
        "okrs.yaml:25 objectives[0].key_results[0].trget: unknown key 'trget'; "
        "did you mean 'target'?",
    ),
    "duplicate key": (
        _edit("        target: 30", "        target: 30\n        target: 31"),
        "okrs.yaml:26 objectives[0].key_results[0].target: duplicate key 'target'",
    ),
    "missing required key": (
        _edit("    title: More traffic\n", ""),
        "okrs.yaml:16 objectives[0]: missing required key 'title'",
    ),
    "unknown team": (
        _edit("    team: Growth\n    owner", "    team: Grwoth\n    owner"),
        "okrs.yaml:19 objectives[0].team: unknown team 'Grwoth'; did you mean 'Growth'?",
    ),
    "unknown parent team": (
        _edit("parent: Acme}", "parent: Acne}"),
        "okrs.yaml:5 teams[1].parent: unknown team 'Acne'; did you mean 'Acme'?",
    ),
    "unknown team of a person": (
        _edit("teams: [Growth]", "teams: [Growht]"),
        "okrs.yaml:7 people[0].teams[0]: unknown team 'Growht'",
    ),
    "unknown owner": (
        _edit("owner: ana@acme.test", "owner: zed@acme.test"),
        "okrs.yaml:20 objectives[0].owner: unknown person 'zed@acme.test' (list them under people)",
    ),
    "owner from another organization": (
        _edit("owner: ana@acme.test", "owner: charlie@globex.test"),
        "okrs.yaml:20 objectives[0].owner: unknown person 'charlie@globex.test'",
    ),
    "unknown check-in author": (
        _edit("confidence: 6}", "confidence: 6, by: nobody@acme.test}"),
        "okrs.yaml:27 objectives[0].key_results[0].checkins[0].by: unknown person",
    ),
    "unknown cycle": (
        _edit("cycle: 2026-Q4", "cycle: 2026-Q3"),
        "okrs.yaml:18 objectives[0].cycle: unknown cycle '2026-Q3'; did you mean '2026-Q4'?",
    ),
    "unknown KPI": (
        _edit("        target: 30\n", "        target: 30\n        kpi: visitrs\n"),
        "okrs.yaml:26 objectives[0].key_results[0].kpi: unknown KPI 'visitrs'; "
        "did you mean 'visitors'?",
    ),
    "unknown aligns_to ref": (
        _edit("    title: More traffic\n", "    title: More traffic\n    aligns_to: [nope]\n"),
        "okrs.yaml:18 objectives[0].aligns_to[0]: unknown objective 'nope'",
    ),
    "target equals start": (
        _edit("        target: 30", "        target: 0"),
        "okrs.yaml:25 objectives[0].key_results[0].target: target equals start; "
        "use a threshold key result",
    ),
    "alignment to itself": (
        _edit("    title: More traffic\n", "    title: More traffic\n    aligns_to: [traffic]\n"),
        "okrs.yaml:18 objectives[0].aligns_to[0]: alignment cycle: traffic -> traffic",
    ),
    "alignment cycle within the file": (
        TWO_OBJECTIVES_IN_A_LOOP,
        "okrs.yaml:18 objectives[0].aligns_to[0]: alignment cycle: traffic -> goal -> traffic",
    ),
    "a string where a number is expected": (
        _edit("        target: 30", "        target: thirty"),
        "okrs.yaml:25 objectives[0].key_results[0].target: expected a number, got text 'thirty'",
    ),
    "a quoted number": (
        _edit("    target: 60000", "    target: '60000'"),
        "okrs.yaml:14 kpis[0].target: expected a number, got text '60000'",
    ),
    "a mapping where a list is expected": (
        _edit("    key_results:\n", "    key_results: {title: x}\n    krs:\n"),
        "okrs.yaml:21 objectives[0].key_results: expected a list, got a mapping",
    ),
    "a string where a mapping is expected": (
        _edit("  - {name: Acme}", "  - Acme"),
        "okrs.yaml:4 teams[0]: expected a mapping, got text 'Acme'",
    ),
    "a list where text is expected": (
        _edit("    name: Visitors", "    name: [Visitors]"),
        "okrs.yaml:12 kpis[0].name: expected text, got a list",
    ),
    "bad date": (
        _edit("start: 2026-10-01", "start: 2026-13-01"),
        "okrs.yaml:9 cycles[0].start: expected a date like 2026-10-01, got text '2026-13-01'",
    ),
    "end before start": (
        _edit("end: 2026-12-31", "end: 2026-09-30"),
        "okrs.yaml:9 cycles[0].end: end must be after start",
    ),
    "time without an offset": (
        _edit("at: 2026-10-31,", "at: 2026-10-31T10:00:00,"),
        "okrs.yaml:27 objectives[0].key_results[0].checkins[0].at: 2026-10-31T10:00:00 has no "
        "UTC offset",
    ),
    "confidence 11": (
        _edit("confidence: 6", "confidence: 11"),
        "okrs.yaml:27 objectives[0].key_results[0].checkins[0].confidence: confidence must be "
        "a whole number from 0 to 10, got 11",
    ),
    "in_range low above high": (
        _edit("    target: 60000\n", "    direction: in_range\n    low: 10\n    high: 5\n"),
        "okrs.yaml:16 kpis[0].high: the high bound must be at or above the low bound",
    ),
    "too many decimal places": (
        _edit("        target: 30", "        target: 0.12345678901"),
        "okrs.yaml:25 objectives[0].key_results[0].target: too many digits in 0.12345678901",
    ),
    "too many integer digits": (
        _edit("    target: 60000", "    target: 123456789012345678901"),
        "okrs.yaml:14 kpis[0].target: too many digits",
    ),
    "unknown choice": (
        _edit("    title: More traffic\n", "    title: More traffic\n    kind: comitted\n"),
        "okrs.yaml:18 objectives[0].kind: unknown kind 'comitted'; use one of committed, "
        "aspirational; did you mean 'committed'?",
    ),
    "unknown time zone": (
        SMALL + "settings: {time_zone: Mars/Base}\n",
        "okrs.yaml:28 settings.time_zone: unknown time zone 'Mars/Base'",
    ),
    "bad ref": (
        _edit("  - ref: traffic", "  - ref: more traffic"),
        "okrs.yaml:16 objectives[0].ref: a ref may only contain letters, digits, '-' and '_'",
    ),
    "two companies": (
        _edit("  - {name: Growth, parent: Acme}", "  - {name: Growth}"),
        "okrs.yaml:5 teams[1]: only one team may have no parent (the company), and 'Acme' has none",
    ),
    "duplicate ref": (
        _edit(
            "      - ref: posts\n",
            "      - ref: posts\n        title: A\n        type: milestone\n      - ref: posts\n",
        ),
        "okrs.yaml:25 objectives[0].key_results[1].ref: key result ref 'posts' is already "
        "given at objectives[0].key_results[0].ref",
    ),
    "wrong file version": (
        _edit("headway: 1", "headway: 2"),
        "okrs.yaml:1 headway: unsupported file version 2",
    ),
    "value on a milestone check-in": (
        _edit("        start: 0\n        target: 30\n", "        type: milestone\n"),
        "okrs.yaml:26 objectives[0].key_results[0].checkins[0].value: a milestone check-in "
        "records done",
    ),
    "empty file": ("", "okrs.yaml:1: the file is empty"),
    "a list at the top": ("- a\n", "okrs.yaml:1: expected a mapping, got a list"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_it_rejects_bad_input_and_writes_nothing(world, case):
    text, expected = CASES[case]
    before = snapshot()
    with pytest.raises(OKRFileError) as e:
        import_text(text, "okrs.yaml")
    messages = [str(problem) for problem in e.value.errors]
    assert any(m.startswith(expected) for m in messages), messages
    assert snapshot() == before


@pytest.mark.django_db
def test_it_reports_every_problem_at_once(world):
    text = (
        _edit("        target: 30", "        target: 0")
        .replace("confidence: 6", "confidence: 11")
        .replace("cycle: 2026-Q4", "cycle: 2026-Q3")
        .replace("    team: Growth\n    target", "    team: Nowhere\n    target")
    )
    with pytest.raises(OKRFileError) as e:
        import_text(text, "okrs.yaml")
    assert [str(p).split(" ")[0] for p in e.value.errors] == [
        "okrs.yaml:13",
        "okrs.yaml:18",
        "okrs.yaml:25",
        "okrs.yaml:27",
    ]
    assert len(str(e.value).splitlines()) == 4


@pytest.mark.django_db
def test_it_rejects_an_alignment_cycle_through_the_database(world):
    import_text(
        TWO_OBJECTIVES_IN_A_LOOP.replace("    aligns_to: [{ref: traffic, weight: 2}]\n", "")
    )
    before = snapshot()
    # goal is stored as traffic's parent; making goal a child of traffic closes a loop.
    text = """\
organization: Acme
objectives:
  - ref: goal
    title: Grow
    cycle: 2026-Q4
    team: Acme
    aligns_to: [traffic]
"""
    with pytest.raises(OKRFileError) as e:
        import_text(text, "goal.yaml")
    assert (
        str(e.value)
        == "goal.yaml:7 objectives[0].aligns_to[0]: alignment cycle: goal -> traffic -> goal"
    )
    assert snapshot() == before


@pytest.mark.django_db
def test_it_gives_json_errors_with_lines(world):
    text = """{
  "organization": "Acme",
  "cycles": [
    {"name": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"},
    {"name": "2027-Q1", "start": "2027-01-01", "end": "someday"}
  ]
}
"""
    before = snapshot()
    with pytest.raises(OKRFileError) as e:
        import_text(text, "okrs.json")
    assert str(e.value) == (
        "okrs.json:5 cycles[1].end: expected a date like 2026-10-01, got text 'someday'"
    )
    with pytest.raises(OKRFileError) as e:
        import_text('{"organization": "Acme",\n "teams": [}', "okrs.json")
    assert str(e.value).startswith("okrs.json:2: invalid JSON")
    assert snapshot() == before


@pytest.mark.django_db
def test_it_rejects_bad_python_data(world):
    before = snapshot()
    with pytest.raises(OKRFileError) as e:
        import_data({"organization": "Acme", "teams": [{"name": "X", "parent": object()}]})
    assert str(e.value).startswith("<data> teams[0].parent: unsupported value of type object")
    with pytest.raises(OKRFileError) as e:
        import_data({"organization": "Acme", "settings": {"on_track_max": float("nan")}})
    assert "settings.on_track_max: nan is not a finite number" in str(e.value)
    assert snapshot() == before


@pytest.mark.django_db
def test_it_rejects_ambiguous_titles_without_refs(world):
    text = SMALL.replace(
        "  - ref: traffic\n",
        "  - title: More traffic\n    cycle: 2026-Q4\n    team: Growth\n  - ref: traffic\n",
    )
    with pytest.raises(OKRFileError) as e:
        import_text(text, "okrs.yaml")
    assert (
        "objectives[1]: another objective in cycle 2026-Q4 has the same title as objectives[0]"
        in str(e.value)
    )


@pytest.mark.django_db
def test_it_rejects_a_measurement_key_of_another_kpi(world):
    import_text(
        SMALL.replace(
            "    target: 60000\n",
            "    target: 60000\n    measurements:\n"
            "      - {at: 2026-10-01, value: 5, key: feed-1}\n",
        )
    )
    text = SMALL.replace(
        "  - ref: visitors\n    name: Visitors\n", "  - ref: signups\n    name: Signups\n"
    ).replace(
        "    target: 60000\n",
        "    target: 60000\n    measurements:\n      - {at: 2026-10-02, value: 5, key: feed-1}\n",
    )
    before = snapshot()
    with pytest.raises(OKRFileError) as e:
        import_text(text, "okrs.yaml")
    assert str(e.value) == (
        "okrs.yaml:16 kpis[0].measurements[0].key: measurement key 'feed-1' is already used "
        "by KPI 'visitors'"
    )
    assert snapshot() == before
