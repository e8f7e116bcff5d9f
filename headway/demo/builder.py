"""Small helpers that write objectives and key results in the OKR-file format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from random import Random
from typing import Any

from headway.demo.series import (
    Cycle,
    Plan,
    Row,
    confidence_checkins,
    metric_checkins,
    milestone_checkins,
    threshold_checkins,
)


def objective(
    ref: str,
    title: str,
    cycle: Cycle,
    team: str,
    owner: str,
    key_results: Sequence[Row],
    *,
    kind: str = "aspirational",
    progress_mode: str = "key_results",
    aligns_to: Sequence[tuple[str, int]] = (),
    **extra: Any,
) -> Row:
    """An objective; ``aligns_to`` holds ``(parent ref, weight)`` pairs."""
    row: Row = {
        "ref": ref,
        "title": title,
        "cycle": cycle.name,
        "team": team,
        "owner": owner,
        "kind": kind,
        "progress_mode": progress_mode,
    }
    if aligns_to:
        row["aligns_to"] = [{"ref": parent, "weight": weight} for parent, weight in aligns_to]
    row.update(extra)
    row["key_results"] = list(key_results)
    return row


@dataclass(frozen=True)
class KeyResults:
    """Writes the key results of one cycle, with check-ins up to ``today``.

    Refs get the cycle's prefix (``2026-q4-``) so each quarter's OKRs stay apart; each KR's
    random generator is seeded by its short ref, so its story does not depend on the others.
    """

    cycle: Cycle
    today: date

    @property
    def prefix(self) -> str:
        return self.cycle.name.lower() + "-"

    def ref(self, short: str) -> str:
        return self.prefix + short

    def _rng(self, short: str) -> Random:
        return Random(f"northwind:{short}")

    def metric(
        self,
        short: str,
        title: str,
        *,
        start: float,
        target: float,
        unit: str,
        owner: str,
        plan: Plan,
        **extra: Any,
    ) -> Row:
        checkins = metric_checkins(
            self._rng(short),
            self.cycle,
            self.today,
            start=start,
            target=target,
            by=owner,
            plan=plan,
        )
        return {
            "ref": self.ref(short),
            "title": title,
            "start": start,
            "target": target,
            "unit": unit,
            "owner": owner,
            **extra,
            "checkins": checkins,
        }

    def milestone(
        self, short: str, title: str, *, owner: str, done_at: float | None, **extra: Any
    ) -> Row:
        checkins = milestone_checkins(
            self._rng(short), self.cycle, self.today, done_at=done_at, by=owner
        )
        return {
            "ref": self.ref(short),
            "title": title,
            "type": "milestone",
            "owner": owner,
            **extra,
            "checkins": checkins,
        }

    def threshold(
        self,
        short: str,
        title: str,
        *,
        bound: str,
        target: float,
        unit: str,
        owner: str,
        first: float,
        settled: float,
        wobble: float,
        places: int = 0,
        notes: Sequence[str] = (),
    ) -> Row:
        checkins = threshold_checkins(
            self._rng(short),
            self.cycle,
            self.today,
            first=first,
            settled=settled,
            wobble=wobble,
            places=places,
            by=owner,
            notes=notes,
        )
        return {
            "ref": self.ref(short),
            "title": title,
            "type": "threshold",
            "bound": bound,
            "target": target,
            "unit": unit,
            "owner": owner,
            "checkins": checkins,
        }

    def driven(
        self,
        short: str,
        title: str,
        *,
        kpi: str,
        target: float,
        unit: str,
        owner: str,
        pace: float,
        start: float | None = None,
        notes: Sequence[str] = (),
        **extra: Any,
    ) -> Row:
        """A KR whose value follows a KPI (a metric one, or a threshold one given ``type`` and
        ``bound`` in ``extra``); its check-ins carry only confidence and notes."""
        checkins = confidence_checkins(
            self._rng(short), self.cycle, self.today, pace=pace, by=owner, notes=notes
        )
        row: Row = {"ref": self.ref(short), "title": title, "kpi": kpi, "kpi_value": "latest"}
        if start is not None:
            row["start"] = start
        return {
            **row,
            "target": target,
            "unit": unit,
            "owner": owner,
            **extra,
            "checkins": checkins,
        }
