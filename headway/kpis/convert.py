"""From stored rows to the plain inputs of headway.numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from headway.numbers import KPISpec

if TYPE_CHECKING:
    from headway.kpis.models import KPI


def kpi_spec(kpi: KPI) -> KPISpec:
    return KPISpec(
        cadence=kpi.cadence,
        aggregation=kpi.aggregation,
        direction=kpi.direction,
        target=kpi.target,
        red=kpi.red,
        low=kpi.low,
        high=kpi.high,
        tolerance=kpi.tolerance,
    )
