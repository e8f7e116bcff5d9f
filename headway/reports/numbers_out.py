"""Display rounding: the single place where engine decimals become JSON numbers.

headway.numbers computes at full precision and every status, band and flag is decided on
those full-precision decimals. Only the values handed to a reader (report dicts, the API,
the CLI table) pass through these two functions, so every view shows the same digits:

- ``out_ratio`` for shares of 1 (progress, raw progress, expected progress, gap_pct, scores):
  rounded to 4 decimal places, half-even, then a float (0.4945 for 45/91).
- ``out_value`` for amounts in the user's unit (start, target, current, gap, delta, weight,
  KPI values): exact, an int when integral (100000, not 100000.0) and otherwise the float of
  the normalized decimal.

Pages and the CLI table print ratios as whole percentages with ``whole_percent``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

RATIO_PLACES = Decimal("0.0001")


def out_ratio(value: Decimal | None) -> float | None:
    """A ratio rounded to 4 decimal places (half-even); None stays None."""
    if value is None:
        return None
    # Adding 0.0 turns a rounded -0.0 into 0.0.
    return float(value.quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN)) + 0.0


def out_value(value: Decimal | None) -> int | float | None:
    """An amount as an int when integral, else a float; None stays None."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value.normalize())


def whole_percent(ratio: float) -> int:
    """A reported ratio as a whole percentage for pages and the CLI table, half up, except
    that nothing short of 1 shows as 100: 0.9984 is 99 %, because 100 % reads as done."""
    shown = int(Decimal(repr(ratio * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return 99 if shown == 100 and ratio < 1 else shown
