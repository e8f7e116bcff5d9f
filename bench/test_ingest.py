"""Smoke test: the ingest benchmark runs at a tiny size (no timing assertions)."""

from __future__ import annotations

import pytest

from bench.ingest import format_timings, parse_args, run


@pytest.mark.django_db(transaction=True)
def test_it_times_the_bulk_path_the_csv_path_and_the_raw_driver(
    capsys: pytest.CaptureFixture[str],
) -> None:
    timings = run(parse_args(["--rows", "2000"]))
    assert [t.label for t in timings] == [
        "bulk path (record_measurements)",
        "CSV file (plan + commit)",
        "raw driver insert",
    ]
    assert all(t.rows == 2000 for t in timings)
    out = capsys.readouterr().out
    assert "rows/s" in out
    assert "of raw" in format_timings(timings)
