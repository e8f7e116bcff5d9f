"""Shared Decimal helpers (semantics.md, intro: "All values are decimals").

Every public function of the engine computes inside ``ENGINE_CONTEXT`` (28 significant digits,
half-even rounding, the stdlib default), so a caller that changed its thread's decimal context
still gets the same numbers as every other view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import ParamSpec, TypeVar

ZERO = Decimal(0)
ONE = Decimal(1)

ENGINE_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

P = ParamSpec("P")
R = TypeVar("R")


class SpecError(ValueError):
    """A spec that validation rejects was given to a computation.

    ``errors`` holds the same ``(field, message)`` pairs that the ``validate_*`` function returns.
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))


def in_engine_context(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with ``ENGINE_CONTEXT`` as the current decimal context."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(ENGINE_CONTEXT):
            return fn(*args, **kwargs)

    return wrapper


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = ONE) -> Decimal:
    """``value`` limited to ``[low, high]``."""
    return max(low, min(high, value))


def is_finite(value: Decimal | None) -> bool:
    """True for None (nothing to check) and for finite decimals; False for NaN and infinities."""
    return value is None or value.is_finite()


@in_engine_context
def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Weighted mean of ``(weight, value)`` pairs.

    A pair with weight 0 or value None is not counted; with nothing counted the mean is None
    (unknown), never 0. Negative weights raise ValueError. The result is kept within the
    smallest and largest counted value, so rounding at 28 digits can never push a mean of
    progress values above 1.
    """
    total_weight = ZERO
    total = ZERO
    lowest: Decimal | None = None
    highest: Decimal | None = None
    for weight, value in pairs:
        if weight < 0:
            raise ValueError(f"weight must be zero or positive, got {weight}")
        if value is None or weight == 0:
            continue
        total_weight += weight
        total += weight * value
        lowest = value if lowest is None else min(lowest, value)
        highest = value if highest is None else max(highest, value)
    if lowest is None or highest is None:
        return None
    return clamp(total / total_weight, lowest, highest)
