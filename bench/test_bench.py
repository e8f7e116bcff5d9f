"""Smoke test: the generator and the timing code run at a tiny size (no timing assertions)."""

from __future__ import annotations

import pytest

from bench.generate import Sizes, generate
from bench.measure import format_figures, measure
from bench.report import parse_args, run

TINY = Sizes(objectives=20, krs=60, checkins=400, kpis=4, days=40)


@pytest.mark.django_db
def test_it_generates_and_measures_a_small_organization() -> None:
    generated = generate(TINY)
    figures = measure(generated.organization, generated.cycle, generated.as_of, repeat=1)
    assert figures.queries == 6
    assert figures.rows["objectives"] == 20
    assert figures.rows["key_results"] == 60
    assert figures.rows["checkins"] == 400
    assert figures.rows["measurements"] == 160
    text = format_figures(figures, 1)
    labels = ("rows read", "rows/s", "report time", "without KPIs", "queries", "bare SQL")
    for label in (*labels, "peak memory"):
        assert label in text


@pytest.mark.django_db
def test_it_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    run(
        parse_args(
            [
                "--objectives",
                "10",
                "--krs",
                "30",
                "--checkins",
                "50",
                "--kpis",
                "2",
                "--days",
                "10",
                "--repeat",
                "1",
            ]
        )
    )
    out = capsys.readouterr().out
    assert "generated       10 objectives, 30 key results, 50 check-ins" in out
    assert "report/bare SQL" in out


def test_it_reads_the_full_size_by_default() -> None:
    args = parse_args([])
    assert (args.objectives, args.krs, args.checkins, args.kpis, args.days) == (
        2000,
        8000,
        100_000,
        300,
        730,
    )
    assert args.database_url is None


def test_it_rejects_bad_arguments() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--objectives", "0"])
    with pytest.raises(SystemExit):
        parse_args(["--database-url", "mysql://localhost/x"])
