"""The demo document: its shape, its dates relative to today, and the stories it tells."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from headway.demo.actions import demo_today
from headway.demo.data import ADMIN_EMAIL, ORGANIZATION, build_demo
from headway.demo.tests.stories import kpi_results, kr_stories

# Mid-quarter, early in a year (previous quarter in another year), near a quarter's end.
TODAYS = [date(2026, 11, 22), date(2027, 2, 14), date(2026, 9, 27)]

TOP_KEYS = {"headway", "organization", "settings", "teams", "people", "cycles", "kpis"}
TOP_KEYS |= {"objectives"}
KPI_KEYS = {"ref", "name", "team", "owner", "unit", "cadence", "aggregation", "direction"}
KPI_KEYS |= {"target", "red", "low", "high", "tolerance", "measurements"}
OBJECTIVE_KEYS = {"ref", "title", "cycle", "team", "owner", "kind", "progress_mode"}
OBJECTIVE_KEYS |= {"aligns_to", "private", "state", "level", "key_results"}
KR_KEYS = {"ref", "title", "type", "start", "target", "bound", "unit", "weight", "owner"}
KR_KEYS |= {"kpi", "kpi_value", "initiatives", "checkins", "score", "score_reason"}
CHECKIN_KEYS = {"at", "value", "done", "confidence", "note", "by"}


def all_dates(data: dict[str, Any]) -> list[date]:
    dates = [m["at"] for kpi in data["kpis"] for m in kpi["measurements"]]
    for objective in data["objectives"]:
        for kr in objective["key_results"]:
            dates.extend(c["at"] for c in kr.get("checkins", []))
    return dates


def key_results(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [kr for objective in data["objectives"] for kr in objective["key_results"]]


def test_it_is_deterministic() -> None:
    assert build_demo(date(2026, 11, 22)) == build_demo(date(2026, 11, 22))


@pytest.mark.parametrize("today", TODAYS)
def test_it_is_relative_to_today(today: date) -> None:
    data = build_demo(today)
    cycles = {c["name"]: c for c in data["cycles"]}
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    assert cycles[quarter]["start"] <= today <= cycles[quarter]["end"]
    assert cycles[quarter]["parent"] == str(today.year)
    day_before = cycles[quarter]["start"] - timedelta(days=1)
    previous = next(c for c in data["cycles"] if "-Q" in c["name"] and c["end"] == day_before)
    assert cycles[previous["parent"]]["start"] <= previous["start"]

    dates = all_dates(data)
    assert max(dates) <= today
    assert min(dates) < today - timedelta(days=180)  # half a year of KPI history at least
    signups = next(k for k in data["kpis"] if k["cadence"] == "daily")
    assert signups["measurements"][-1]["at"] == today - timedelta(days=1)
    current = [o for o in data["objectives"] if o["cycle"] == quarter and o.get("state") is None]
    latest = max(c["at"] for o in current for kr in o["key_results"] for c in kr["checkins"])
    assert today - latest < timedelta(days=7)


def test_it_shifts_with_today() -> None:
    first, later = build_demo(date(2026, 11, 22)), build_demo(date(2027, 2, 14))
    assert {c["name"] for c in first["cycles"]} == {"2026", "2026-Q3", "2026-Q4"}
    assert {c["name"] for c in later["cycles"]} == {"2026", "2027", "2026-Q4", "2027-Q1"}
    assert max(all_dates(later)) - max(all_dates(first)) == timedelta(days=84)


def test_it_only_adds_when_built_again_the_next_day() -> None:
    # Running `headway demo` again tomorrow must add tomorrow's data, not rewrite history
    # (check-ins are append-only, so a changed one would be a second check-in).
    today, tomorrow = build_demo(date(2026, 11, 22)), build_demo(date(2026, 11, 23))
    later_krs = {kr["ref"]: kr for kr in key_results(tomorrow)}
    for kr in key_results(today):
        checkins = later_krs[kr["ref"]].get("checkins", [])
        assert kr.get("checkins", []) == checkins[: len(kr.get("checkins", []))], kr["ref"]
    later_kpis = {kpi["ref"]: kpi for kpi in tomorrow["kpis"]}
    for kpi in today["kpis"]:
        values = {m["at"]: m["value"] for m in later_kpis[kpi["ref"]]["measurements"]}
        assert len(values) == len(later_kpis[kpi["ref"]]["measurements"])  # one per day
        assert all(values.get(m["at"], m["value"]) == m["value"] for m in kpi["measurements"])


def test_it_keeps_refs_apart_from_one_quarter_to_the_next() -> None:
    # The previous quarter of one run is the current quarter of a run three months earlier.
    earlier, later = build_demo(date(2026, 8, 20)), build_demo(date(2026, 11, 22))
    assert not {kr["ref"] for kr in key_results(earlier)} & {kr["ref"] for kr in key_results(later)}
    assert not {o["ref"] for o in earlier["objectives"]} & {o["ref"] for o in later["objectives"]}


def test_it_has_the_documented_shape() -> None:
    data = build_demo(date(2026, 11, 22))
    assert set(data) == TOP_KEYS
    assert data["headway"] == 1
    assert data["organization"] == ORGANIZATION
    teams = {team["name"] for team in data["teams"]}
    assert [t["name"] for t in data["teams"] if "parent" not in t] == ["Northwind"]
    assert all(t["parent"] in teams for t in data["teams"] if "parent" in t)

    people = {person["email"]: person for person in data["people"]}
    assert 8 <= len(people) <= 12
    assert all(email.endswith("@northwind.test") for email in people)
    assert {p["role"] for p in people.values()} == {"admin", "lead", "member", "viewer"}
    assert people[ADMIN_EMAIL]["role"] == "admin"
    assert all(set(p["teams"]) <= teams for p in people.values())

    kpi_refs = {kpi["ref"] for kpi in data["kpis"]}
    assert len(kpi_refs) == len(data["kpis"])
    for kpi in data["kpis"]:
        assert set(kpi) <= KPI_KEYS, kpi["ref"]
        assert kpi["team"] in teams
        assert kpi["owner"] in people

    cycles = {cycle["name"] for cycle in data["cycles"]}
    objective_refs = [o["ref"] for o in data["objectives"]]
    assert len(set(objective_refs)) == len(objective_refs)
    kr_refs = [kr["ref"] for kr in key_results(data)]
    assert len(set(kr_refs)) == len(kr_refs)
    for objective in data["objectives"]:
        assert set(objective) <= OBJECTIVE_KEYS, objective["ref"]
        assert objective["cycle"] in cycles
        assert objective["team"] in teams
        assert objective["owner"] in people
        assert {link["ref"] for link in objective.get("aligns_to", [])} <= set(objective_refs)
        for kr in objective["key_results"]:
            assert set(kr) <= KR_KEYS, kr["ref"]
            assert kr.get("owner", objective["owner"]) in people
            assert kr.get("kpi", next(iter(kpi_refs))) in kpi_refs
            for checkin in kr.get("checkins", []):
                assert set(checkin) <= CHECKIN_KEYS
                assert checkin["by"] in people
                assert 0 <= checkin["confidence"] <= 10


def test_it_has_what_a_demo_needs() -> None:
    data = build_demo(date(2026, 11, 22))
    objectives = data["objectives"]
    people = {p["email"]: p for p in data["people"]}
    krs = key_results(data)
    assert {kr.get("type", "metric") for kr in krs} == {"metric", "milestone", "threshold"}
    assert any(kr.get("kpi") and kr.get("kpi_value") == "latest" for kr in krs)
    assert any(kr["target"] < kr["start"] for kr in krs if "start" in kr)  # lower is better
    assert any(kr.get("initiatives") for kr in krs)
    assert any(len(o.get("aligns_to", [])) > 1 for o in objectives)
    assert any(link["weight"] != 1 for o in objectives for link in o.get("aligns_to", []))
    assert any(o["progress_mode"] == "children" for o in objectives)
    assert any(o["progress_mode"] == "both" for o in objectives)
    assert any(o.get("private") for o in objectives)
    assert any(o.get("state") == "draft" for o in objectives)
    assert any(o["kind"] == "committed" for o in objectives)
    members = {email for email, person in people.items() if person["role"] == "member"}
    company = [o for o in objectives if o["team"] == "Northwind"]
    personal = [o for o in objectives if o["owner"] in members]
    assert len(company) >= 3
    assert len(personal) >= 3
    assert len(objectives) - len(company) - len(personal) >= 4
    for o in objectives:  # personal objectives sit in their owner's team
        if people[o["owner"]]["role"] == "member":
            assert o["team"] in people[o["owner"]]["teams"]

    closed = [o for o in objectives if o.get("state") == "closed"]
    assert len({o["cycle"] for o in closed}) == 1
    overrides = [kr for o in closed for kr in o["key_results"] if "score" in kr]
    assert len(overrides) >= 2
    assert all(kr["score_reason"].strip() and 0 <= kr["score"] <= 1 for kr in overrides)
    cadences = {kpi["cadence"] for kpi in data["kpis"]}
    assert cadences == {"daily", "weekly", "monthly", "quarterly"}


@pytest.mark.parametrize("today", TODAYS)
def test_it_tells_its_stories(today: date) -> None:
    data = build_demo(today)
    kpis = kpi_results(data, today)
    directions = {kpi["ref"]: kpi["direction"] for kpi in data["kpis"]}
    assert any(r.rag == "red" for r in kpis.values())
    assert any(r.rag == "green" for r in kpis.values())
    assert any(r.stale for r in kpis.values())
    assert any(r.deteriorating for r in kpis.values())
    assert "lower_is_better" in directions.values()
    assert "in_range" in directions.values()
    assert [ref for ref, r in kpis.items() if r.stale] == ["nps"]

    statuses = Counter(story.status for story in kr_stories(data, today))
    assert statuses["on_track"] >= 5
    assert statuses["at_risk"] + statuses["off_track"] >= 2
    assert any(s.progress > s.expected for s in kr_stories(data, today))  # some ahead


def test_it_tells_its_stories_today() -> None:
    # Early in a quarter (expected progress under 0.10) nothing can be behind yet.
    today = demo_today()
    data = build_demo(today)
    stories = kr_stories(data, today)
    if stories[0].expected > 0.15:
        assert any(s.status in ("at_risk", "off_track") for s in stories)
    assert any(r.stale for r in kpi_results(data, today).values())
