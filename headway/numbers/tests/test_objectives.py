"""Objective progress and alignment (semantics.md, "Objectives")."""

import time
from decimal import Decimal

import pytest

from headway.numbers import (
    AlignmentCycleError,
    ObjectiveSpec,
    find_alignment_cycle,
    objective_progress,
)

D = Decimal


def specs(**modes: str) -> dict[str, ObjectiveSpec]:
    return {oid: ObjectiveSpec(oid, mode) for oid, mode in modes.items()}


def test_it_averages_key_results_by_weight() -> None:
    result = objective_progress(
        specs(growth="key_results"),
        {"growth": [(D(1), D("0.5")), (D(3), D("0.9")), (D(0), D("0.0"))]},
        [],
    )
    assert result == {"growth": D("0.8")}


def test_it_is_unknown_without_counted_inputs() -> None:
    result = objective_progress(
        specs(empty="key_results", zero="key_results", lonely="children"),
        {"zero": [(D(0), D("0.5"))]},
        [],
    )
    assert result == {"empty": None, "zero": None, "lonely": None}


def test_it_averages_children_by_link_weight() -> None:
    result = objective_progress(
        specs(company="children", sales="key_results", support="key_results"),
        {"sales": [(D(1), D("0.2"))], "support": [(D(1), D("0.8"))], "company": [(D(1), D(1))]},
        [("sales", "company", D(1)), ("support", "company", D(2))],
    )
    assert result["company"] == D("0.6")  # KRs of a children-mode objective are not counted


def test_it_skips_children_with_unknown_progress() -> None:
    result = objective_progress(
        specs(company="children", sales="key_results", idle="key_results"),
        {"sales": [(D(1), D("0.3"))]},
        [("sales", "company", D(1)), ("idle", "company", D(5)), ("ghost", "company", D(1))],
    )
    assert result == {"company": D("0.3"), "sales": D("0.3"), "idle": None}


def test_it_mixes_krs_and_children_in_both_mode() -> None:
    result = objective_progress(
        specs(company="both", sales="key_results"),
        {"company": [(D(1), D("0.0")), (D(1), D("1.0"))], "sales": [(D(1), D("0.4"))]},
        [("sales", "company", D(2))],
    )
    assert result["company"] == D("0.45")  # (0 + 1 + 2 * 0.4) / 4


def test_it_lets_a_child_align_to_several_parents() -> None:
    result = objective_progress(
        specs(a="children", b="children", shared="key_results", other="key_results"),
        {"shared": [(D(1), D("0.5"))], "other": [(D(1), D("1"))]},
        [("shared", "a", D(1)), ("shared", "b", D(1)), ("other", "b", D(1))],
    )
    assert result["a"] == D("0.5")
    assert result["b"] == D("0.75")


def test_it_rolls_up_through_several_levels() -> None:
    result = objective_progress(
        specs(top="children", mid="both", leaf="key_results"),
        {"leaf": [(D(1), D("0.2"))], "mid": [(D(1), D("0.6"))]},
        [("mid", "top", D(1)), ("leaf", "mid", D(1))],
    )
    assert result == {"top": D("0.4"), "mid": D("0.4"), "leaf": D("0.2")}


def test_it_ignores_a_zero_weight_link() -> None:
    result = objective_progress(
        specs(top="children", a="key_results", b="key_results"),
        {"a": [(D(1), D("0.2"))], "b": [(D(1), D("0.9"))]},
        [("a", "top", D(1)), ("b", "top", D(0))],
    )
    assert result["top"] == D("0.2")


def test_it_rejects_negative_weights_and_unknown_modes() -> None:
    with pytest.raises(ValueError, match="weight"):
        objective_progress(specs(a="key_results"), {"a": [(D(-1), D("0.5"))]}, [])
    with pytest.raises(ValueError, match="weight"):
        objective_progress(specs(a="children", b="key_results"), {}, [("b", "a", D(-1))])
    with pytest.raises(ValueError, match="unknown progress mode"):
        objective_progress(specs(a="everything"), {}, [])


def test_it_finds_an_alignment_cycle() -> None:
    assert find_alignment_cycle([("a", "b"), ("b", "a")]) == ["a", "b", "a"]
    assert find_alignment_cycle([("a", "a")]) == ["a", "a"]
    assert find_alignment_cycle([("x", "a"), ("a", "b"), ("b", "c"), ("c", "a")]) == [
        "a",
        "b",
        "c",
        "a",
    ]


def test_it_finds_no_cycle_in_a_diamond() -> None:
    assert find_alignment_cycle([("d", "b"), ("d", "c"), ("b", "a"), ("c", "a")]) is None
    assert find_alignment_cycle([]) is None


def test_it_handles_none_and_falsy_ids() -> None:
    assert find_alignment_cycle([(0, None), (None, 0)]) == [0, None, 0]
    assert find_alignment_cycle([(0, None), (None, "")]) is None


def test_it_visits_each_objective_once_in_a_ladder_of_diamonds() -> None:
    # 2 ** 60 distinct paths lead from the bottom to the top: only a search that remembers
    # finished objectives gets through.
    edges = [((level, i), (level + 1, j)) for level in range(60) for i in (0, 1) for j in (0, 1)]
    started = time.perf_counter()
    assert find_alignment_cycle(edges) is None
    assert time.perf_counter() - started < 1
    assert find_alignment_cycle([*edges, ((60, 0), (0, 1))]) is not None


def test_it_raises_a_clear_error_on_a_cycle() -> None:
    with pytest.raises(AlignmentCycleError, match=r"alignment cycle: a -> b -> a") as caught:
        objective_progress(
            specs(a="children", b="children"), {}, [("a", "b", D(1)), ("b", "a", D(1))]
        )
    assert caught.value.path == ["a", "b", "a"]
    assert isinstance(caught.value, ValueError)


def test_it_is_fast_on_2000_objectives_with_a_1000_long_chain() -> None:
    objectives = {i: ObjectiveSpec(i, "both" if i < 1000 else "children") for i in range(2000)}
    kr_progress = {i: [(D(1), D(i % 10) / 10)] for i in range(2000)}
    edges = [(i, i - 1, D(1)) for i in range(1, 1000)]  # a chain 999 -> ... -> 0
    edges += [(i, i % 1000, D(2)) for i in range(1000, 2000)]  # fan-in from the rest
    edges += [(i, (i * 7) % 1000, D(1)) for i in range(1000, 2000)]
    started = time.perf_counter()
    result = objective_progress(objectives, kr_progress, edges)
    elapsed = time.perf_counter() - started
    assert elapsed < 2
    assert result[1999] is None  # children-mode leaf without children
    assert result[999] is not None
    assert result[0] is not None
    assert D(0) <= result[0] <= D(1)
    edges.append((0, 999, D(1)))
    with pytest.raises(AlignmentCycleError):
        objective_progress(objectives, kr_progress, edges)
