"""Charts as SVG, from plain data (no ORM): pages, chart views and printed reports share them.

matplotlib draws the full charts server-side (Agg backend, fixed hash salt, no date in the
metadata, so the same data always gives the same bytes). Sparklines for the KPI board are a
hand-built SVG polyline: a board of 300 tiles must not pay for 300 matplotlib figures.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

Number = int | float

COLORS = {
    "line": "#0b5cad",
    "expected": "#8c959f",
    "target": "#1a7f37",
    "red": "#b42318",
    "green_band": "#dafbe1",
    "red_band": "#ffe1dc",
}


def _new_figure() -> Any:
    # Imported lazily: matplotlib takes a moment to load and most requests draw nothing.
    # Figure objects, not pyplot: pyplot keeps global state that threads would share.
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.hashsalt"] = "headway"  # stable ids: same data, same bytes
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, selectable
    return Figure(figsize=(7.2, 2.8), dpi=100)


def _svg(fig: Any, title: str, summary: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined too
    label = escape(f"{title}. {summary}", quote=True)
    head_end = svg.index(">") + 1
    return (
        svg[: head_end - 1].replace("<svg", f'<svg role="img" aria-label="{label}"', 1)
        + ">"
        + f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"
        + svg[head_end:]
    )


def _figure() -> tuple[Any, Any]:
    fig = _new_figure()
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#eaeef2")
    ax.tick_params(labelsize=8)
    return fig, ax


def kr_summary(
    title: str, unit: str, points: Sequence[tuple[date, Number]], target: Number | None
) -> str:
    if not points:
        return "No check-ins yet."
    day, value = points[-1]
    unit_text = f" {unit}" if unit and unit != "%" else ("%" if unit == "%" else "")
    text = f"{len(points)} readings; latest {value}{unit_text} on {day.isoformat()}"
    if target is not None:
        text += f"; target {target}{unit_text}"
    return text + "."


def kr_chart(
    title: str,
    unit: str,
    points: Sequence[tuple[date, Number]],
    expected: Sequence[tuple[date, Number]],
    target: Number | None,
) -> str:
    """A KR's readings (steps: a value holds until the next check-in) against the straight
    expected line from the cycle's start to its end."""
    fig, ax = _figure()
    if expected:
        ax.plot(
            [d for d, _ in expected],
            [v for _, v in expected],
            linestyle="--",
            color=COLORS["expected"],
            label="expected",
        )
    if points:
        ax.step(
            [d for d, _ in points],
            [v for _, v in points],
            where="post",
            color=COLORS["line"],
            marker="o",
            markersize=3,
            label="actual",
        )
    if target is not None:
        ax.axhline(target, color=COLORS["target"], linewidth=0.8, label="target")
    ax.set_ylabel(unit or "value", fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    fig.autofmt_xdate()
    return _svg(fig, title, kr_summary(title, unit, points, target))


def kpi_summary(
    unit: str,
    periods: Sequence[tuple[str, date, Number]],
    target: Number | None,
    red: Number | None,
) -> str:
    if not periods:
        return "No measurements yet."
    label, _, value = periods[-1]
    text = f"{len(periods)} periods; latest {label}: {value}{' ' + unit if unit else ''}"
    if target is not None:
        text += f"; target {target}"
    if red is not None:
        text += f"; red threshold {red}"
    return text + "."


def kpi_chart(
    name: str,
    unit: str,
    direction: str,
    periods: Sequence[tuple[str, date, Number]],
    *,
    target: Number | None = None,
    red: Number | None = None,
    low: Number | None = None,
    high: Number | None = None,
) -> str:
    """A KPI's period values with the good zone (target or range) and the red zone as bands."""
    fig, ax = _figure()
    labels = [label for label, _, _ in periods]
    values = [value for _, _, value in periods]
    xs = list(range(len(values)))
    ax.plot(xs, values, color=COLORS["line"], marker="o", markersize=3)
    everything = [v for v in [*values, target, red, low, high] if v is not None]
    if everything:
        bottom, top = min(everything), max(everything)
        pad = (top - bottom) * 0.15 or abs(top) * 0.1 or 1
        bottom, top = bottom - pad, top + pad
        ax.set_ylim(bottom, top)
        if direction == "in_range" and low is not None and high is not None:
            ax.axhspan(low, high, color=COLORS["green_band"], label="in range")
        elif target is not None:
            higher = direction == "higher_is_better"
            ax.axhspan(
                target, top if higher else bottom, color=COLORS["green_band"], label="target met"
            )
            if red is not None:
                ax.axhspan(red, bottom if higher else top, color=COLORS["red_band"], label="red")
    ax.set_xticks(
        xs,
        labels,
        rotation=45 if len(labels) > 6 else 0,
        ha="right" if len(labels) > 6 else "center",
    )
    ax.set_ylabel(unit or "value", fontsize=8)
    if everything:
        ax.legend(fontsize=7, frameon=False, loc="upper left")
    return _svg(fig, name, kpi_summary(unit, periods, target, red))


def sparkline(values: Sequence[Number], width: int = 120, height: int = 32, label: str = "") -> str:
    """A tiny line of the last values, as inline SVG (no axes; the tile shows the numbers)."""
    summary = escape(label or f"last {len(values)} values", quote=True)
    if len(values) < 2:
        return (
            f'<svg class="spark" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{summary}"></svg>'
        )
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = (width - 4) / (len(values) - 1)
    points = " ".join(
        f"{2 + i * step:.1f},{height - 3 - (v - low) / span * (height - 6):.1f}"
        for i, v in enumerate(values)
    )
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
        f'role="img" aria-label="{summary}"><polyline points="{points}"/></svg>'
    )
