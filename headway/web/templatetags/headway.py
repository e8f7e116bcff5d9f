"""Display helpers for templates: formatting only, never a computation."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from headway.reports.numbers_out import whole_percent

register = template.Library()

STATUS_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "no_data": "No data",
    "draft": "Draft",
    "closed": "Closed",
    "green": "Green",
    "yellow": "Yellow",
    "red": "Red",
}
TREND_ARROWS = {"improving": "▲", "worsening": "▼", "flat": "▶"}


@register.filter
def pct(value: float | None) -> str:
    """0.4945 -> "49%" (the report already rounded; this only chooses digits to show)."""
    if value is None:
        return "—"
    return f"{whole_percent(value)}%"


@register.filter
def pct_width(value: float | None) -> str:
    """A CSS width for a progress bar, clamped to 0..100."""
    if value is None:
        return "0"
    return f"{max(0.0, min(1.0, value)) * 100:.1f}"


@register.filter
def num(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


@register.filter
def plain(value: Decimal | None) -> str:
    """A stored decimal as typed, without trailing zeros (for an input's value)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


@register.filter
def signed(value: float | int | None) -> str:
    if value is None:
        return "—"
    text = num(abs(value))
    return f"+{text}" if value > 0 else (f"\u2212{text}" if value < 0 else "0")


@register.filter
def status_label(value: str | None) -> str:
    return STATUS_LABELS.get(value or "", value or "—")


@register.filter
def trend_arrow(value: str | None) -> str:
    return TREND_ARROWS.get(value or "", "")


@register.filter
def confidences(key_results: list[dict[str, Any]]) -> str:
    """KR confidences beside an objective: "7", or lowest to highest with an en dash."""
    values = sorted({kr["confidence"] for kr in key_results if kr.get("confidence") is not None})
    if not values:
        return ""
    return str(values[0]) if len(values) == 1 else f"{values[0]}\u2013{values[-1]}"


@register.filter
def get(mapping: dict[Any, Any] | None, key: Any) -> Any:
    return None if mapping is None else mapping.get(key)


@register.simple_tag(takes_context=True)
def link(context: template.Context, name: str, *args: Any, **query: Any) -> str:
    """``reverse(name, args)`` keeping the page's ``?as_of=`` (and extra query values)."""
    return page_url(context.get("request"), name, *args, **query)


def page_url(request: Any, name: str, *args: Any, **query: Any) -> str:
    """The ``link`` tag, for views."""
    url = reverse(name, args=args)
    params = {k: v for k, v in query.items() if v not in (None, "")}
    if request is not None and getattr(request, "as_of_given", False):
        params.setdefault("as_of", request.as_of.isoformat())
    return f"{url}?{urlencode(params)}" if params else url


def ref_links(request: Any, name: str) -> Callable[[str], str]:
    """``ref -> link(name, ref)`` for thousands of rows: one ``reverse`` for all of them
    (a ref is a slug, so it goes into the URL as it is)."""
    head, tail = reverse(name, args=["-"]).rsplit("-", 1)
    query = ""
    if request is not None and getattr(request, "as_of_given", False):
        query = "?" + urlencode({"as_of": request.as_of.isoformat()})
    return lambda ref: f"{head}{ref}{tail}{query}"


@register.inclusion_tag("web/_org_menu.html", takes_context=True)
def org_menu(context: template.Context) -> dict[str, Any]:
    """The organization switcher: shown only to people in several organizations."""
    from headway.org.models import Membership

    request = context["request"]
    current = getattr(request, "org", None)
    organizations = [
        m.organization
        for m in Membership.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name")
    ]
    return {
        "organizations": organizations,
        "current": current,
        "csrf_token": context.get("csrf_token"),
    }
