"""Smoke test: the pages benchmark runs at a tiny size (no timing assertions)."""

from __future__ import annotations

import re

import pytest

from bench.pages import run
from bench.report import parse_args

TINY = ["--objectives", "12", "--krs", "30", "--checkins", "60", "--kpis", "2", "--days", "10"]


@pytest.mark.django_db
def test_it_times_the_objectives_page_the_map_and_the_kpi_board(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(parse_args([*TINY, "--repeat", "1"]))
    out = capsys.readouterr().out
    assert "generated       12 objectives, 30 key results, 60 check-ins" in out
    for label in ("objectives page", "alignment map", "KPI board"):
        line = next(line for line in out.splitlines() if line.startswith(label))
        assert re.search(r", [1-9][0-9]* queries,", line)
        assert "KiB of HTML" in line
