"""``{% kpi_feed_actions kpi numbers %}``: the KPI page's buttons for feeds, alerts and recovery.

``numbers`` is the KPI's entry of the report the page already shows, so the buttons follow
the same numbers as the page without computing them again.
"""

from __future__ import annotations

from typing import Any

from django import template

from headway.kpis.models import KPI
from headway.reports.build import KPIOut

register = template.Library()


@register.inclusion_tag("feeds/_kpi_actions.html", takes_context=True)
def kpi_feed_actions(context: template.Context, kpi: KPI, numbers: KPIOut) -> dict[str, Any]:
    from headway.feeds.views import kpi_actions_context

    request = context["request"]
    return {
        "kpi": kpi,
        "csrf_token": context.get("csrf_token"),
        **kpi_actions_context(request, kpi, numbers),
    }
