"""build_report (streamed driver rows, measurements of the needed KPIs only, period values
shared) against the straightforward computation: every row read as a model instance through
Django's own conversions, every key result and KPI computed on its own by the engine.

Both give the same report on a varied organization (headway.reports.tests.varied) in time
zones with half-hour and 45-minute offsets and a daylight-saving change at midnight, as of
days before, during, on the end of and after cycles, for an admin and for a member who may
not see private objectives and KPIs. Compared at full precision (display rounding turned off)
and as printed. Run on SQLite and on PostgreSQL (DATABASE_URL) alike.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q

from headway.conftest import World
from headway.kpis.convert import kpi_spec
from headway.kpis.models import KPI, Measurement
from headway.numbers import (
    CheckInPoint,
    MeasurementPoint,
    ObjectiveSpec,
    expected_progress,
    kpi_result,
    kr_result,
    objective_progress,
    objective_score,
    period_values,
    score_band,
    score_note,
    status_for,
    suggested_score,
)
from headway.okrs.convert import kr_spec
from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective
from headway.org import access
from headway.org.models import Organization
from headway.reports import build, numbers_out
from headway.reports.build import Report, build_report
from headway.reports.tests.varied import varied

D = date.fromisoformat
# (cycle, as of): before Q4, its first day, mid-cycle around daylight-saving changes, its
# last day and after it (scores), Q3 after its end, the year on Santiago's changes.
SCENARIOS = [
    ("2026-Q4", D("2026-09-20")),
    ("2026-Q4", D("2026-10-01")),
    ("2026-Q4", D("2026-11-01")),
    ("2026-Q4", D("2026-11-15")),
    ("2026-Q4", D("2026-12-31")),
    ("2026-Q4", D("2027-01-05")),
    ("2026-Q3", D("2026-10-20")),
    ("2026-10", D("2026-10-31")),
    ("2026", D("2026-09-05")),
    ("2026", D("2026-09-06")),
]


def straightforward_report(
    org: Organization,
    cycle: Cycle,
    as_of: date,
    *,
    objective_filter: Q | None = None,
    kpi_filter: Q | None = None,
    with_kpis: bool = True,
) -> Report:
    """The report the plain way: the whole organization read with the ORM, all its rows
    handed to the engine (which ignores what comes after ``as_of``)."""
    tz, rules = org.tz, build.rules_for(org)
    objectives = list(
        Objective.objects.filter(organization=org)
        .select_related("cycle", "team", "owner")
        .order_by("position", "id")
    )
    visible = set(Objective.objects.filter(objective_filter or Q()).values_list("pk", flat=True))
    key_results: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in KeyResult.objects.filter(organization=org).order_by("objective_id", "position", "id"):
        key_results[kr.objective_id].append(kr)
    links = list(Alignment.objects.filter(organization=org).select_related("parent").order_by("id"))
    kpis = list(KPI.objects.filter(organization=org).order_by("name", "id"))
    visible_kpis = set(KPI.objects.filter(kpi_filter or Q()).values_list("pk", flat=True))
    measurements: dict[int, list[MeasurementPoint]] = defaultdict(list)
    for m in Measurement.objects.filter(organization=org, superseded_at=None).order_by(
        "kpi_id", "at", "id"
    ):
        measurements[m.kpi_id].append(MeasurementPoint(m.at.astimezone(tz).date(), m.value))
    checkins: dict[int, list[CheckInPoint]] = defaultdict(list)
    for c in CheckIn.objects.filter(organization=org).order_by("key_result_id", "at", "id"):
        checkins[c.key_result_id].append(
            CheckInPoint(c.at.astimezone(tz).date(), c.value, c.done, c.confidence)
        )

    def driven_by(kr: KeyResult) -> dict[str, Any]:
        if kr.kpi is None:
            return {}
        return {"kpi": kpi_spec(kr.kpi), "measurements": measurements[kr.kpi.pk]}

    results = {
        kr.pk: kr_result(
            kr_spec(kr),
            checkins[kr.pk],
            as_of,
            cycle_start=o.cycle.start,
            cycle_end=o.cycle.end,
            **driven_by(kr),
        )
        for o in objectives
        for kr in key_results[o.pk]
    }
    progress = objective_progress(
        {o.pk: ObjectiveSpec(o.pk, o.progress_mode) for o in objectives},
        {
            o.pk: [(kr.weight, results[kr.pk].progress) for kr in key_results[o.pk]]
            for o in objectives
        },
        [(link.child_id, link.parent_id, link.weight) for link in links],
    )
    expected = expected_progress(as_of, cycle.start, cycle.end)
    ended = as_of >= cycle.end

    def score(kr: KeyResult) -> Decimal:
        override: Decimal | None = kr.score_override
        if override is not None:
            return override
        return suggested_score(
            kr_spec(kr), checkins[kr.pk], cycle.end, cycle_start=cycle.start, **driven_by(kr)
        )

    listed = []
    for o in objectives:
        if o.cycle_id != cycle.pk or o.pk not in visible:
            continue
        active = o.state == Objective.State.ACTIVE
        scores = {kr.pk: score(kr) for kr in key_results[o.pk]} if ended else {}
        total = (
            objective_score([(kr.weight, scores[kr.pk]) for kr in key_results[o.pk]])
            if ended
            else None
        )
        listed.append(
            {
                "ref": o.ref,
                "title": o.title,
                "team": o.team.name,
                "owner": o.owner.email if o.owner else None,
                "kind": o.kind,
                "state": o.state,
                "parents": [link.parent.ref for link in links if link.child_id == o.pk],
                "progress": numbers_out.out_ratio(progress[o.pk]),
                "status": status_for(expected, progress[o.pk], rules) if active else o.state,
                "score": numbers_out.out_ratio(total),
                "score_band": score_band(total, rules),
                "score_note": score_note(o.kind, total),
                "key_results": [
                    build._kr_out(
                        kr,
                        results[kr.pk],
                        status_for(expected, results[kr.pk].progress, rules) if active else o.state,
                        scores.get(kr.pk),
                    )
                    for kr in key_results[o.pk]
                ],
            }
        )
    return {
        "organization": org.name,
        "cycle": {
            "name": cycle.name,
            "start": cycle.start.isoformat(),
            "end": cycle.end.isoformat(),
        },
        "as_of": as_of.isoformat(),
        "expected": numbers_out.out_ratio(expected),
        "objectives": listed,  # type: ignore[typeddict-item]
        "kpis": [
            build._kpi_out(
                kpi,
                kpi_result(kpi_spec(kpi), measurements[kpi.pk], as_of, rules),
                [
                    numbers_out.out_value(value)  # type: ignore[misc]
                    for _, value in period_values(kpi_spec(kpi), measurements[kpi.pk], as_of)[
                        -build.RECENT_PERIODS :
                    ]
                ],
            )
            for kpi in kpis
            if with_kpis and kpi.pk in visible_kpis
        ],
    }


def readers(world: World) -> dict[str, dict[str, Any]]:
    """build_report's options for an admin, a member, a member's page without KPIs."""
    bob = access.actor_for(world.bob, world.acme)
    member = {
        "objective_filter": access.visible_objectives(bob),
        "kpi_filter": access.visible_kpis(bob),
    }
    return {"admin": {}, "member": member, "member, no KPI": {**member, "with_kpis": False}}


@pytest.mark.parametrize("time_zone", ["America/St_Johns", "Pacific/Chatham", "America/Santiago"])
def test_it_gives_the_numbers_of_the_straightforward_computation(
    world: World, time_zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = varied(world, time_zone)
    org = world.acme
    cycle, as_of = data.cycles["2026-Q4"], D("2026-11-15")
    assert build_report(org, cycle, as_of) == straightforward_report(org, cycle, as_of)

    # Full precision from here on: a difference hidden by rounding would show.
    for module in (build, numbers_out):
        monkeypatch.setattr(module, "out_ratio", lambda value: value)
        monkeypatch.setattr(module, "out_value", lambda value: value)
    seen: set[tuple[str, object]] = set()
    hidden = 0
    for cycle_name, day in SCENARIOS:
        cycle = data.cycles[cycle_name]
        everything = None
        for name, options in readers(world).items():
            fast = build_report(org, cycle, day, **options)
            plain = straightforward_report(org, cycle, day, **options)
            assert fast == plain, (name, cycle_name, day)
            if everything is None:  # the admin's, first
                everything = plain
            hidden += len(everything["objectives"]) - len(plain["objectives"])
            assert bool(fast["kpis"]) == ("no KPI" not in name)
            for o in fast["objectives"]:
                seen |= {("status", o["status"]), ("band", o["score_band"])}
            seen |= {("rag", k["rag"]) for k in fast["kpis"]}
            seen |= {("deteriorating", k["deteriorating"]) for k in fast["kpis"]}
    # The data set reaches the cases it is there for.
    assert hidden  # private objectives the member does not see
    for field, values in (
        ("status", ("on_track", "at_risk", "off_track", "no_data", "closed")),
        ("band", ("red", "yellow", "green")),
        ("rag", ("red", "yellow", "green", None)),
        ("deteriorating", (True, False)),
    ):
        assert {(field, value) for value in values} <= seen
