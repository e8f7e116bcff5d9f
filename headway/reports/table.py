"""The report as a terminal table, at most 100 columns wide.

A line is built as segments of (text, style); ``_fit`` cuts it to the width on visible
characters (ending in …) and only then are ANSI colours added, so colour never changes the
layout. Every number shown here comes from the report dict (already rounded by
headway.reports.numbers_out); this module only formats them.
"""

from __future__ import annotations

from headway.numbers import SCORE_NOTE_TEXT
from headway.reports.build import KeyResultOut, KPIOut, ObjectiveOut, Report
from headway.reports.numbers_out import whole_percent

WIDTH = 100
MISSING = "\N{EN DASH}"

RESET = "\x1b[0m"
STYLES = {
    "green": "\x1b[32m",
    "yellow": "\x1b[33m",
    "red": "\x1b[31m",
    "dim": "\x1b[2m",
    "bold": "\x1b[1m",
}
STATUS_STYLE = {
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "no_data": "dim",
    "draft": "dim",
    "closed": "dim",
}
TREND_STYLE = {"improving": "green", "worsening": "red", "flat": ""}

OBJECTIVE_TITLE = 44
OBJECTIVE_BAR = 12
KR_INDENT = "    "
KR_TITLE = 26
KR_BAR = 8
KR_VALUE = 22
KR_GAP = 18
KPI_NAME = 24
KPI_VALUE = 13
KPI_DELTA = 7
KPI_GAP = 16

Segment = tuple[str, str]


def render_table(report: Report, *, color: bool = False, width: int = WIDTH) -> str:
    """The whole report as text lines, coloured with ANSI codes when ``color``."""
    lines: list[list[Segment]] = [*_header(report), []]
    lines.append([("Objectives", "bold")])
    if not report["objectives"]:
        lines.append([("  (none)", "dim")])
    for objective in report["objectives"]:
        lines.extend(_objective(objective))
    lines.append([])
    lines.append([("KPIs", "bold")])
    if not report["kpis"]:
        lines.append([("  (none)", "dim")])
    lines.extend(_kpi(kpi) for kpi in report["kpis"])
    return "\n".join(_render(_fit(line, width), color) for line in lines) + "\n"


def _header(report: Report) -> list[list[Segment]]:
    cycle = report["cycle"]
    expected = report["expected"]
    return [
        [(f"{report['organization']} · {cycle['name']}", "bold")],
        [
            (
                f"{cycle['start']} .. {cycle['end']} · as of {report['as_of']} · "
                f"expected progress {percent(expected).strip()}",
                "",
            )
        ],
    ]


def _objective(objective: ObjectiveOut) -> list[list[Segment]]:
    style = STATUS_STYLE.get(objective["status"], "")
    line: list[Segment] = [
        (pad(objective["title"], OBJECTIVE_TITLE) + " ", "bold"),
        (bar(objective["progress"], OBJECTIVE_BAR), style),
        (" " + percent(objective["progress"]) + "  ", ""),
        (objective["status"].replace("_", " "), style),
    ]
    if objective["score"] is not None:
        line.append((f"  score {objective['score']:.2f}", ""))
        if objective["score_band"]:
            line.append((" " + objective["score_band"], objective["score_band"]))
    about = [objective["ref"], objective["team"], objective["owner"] or "no owner"]
    about.append(objective["kind"])
    if objective["score_note"]:
        about.append(SCORE_NOTE_TEXT.get(objective["score_note"], objective["score_note"]))
    if objective["parents"]:
        about.append("↑ " + ", ".join(objective["parents"]))
    lines = [line, [("  " + " · ".join(about), "dim")]]
    lines.extend(_key_result(kr) for kr in objective["key_results"])
    return lines


def _key_result(kr: KeyResultOut) -> list[Segment]:
    style = STATUS_STYLE.get(kr["status"], "")
    weight = kr["weight"]
    marker = (
        ""
        if weight == 1
        else " (not counted)"
        if weight == 0
        else f" \N{MULTIPLICATION SIGN}{number(weight)}"
    )
    title = pad(kr["title"], KR_TITLE - len(marker)).rstrip() + marker
    line: list[Segment] = [
        (KR_INDENT + pad(title, KR_TITLE) + " ", ""),
        (bar(kr["progress"], KR_BAR), style),
        (" " + percent(kr["progress"]), ""),
        ("  " + pad(kr_value(kr), KR_VALUE, right=True), ""),
        ("  " + pad(kr_gap(kr), KR_GAP), ""),
    ]
    if kr["score"] is not None:  # after the cycle, the score replaces the confidence
        line.append((f"  score {kr['score']:.2f}", ""))
    elif kr["confidence"] is not None:
        line.append((f"  conf {kr['confidence']}", "dim"))
    return line


def _kpi(kpi: KPIOut) -> list[Segment]:
    rag = kpi["rag"]
    line: list[Segment] = [
        ("  " + pad(kpi["name"], KPI_NAME) + " ", ""),
        (pad(with_unit(kpi["current"], kpi["unit"]), KPI_VALUE, right=True) + "  ", ""),
        (pad(rag or MISSING, 6), rag or "dim"),
        ("  " + trend_arrow(kpi) + " ", TREND_STYLE.get(kpi["trend"] or "", "")),
        (pad(signed(kpi["delta"]), KPI_DELTA), ""),
        ("  " + pad(gap_text(kpi["gap"], kpi["gap_pct"]), KPI_GAP), ""),
    ]
    flags = [
        name
        for name, on in (
            ("stale", kpi["stale"]),
            ("partial", kpi["partial"]),
            ("deteriorating", kpi["deteriorating"]),
        )
        if on
    ]
    if flags:
        line.append(("  " + " ".join(flags), "red" if kpi["deteriorating"] else "dim"))
    return line


def bar(progress: float | None, width: int) -> str:
    """``████████░░░░`` filled in proportion to ``progress`` (0..1)."""
    if progress is None:
        return "·" * width
    filled = max(0, min(width, round(progress * width)))
    return "█" * filled + "░" * (width - filled)


def percent(ratio: float | None) -> str:
    """A ratio as a whole percentage, 4 characters wide: `` 67%``; a dash when unknown."""
    if ratio is None:
        return "   " + MISSING
    return f"{whole_percent(ratio):>3}%"


def number(value: float | None, *, sign: bool = False) -> str:
    """A value with thousands separators (``100,000``, ``14.4``); a dash when missing.

    Only for the eye: fractions are cut to 2 decimals (4 below 1) so a column keeps its
    width; the report dict keeps the exact value.
    """
    if value is None:
        return MISSING
    plus = "+" if sign else ""
    if isinstance(value, int):
        return f"{value:{plus},}"
    places = 2 if abs(value) >= 1 else 4
    text = f"{value:{plus},.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(value: float | None) -> str:
    return "" if value is None else number(value, sign=True)


def with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return MISSING
    if not unit:
        return number(value)
    return f"{number(value)}{unit}" if unit == "%" else f"{number(value)} {unit}"


def kr_value(kr: KeyResultOut) -> str:
    """Current against target (``80,000 / 100,000 $``), or ``done``/``not done``."""
    if kr["type"] == "milestone":
        return "done" if kr["progress"] == 1 else "not done"
    return f"{number(kr['current'])} / {with_unit(kr['target'], kr['unit'])}"


def kr_gap(kr: KeyResultOut) -> str:
    if kr["gap"] is not None and kr["gap"] <= 0:
        return "reached"
    return gap_text(kr["gap"], kr["gap_pct"])


def gap_text(gap: float | None, gap_pct: float | None) -> str:
    """``gap 20,000 (20%)``; empty without a gap."""
    if gap is None:
        return ""
    text = f"gap {number(gap)}"
    if gap_pct is not None:
        text += f" ({percent(gap_pct).strip()})"
    return text


def trend_arrow(kpi: KPIOut) -> str:
    delta = kpi["delta"]
    if delta is None:
        return " "
    if delta > 0:
        return "↑"
    if delta < 0:
        return "↓"
    return "→"


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` cut to ``width`` (ending in …) and padded to exactly ``width``."""
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.rjust(width) if right else text.ljust(width)


def _fit(line: list[Segment], width: int) -> list[Segment]:
    """The segments cut to ``width`` visible characters, the last one ending in …."""
    out: list[Segment] = []
    used = 0
    for text, style in line:
        if used + len(text) <= width:
            out.append((text, style))
            used += len(text)
            continue
        room = width - used
        if room > 0:
            out.append((text[: room - 1] + "…", style))
        break
    if out:
        last_text, last_style = out[-1]
        out[-1] = (last_text.rstrip(), last_style)
    return out


def _render(line: list[Segment], color: bool) -> str:
    if not color:
        return "".join(text for text, _ in line)
    return "".join(
        f"{STYLES[style]}{text}{RESET}" if style and text.strip() else text for text, style in line
    )
