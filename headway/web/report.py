"""Every number a page shows comes from here: the cycle report, narrowed to what the actor
may see. Pages never compute progress, status or KPI flags themselves, so they always show
what `headway report` prints for the same day."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404

from headway.okrs.models import Cycle
from headway.org import access
from headway.reports.build import Report, build_report


def report_for(actor: access.Actor, cycle: Cycle, as_of: date, *, kpis: bool = True) -> Report:
    """The report narrowed to what ``actor`` may see; ``kpis=False`` for a page that shows
    no KPI (its ``kpis`` list is then empty, and the report reads only the measurements of
    the KPIs that drive key results: no number changes)."""
    return build_report(
        actor.organization,
        cycle,
        as_of,
        objective_filter=access.visible_objectives(actor),
        kpi_filter=access.visible_kpis(actor),
        with_kpis=kpis,
    )


def cycles_of(actor: access.Actor) -> list[Cycle]:
    return list(Cycle.objects.filter(organization=actor.organization).order_by("-start", "name"))


def choose_cycle(cycles: list[Cycle], name: str | None, as_of: date) -> Cycle | None:
    """The cycle named in the query string, else the shortest one containing ``as_of``,
    else the latest one that started before it, else any."""
    if name:
        for cycle in cycles:
            if cycle.name == name:
                return cycle
        raise Http404(f"no cycle {name!r}")
    current = [c for c in cycles if c.start <= as_of <= c.end]
    if current:
        return min(current, key=lambda c: (c.end - c.start, c.name))
    started = [c for c in cycles if c.start <= as_of]
    if started:
        return max(started, key=lambda c: c.start)
    return cycles[-1] if cycles else None


def current_cycles(cycles: list[Cycle], as_of: date) -> list[Cycle]:
    return [c for c in cycles if c.start <= as_of <= c.end]


def by_ref(rows: list[Any]) -> dict[str, Any]:
    return {row["ref"]: row for row in rows}


def kpi_report(actor: access.Actor, as_of: date, *, objectives: bool = True) -> Report:
    """A report for the KPI pages: KPIs do not belong to a cycle, so any cycle will do; with
    none yet, an unsaved one lists no objective and every KPI. A page that shows no
    objective (the board) asks for that one too: a KPI's numbers never depend on them."""
    cycle = choose_cycle(cycles_of(actor), None, as_of) if objectives else None
    if cycle is None:
        cycle = Cycle(organization=actor.organization, name="", start=as_of, end=as_of)
    return report_for(actor, cycle, as_of)
