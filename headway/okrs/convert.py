"""From stored rows to the plain inputs of headway.numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from headway.numbers import KRSpec

if TYPE_CHECKING:
    from headway.okrs.models import KeyResult


def kr_spec(kr: KeyResult) -> KRSpec:
    return KRSpec(
        type=kr.type,
        start=kr.start,
        target=kr.target,
        bound=kr.bound or None,
        weight=kr.weight,
        kpi_value=(kr.kpi_value or "latest") if kr.kpi_id else None,
    )
