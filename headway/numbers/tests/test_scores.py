"""End-of-cycle scores (semantics.md, "Scores")."""

from datetime import date
from decimal import Decimal

import pytest

from headway.numbers import (
    SCORE_NOTE_TEXT,
    CheckInPoint,
    KRSpec,
    Rules,
    objective_score,
    score_band,
    score_note,
    suggested_score,
)

D = Decimal


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (D("0"), "red"),
        (D("0.39"), "red"),
        (D("0.3999999"), "red"),
        (D("0.4"), "yellow"),
        (D("0.69"), "yellow"),
        (D("0.6999999"), "yellow"),
        (D("0.7"), "green"),
        (D("1"), "green"),
        (None, None),
    ],
)
def test_it_colours_scores_in_bands(score: Decimal | None, band: str | None) -> None:
    assert score_band(score) == band


def test_it_uses_the_organizations_band_edges() -> None:
    rules = Rules(band_yellow_from=D("0.3"), band_green_from=D("0.6"))
    assert score_band(D("0.3"), rules) == "yellow"
    assert score_band(D("0.6"), rules) == "green"
    assert score_band(D("0.29"), rules) == "red"


def test_it_scores_an_objective_as_the_weighted_mean_of_kr_scores() -> None:
    assert objective_score([(D(1), D("0.5")), (D(3), D("1.0"))]) == D("0.875")
    assert objective_score([(D(1), D("0.6")), (D(0), D("0.0"))]) == D("0.6")


def test_it_never_lets_rounding_move_a_mean_outside_its_inputs() -> None:
    third = D(1) / D(3)
    # Unguarded, (2 * third + 6 * third) / 8 rounds to ...3334 at 28 digits.
    assert objective_score([(D(2), third), (D(6), third)]) == third


def test_it_has_no_objective_score_without_counted_krs() -> None:
    assert objective_score([]) is None
    assert objective_score([(D(0), D("0.7"))]) is None


@pytest.mark.parametrize(
    ("score", "note"),
    [(D("1.0"), "met"), (D("1"), "met"), (D("0.99"), "missed"), (D("0"), "missed")],
)
def test_it_marks_a_committed_objective_met_only_at_1(score: Decimal, note: str) -> None:
    assert score_note("committed", score) == note


@pytest.mark.parametrize(
    ("score", "note"),
    [
        (D("1.0"), "too_easy"),
        (D("0.99"), None),
        (D("0.71"), None),
        (D("0.7"), "sweet_spot"),
        (D("0.65"), "sweet_spot"),
        (D("0.6"), "sweet_spot"),
        (D("0.59"), None),
        (D("0"), None),
    ],
)
def test_it_flags_aspirational_scores(score: Decimal, note: str | None) -> None:
    assert score_note("aspirational", score) == note


def test_it_words_the_too_easy_flag() -> None:
    assert SCORE_NOTE_TEXT["too_easy"] == "target may have been too easy"


def test_it_has_no_note_without_a_score() -> None:
    assert score_note("committed", None) is None
    assert score_note("aspirational", None) is None


def test_it_rejects_an_unknown_objective_kind() -> None:
    with pytest.raises(ValueError, match="unknown objective kind"):
        score_note("stretch", D("1"))


def test_it_suggests_the_progress_at_the_cycle_end() -> None:
    spec = KRSpec(start=D(0), target=D(100))
    checkins = [
        CheckInPoint(date(2026, 11, 1), value=D(40)),
        CheckInPoint(date(2026, 12, 31), value=D(65)),
        CheckInPoint(date(2027, 1, 3), value=D(100)),  # after the cycle: ignored
    ]
    assert suggested_score(spec, checkins, date(2026, 12, 31)) == D("0.65")
