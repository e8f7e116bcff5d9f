"""build_report against the hand-computed numbers of conftest.acme_q4 (semantics.md)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.db.models import Q
from django.utils import timezone

from headway.kpis.models import KPI
from headway.okrs.models import KeyResult, Objective
from headway.reports.build import ReportError, build_report
from headway.reports.tests import factories as f
from headway.reports.tests.conftest import Q4

AS_OF = date(2026, 11, 15)


def objective(report: Any, ref: str) -> Any:
    return next(o for o in report["objectives"] if o["ref"] == ref)


def kr(report: Any, objective_ref: str, ref: str) -> Any:
    return next(k for k in objective(report, objective_ref)["key_results"] if k["ref"] == ref)


def kpi(report: Any, ref: str) -> Any:
    return next(k for k in report["kpis"] if k["ref"] == ref)


def test_it_shows_the_header_and_expected_progress(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    assert report["organization"] == "Acme"
    assert report["cycle"] == {"name": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}
    assert report["as_of"] == "2026-11-15"
    assert report["expected"] == 0.4945  # 45 / 91


def test_it_is_plain_json(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    assert json.loads(json.dumps(report)) == report


def test_it_lists_only_the_cycles_objectives_in_order(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    assert [o["ref"] for o in report["objectives"]] == [
        "grow-revenue",
        "behind",
        "over",
        "empty",
        "draft-one",
        "closed-one",
        "child-a",
        "child-b",
        "parent-p",
        "parent-q",
        "kpi-driven",
    ]


def test_it_computes_a_metric_kr(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    assert kr(report, "grow-revenue", "revenue") == {
        "ref": "revenue",
        "title": "Revenue",
        "type": "metric",
        "unit": "$",
        "start": 0,
        "target": 100000,
        "current": 80000,
        "progress": 0.8,
        "raw_progress": 0.8,
        "gap": 20000,
        "gap_pct": 0.2,
        "confidence": 7,
        "status": "on_track",
        "weight": 1,
        "score": None,
    }


def test_it_computes_a_lower_is_better_kr(acme_q4: Q4) -> None:
    churn = kr(build_report(acme_q4.world.acme, acme_q4.q4, AS_OF), "grow-revenue", "churn")
    assert (churn["start"], churn["target"], churn["current"]) == (10, 5, 7)
    assert (churn["progress"], churn["raw_progress"]) == (0.6, 0.6)
    assert (churn["gap"], churn["gap_pct"]) == (2, 0.4)
    assert churn["weight"] == 2
    assert churn["confidence"] == 5  # no confidence given yet: the kick-off value


def test_it_computes_milestone_and_threshold_krs(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    launch = kr(report, "grow-revenue", "launch")
    assert (launch["current"], launch["progress"], launch["gap"]) == (None, 1.0, None)
    assert launch["confidence"] == 8
    latency = kr(report, "grow-revenue", "latency")
    assert (latency["current"], latency["target"], latency["progress"]) == (250, 200, 0.0)
    assert latency["status"] == "off_track"  # behind 0.4945
    assert latency["weight"] == 0


def test_it_averages_kr_progress_by_weight(acme_q4: Q4) -> None:
    grow = objective(build_report(acme_q4.world.acme, acme_q4.q4, AS_OF), "grow-revenue")
    assert grow["progress"] == 0.75  # (0.8 + 2 * 0.6 + 1) / 4; latency's weight 0 not counted
    assert grow["status"] == "on_track"
    assert (grow["team"], grow["owner"], grow["kind"], grow["state"]) == (
        "Growth",
        "bob@acme.test",
        "committed",
        "active",
    )
    assert (grow["score"], grow["score_band"], grow["score_note"]) == (None, None, None)


def test_it_gives_time_aware_statuses(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    assert kr(report, "behind", "behind-1")["status"] == "at_risk"
    assert kr(report, "behind", "behind-2")["status"] == "off_track"
    assert objective(report, "behind")["progress"] == 0.25
    assert objective(report, "behind")["status"] == "at_risk"


def test_it_keeps_raw_progress_beyond_the_target(acme_q4: Q4) -> None:
    over = kr(build_report(acme_q4.world.acme, acme_q4.q4, AS_OF), "over", "over-1")
    assert (over["progress"], over["raw_progress"]) == (1.0, 1.2)
    assert (over["gap"], over["gap_pct"]) == (-20, -0.2)


def test_it_has_no_data_without_counted_inputs(acme_q4: Q4) -> None:
    empty = objective(build_report(acme_q4.world.acme, acme_q4.q4, AS_OF), "empty")
    assert (empty["progress"], empty["status"], empty["key_results"]) == (None, "no_data", [])


def test_it_shows_the_state_of_draft_and_closed_objectives(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    assert objective(report, "draft-one")["status"] == "draft"
    assert kr(report, "draft-one", "draft-kr")["status"] == "draft"
    assert objective(report, "closed-one")["status"] == "closed"
    assert kr(report, "closed-one", "closed-kr")["status"] == "closed"


def test_it_rolls_up_weighted_children(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    assert objective(report, "parent-p")["progress"] == 0.5  # (0.2 + 3 * 0.6) / 4
    assert objective(report, "parent-p")["key_results"] == []
    assert objective(report, "parent-q")["progress"] == 0.5333  # (0.4 + 2 * 0.6) / 3
    assert objective(report, "child-b")["parents"] == ["parent-p", "parent-q"]
    assert objective(report, "parent-p")["parents"] == ["company-y"]  # in another cycle


def test_it_follows_children_into_other_cycles(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.year, AS_OF)
    assert report["expected"] == 0.8736  # 318 / 364
    assert [o["ref"] for o in report["objectives"]] == ["company-y"]
    # (parent-p 0.5, itself from Q4's children, + h1-done 1.0) / 2
    assert objective(report, "company-y")["progress"] == 0.75


def test_it_drives_krs_from_a_kpi(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    latest = kr(report, "kpi-driven", "latest")
    assert (latest["current"], latest["progress"]) == (12, 0.5)
    total = kr(report, "kpi-driven", "total")
    assert (total["current"], total["progress"]) == (72, 0.5)
    average = kr(report, "kpi-driven", "average")
    assert (average["current"], average["progress"]) == (14.4, 0.4)
    assert (average["gap"], average["gap_pct"]) == (21.6, 0.6)
    assert objective(report, "kpi-driven")["progress"] == 0.4667  # (0.5 + 0.5 + 0.4) / 3


def test_it_computes_kpis(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)
    assert [k["ref"] for k in report["kpis"]] == ["churn-rate", "nps", "signups", "uptime"]
    assert kpi(report, "nps") == {
        "ref": "nps",
        "name": "NPS",
        "unit": "",
        "current": 20,
        "previous": 35,
        "partial": True,
        "rag": "red",
        "gap": 30,
        "gap_pct": 0.6,
        "stale": False,
        "delta": -15,
        "trend": "worsening",
        "deteriorating": True,
        "recent": [45, 40, 35, 20],  # one value a month, oldest first
    }
    signups = kpi(report, "signups")
    assert (signups["current"], signups["previous"], signups["partial"]) == (12, 30, False)
    assert (signups["rag"], signups["gap"], signups["gap_pct"]) == ("red", 38, 0.76)
    assert (signups["delta"], signups["trend"], signups["deteriorating"]) == (
        -18,
        "worsening",
        False,
    )


def test_it_flags_a_stale_green_kpi(acme_q4: Q4) -> None:
    churn = kpi(build_report(acme_q4.world.acme, acme_q4.q4, AS_OF), "churn-rate")
    assert (churn["current"], churn["previous"], churn["partial"]) == (1.5, None, False)
    assert (churn["rag"], churn["gap"], churn["gap_pct"]) == ("green", -0.5, -0.25)
    assert (churn["stale"], churn["delta"], churn["trend"]) == (True, None, None)


def test_it_computes_an_in_range_kpi(acme_q4: Q4) -> None:
    uptime = kpi(build_report(acme_q4.world.acme, acme_q4.q4, AS_OF), "uptime")
    assert (uptime["current"], uptime["previous"], uptime["partial"]) == (98.9, 98.3, False)
    assert (uptime["rag"], uptime["gap"], uptime["gap_pct"]) == ("yellow", 0.1, 0.001)
    assert (uptime["delta"], uptime["trend"]) == (0.6, "improving")


def test_it_ignores_data_after_as_of(acme_q4: Q4) -> None:
    before = build_report(acme_q4.world.acme, acme_q4.q4, date(2026, 10, 20))
    assert before["expected"] == 0.2088  # 19 / 91
    assert kr(before, "grow-revenue", "revenue")["current"] == 50000
    assert kr(before, "grow-revenue", "revenue")["confidence"] == 6
    assert kr(before, "grow-revenue", "churn")["current"] == 10  # no check-in yet: start
    assert kr(before, "grow-revenue", "launch")["progress"] == 0.0
    assert kr(before, "kpi-driven", "total")["current"] == 30  # 10 + 20
    assert kpi(before, "nps")["current"] == 35
    assert kpi(before, "uptime")["current"] is None

    later = build_report(acme_q4.world.acme, acme_q4.q4, date(2026, 11, 20))
    assert kr(later, "grow-revenue", "revenue")["current"] == 100000


def test_it_cuts_days_in_the_organizations_time_zone(acme_q4: Q4) -> None:
    acme = acme_q4.world.acme
    acme.time_zone = "America/New_York"
    acme.save()
    revenue = KeyResult.objects.get(ref="revenue")
    # 2026-11-16 03:00 UTC is 22:00 on the 15th in New York: counted on the 15th.
    f.checkin(revenue, f.at("2026-11-16", 3), 90000)
    assert kr(build_report(acme, acme_q4.q4, AS_OF), "grow-revenue", "revenue")["current"] == 90000
    # 05:30 UTC is 00:30 on the 16th in New York: not yet.
    f.checkin(revenue, f.at("2026-11-16", 5, 30), 95000)
    assert kr(build_report(acme, acme_q4.q4, AS_OF), "grow-revenue", "revenue")["current"] == 90000


def test_it_scores_after_the_cycle_ends(acme_q4: Q4) -> None:
    churn = KeyResult.objects.get(ref="churn")
    churn.score_override = f.D("0.5")
    churn.score_reason = "the market shrank"
    churn.save()
    report = build_report(acme_q4.world.acme, acme_q4.q4, date(2027, 1, 5))
    assert report["expected"] == 1.0
    revenue = kr(report, "grow-revenue", "revenue")
    # The score is the progress at the cycle's end (100,000 on 11-20), not on 2027-01-05.
    assert (revenue["score"], revenue["current"], revenue["progress"]) == (1.0, 0, 0.0)
    assert kr(report, "grow-revenue", "churn")["score"] == 0.5  # the override
    assert kr(report, "grow-revenue", "launch")["score"] == 1.0
    assert kr(report, "grow-revenue", "latency")["score"] == 0.0
    grow = objective(report, "grow-revenue")
    # (1 + 2 * 0.5 + 1 + 0 * 0) / 4 = 0.75: green, but a committed objective is met only at 1.
    assert (grow["score"], grow["score_band"], grow["score_note"]) == (0.75, "green", "missed")
    assert objective(report, "over")["score_note"] == "too_easy"  # aspirational at 1.0
    assert objective(report, "behind")["score_band"] == "red"  # (0.3 + 0.2) / 2 = 0.25
    assert objective(report, "empty")["score"] is None


def test_it_has_no_scores_before_the_cycle_ends(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, date(2026, 12, 30))
    assert all(o["score"] is None for o in report["objectives"])
    assert all(k["score"] is None for o in report["objectives"] for k in o["key_results"])
    on_last_day = build_report(acme_q4.world.acme, acme_q4.q4, date(2026, 12, 31))
    assert objective(on_last_day, "over")["score"] == 1.0


def test_it_uses_the_organizations_rules(acme_q4: Q4) -> None:
    acme = acme_q4.world.acme
    acme.on_track_max = f.D("0.2")
    acme.save()
    report = build_report(acme, acme_q4.q4, AS_OF)
    assert kr(report, "behind", "behind-1")["status"] == "on_track"  # behind 0.1945 <= 0.2


def test_it_narrows_what_is_listed_without_changing_numbers(acme_q4: Q4) -> None:
    report = build_report(
        acme_q4.world.acme,
        acme_q4.q4,
        AS_OF,
        objective_filter=Q(ref__startswith="parent"),
        kpi_filter=Q(team__memberships__user=acme_q4.world.bob) & Q(unit="%"),
    )
    assert [o["ref"] for o in report["objectives"]] == ["parent-p", "parent-q"]
    assert objective(report, "parent-p")["progress"] == 0.5  # hidden children still count
    assert [k["ref"] for k in report["kpis"]] == ["churn-rate", "uptime"]


def test_it_defaults_to_today_in_the_organizations_time_zone(acme_q4: Q4) -> None:
    acme = acme_q4.world.acme
    acme.time_zone = "Pacific/Kiritimati"  # UTC+14: often a day ahead of UTC
    acme.save()
    report = build_report(acme, acme_q4.q4)
    assert report["as_of"] == timezone.now().astimezone(acme.tz).date().isoformat()


def test_it_refuses_another_organizations_cycle(acme_q4: Q4) -> None:
    with pytest.raises(ValueError, match="another organization"):
        build_report(acme_q4.world.globex, acme_q4.q4, AS_OF)


def test_it_names_a_key_result_the_engine_rejects(acme_q4: Q4) -> None:
    KeyResult.objects.filter(ref="revenue").update(target=f.D(0))  # target == start
    with pytest.raises(ReportError, match="key result revenue"):
        build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)


def test_it_names_an_alignment_cycle(acme_q4: Q4) -> None:
    child_a = Objective.objects.get(ref="child-a")
    parent_p = Objective.objects.get(ref="parent-p")
    f.align(parent_p, child_a)  # the database allows it; the engine refuses to compute it
    with pytest.raises(ReportError, match="alignment cycle"):
        build_report(acme_q4.world.acme, acme_q4.q4, AS_OF)


def test_it_ignores_superseded_measurements(acme_q4: Q4) -> None:
    nps = KPI.objects.get(ref="nps")
    wrong = f.measure(nps, "2026-11-12", 99)
    wrong.superseded_at = timezone.now()
    wrong.save()
    assert kpi(build_report(acme_q4.world.acme, acme_q4.q4, AS_OF), "nps")["current"] == 20
