"""Objective progress and alignment (semantics.md, "Objectives").

Alignment links are ``(child_id, parent_id, weight)``; an objective may have several
parents. Progress is computed children first (Kahn's topological order), so long chains and
large trees take linear time and no recursion.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from ._common import weighted_mean

KEY_RESULTS = "key_results"
CHILDREN = "children"
BOTH = "both"
PROGRESS_MODES = (KEY_RESULTS, CHILDREN, BOTH)

COMMITTED = "committed"
ASPIRATIONAL = "aspirational"
OBJECTIVE_KINDS = (COMMITTED, ASPIRATIONAL)

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class ObjectiveSpec:
    """How an objective's progress is computed."""

    id: Hashable
    progress_mode: str = KEY_RESULTS


class AlignmentCycleError(ValueError):
    """Alignment links form a cycle; ``path`` is the cycle, first node repeated at the end."""

    def __init__(self, path: Sequence[Hashable]) -> None:
        self.path = list(path)
        super().__init__("alignment cycle: " + " -> ".join(str(node) for node in path))


def find_alignment_cycle(edges: Iterable[tuple[K, K]]) -> list[K] | None:
    """A cycle in the ``(child, parent)`` links as a path like ``[a, b, a]``, or None."""
    parents: dict[K, list[K]] = {}
    for child, parent in edges:
        parents.setdefault(child, []).append(parent)
    finished: set[K] = set()
    for root in parents:
        if root in finished:
            continue
        # Iterative depth-first search. ``stack`` is the chain of links followed from ``root``,
        # each node with the index of the next of its parents to follow.
        stack: list[tuple[K, int]] = [(root, 0)]
        on_stack: set[K] = {root}
        while stack:
            node, index = stack[-1]
            links = parents.get(node, [])
            if index == len(links):
                stack.pop()
                on_stack.discard(node)
                finished.add(node)
                continue
            stack[-1] = (node, index + 1)
            parent = links[index]
            if parent in on_stack:
                path = [n for n, _ in stack]
                return [*path[path.index(parent) :], parent]
            if parent not in finished:
                stack.append((parent, 0))
                on_stack.add(parent)
    return None


def _inputs(
    mode: str,
    key_results: Sequence[tuple[Decimal, Decimal]],
    children: Sequence[tuple[Decimal, Decimal | None]],
) -> list[tuple[Decimal, Decimal | None]]:
    if mode == KEY_RESULTS:
        return list(key_results)
    if mode == CHILDREN:
        return list(children)
    return [*key_results, *children]


def objective_progress(
    objectives: Mapping[K, ObjectiveSpec],
    kr_progress: Mapping[K, Sequence[tuple[Decimal, Decimal]]],
    edges: Sequence[tuple[K, K, Decimal]],
) -> dict[K, Decimal | None]:
    """Progress of every objective in ``objectives`` (None when nothing is counted).

    ``kr_progress`` maps an objective id to its KRs' ``(weight, progress)``; ``edges`` are
    alignment links ``(child_id, parent_id, weight)``. A child that is not in ``objectives``,
    or whose progress is unknown, is not counted. Raises AlignmentCycleError when the links
    form a cycle and ValueError for an unknown progress mode or a negative weight.
    """
    cycle = find_alignment_cycle((child, parent) for child, parent, _ in edges)
    if cycle is not None:
        raise AlignmentCycleError(cycle)
    for spec in objectives.values():
        if spec.progress_mode not in PROGRESS_MODES:
            raise ValueError(
                f"unknown progress mode {spec.progress_mode!r} for objective {spec.id!r}; "
                f"use one of {', '.join(PROGRESS_MODES)}"
            )

    children: dict[K, list[tuple[K, Decimal]]] = {oid: [] for oid in objectives}
    parents: dict[K, list[K]] = {oid: [] for oid in objectives}
    for child, parent, weight in edges:
        if weight < 0:
            raise ValueError(f"alignment weight must be zero or positive, got {weight}")
        if child in objectives and parent in objectives:
            children[parent].append((child, weight))
            parents[child].append(parent)

    waiting = {oid: len(links) for oid, links in children.items()}
    ready = deque(oid for oid, count in waiting.items() if count == 0)
    progress: dict[K, Decimal | None] = {}
    while ready:
        oid = ready.popleft()
        child_inputs = [(weight, progress[child]) for child, weight in children[oid]]
        mode = objectives[oid].progress_mode
        progress[oid] = weighted_mean(_inputs(mode, kr_progress.get(oid, ()), child_inputs))
        for parent in parents[oid]:
            waiting[parent] -= 1
            if waiting[parent] == 0:
                ready.append(parent)
    return {oid: progress[oid] for oid in objectives}
