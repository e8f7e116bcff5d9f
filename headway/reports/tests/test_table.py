"""The terminal table (headway.reports.table)."""

from __future__ import annotations

import re
from datetime import date

from headway.reports.build import build_report
from headway.reports.table import bar, number, pad, percent, render_table
from headway.reports.tests.conftest import Q4

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_it_draws_bars_and_percentages() -> None:
    assert bar(0.67, 12) == "████████░░░░"
    assert bar(0.0, 4) == "░░░░"
    assert bar(1.2, 4) == "████"
    assert bar(None, 4) == "····"
    assert percent(0.4945) == " 49%"
    assert percent(None) == "   \N{EN DASH}"


def test_it_formats_numbers_for_the_eye() -> None:
    assert number(100000) == "100,000"
    assert number(14.4) == "14.4"
    assert number(178.66666666666666) == "178.67"
    assert number(0.00123) == "0.0012"
    assert number(-15, sign=True) == "-15"
    assert number(0.6, sign=True) == "+0.6"
    assert number(None) == "\N{EN DASH}"


def test_it_truncates_text_with_an_ellipsis() -> None:
    assert pad("abcdef", 4) == "abc…"
    assert pad("ab", 4) == "ab  "
    assert pad("ab", 4, right=True) == "  ab"


def test_it_renders_the_report(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, date(2026, 11, 15))
    report["objectives"][0]["title"] = "A very long objective title " * 5
    text = render_table(report)
    lines = text.splitlines()
    assert lines[0] == "Acme · 2026-Q4"
    assert lines[1] == "2026-10-01 .. 2026-12-31 · as of 2026-11-15 · expected progress 49%"
    assert "\x1b[" not in text
    assert max(len(line) for line in lines) <= 100
    assert "A very long objective title A very long obj… " in text
    assert "█████████░░░  75%  on track" in text
    assert "80,000 / 100,000 $" in text
    assert "gap 20,000 (20%)" in text
    assert "conf 7" in text
    assert "Latency (not counted)" in text
    assert "Churn \N{MULTIPLICATION SIGN}2" in text
    assert "no data" in text
    assert "done" in text
    assert "reached" in text
    nps = next(line for line in lines if line.startswith("  NPS"))
    assert "red" in nps
    assert "↓ -15" in nps
    assert "gap 30 (60%)" in nps
    assert "partial deteriorating" in nps
    churn = next(line for line in lines if line.startswith("  Churn rate"))
    assert "1.5%" in churn
    assert "stale" in churn
    uptime = next(line for line in lines if line.startswith("  Uptime"))
    assert "↑ +0.6" in uptime


def test_it_colours_statuses_when_asked(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, date(2026, 11, 15))
    text = render_table(report, color=True)
    assert "\x1b[32mon track\x1b[0m" in text
    assert "\x1b[33mat risk\x1b[0m" in text
    assert "\x1b[31moff track\x1b[0m" in text
    assert "\x1b[2mno data\x1b[0m" in text
    plain = ANSI.sub("", text)
    assert plain == render_table(report)
    assert max(len(line) for line in plain.splitlines()) <= 100


def test_it_shows_scores_after_the_cycle(acme_q4: Q4) -> None:
    report = build_report(acme_q4.world.acme, acme_q4.q4, date(2027, 1, 5))
    text = render_table(report)
    assert "score 0.80 green" in text  # (1 + 2 * 0.6 + 1) / 4
    assert "grow-revenue · Growth · bob@acme.test · committed · missed" in text
    assert "over · Growth · no owner · aspirational · target may have been too easy" in text
    assert "178.67 / 36  reached" in text  # 1,072 / 6 measurements, cut for the eye
    assert "score 1.00" in text
    assert max(len(line) for line in text.splitlines()) <= 100
