"""What the demo document shows as of its ``today``, computed with headway.numbers.

Reads the OKR-file dict directly (no database), so the demo's stories can be checked even
before anything is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from headway.numbers import (
    CheckInPoint,
    KPIResult,
    KPISpec,
    KRSpec,
    MeasurementPoint,
    expected_progress,
    kpi_result,
    kr_result,
    status_for,
)


def dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def kpi_spec(kpi: dict[str, Any]) -> KPISpec:
    return KPISpec(
        cadence=kpi["cadence"],
        aggregation=kpi["aggregation"],
        direction=kpi["direction"],
        target=dec(kpi.get("target")),
        red=dec(kpi.get("red")),
        low=dec(kpi.get("low")),
        high=dec(kpi.get("high")),
        tolerance=dec(kpi.get("tolerance")),
    )


def kpi_points(kpi: dict[str, Any]) -> list[MeasurementPoint]:
    return [MeasurementPoint(m["at"], Decimal(str(m["value"]))) for m in kpi["measurements"]]


def kpi_results(data: dict[str, Any], today: date) -> dict[str, KPIResult]:
    return {k["ref"]: kpi_result(kpi_spec(k), kpi_points(k), today) for k in data["kpis"]}


@dataclass(frozen=True)
class KRStory:
    ref: str
    objective: str
    progress: Decimal
    expected: Decimal
    status: str


def kr_stories(data: dict[str, Any], today: date) -> list[KRStory]:
    """Progress and status of every KR of an active objective, as of ``today``."""
    cycles = {c["name"]: c for c in data["cycles"]}
    kpis = {k["ref"]: k for k in data["kpis"]}
    stories = []
    for objective in data["objectives"]:
        if objective.get("state", "active") != "active":
            continue
        cycle = cycles[objective["cycle"]]
        expected = expected_progress(today, cycle["start"], cycle["end"])
        for kr in objective["key_results"]:
            kpi = kpis.get(kr.get("kpi", ""))
            spec = KRSpec(
                type=kr.get("type", "metric"),
                start=dec(kr.get("start")),
                target=dec(kr.get("target")),
                bound=kr.get("bound"),
                kpi_value=kr.get("kpi_value", "latest") if kpi else None,
            )
            checkins = [
                CheckInPoint(c["at"], dec(c.get("value")), c.get("done"), c.get("confidence"))
                for c in kr.get("checkins", [])
            ]
            result = kr_result(
                spec,
                checkins,
                today,
                kpi=kpi_spec(kpi) if kpi else None,
                measurements=kpi_points(kpi) if kpi else (),
                cycle_start=cycle["start"],
                cycle_end=cycle["end"],
            )
            status = status_for(expected, result.progress)
            stories.append(KRStory(kr["ref"], objective["ref"], result.progress, expected, status))
    return stories
