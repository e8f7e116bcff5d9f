"""Turning what feeds send (text, JSON, database values) into times and decimals.

Times: an aware datetime is kept; a naive one or a bare date is read in the organization's
time zone (a date means its midnight); a number is a Unix timestamp in seconds.
Values: decimals as written (never through binary floats when text is given).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo


class ParseError(ValueError):
    pass


def parse_time(raw: Any, tz: ZoneInfo) -> dt.datetime:
    if type(raw) is str:
        try:  # the common case first: ISO text (a bare date gives its midnight)
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            pass
        else:
            return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(raw, dt.datetime):
        return raw if raw.tzinfo is not None else raw.replace(tzinfo=tz)
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time.min, tzinfo=tz)
    if isinstance(raw, bool):
        raise ParseError(f"{raw!r} is not a time")
    if isinstance(raw, int | float | Decimal):
        try:
            return dt.datetime.fromtimestamp(float(raw), tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise ParseError(f"{raw} is not a Unix timestamp") from None
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise ParseError("the time is empty")
        try:
            if len(text) == 10:
                return dt.datetime.combine(dt.date.fromisoformat(text), dt.time.min, tzinfo=tz)
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ParseError(
                f"{text!r} is not a date or time like 2026-11-02 or 2026-11-02T09:00:00+00:00"
            ) from None
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    raise ParseError(f"{raw!r} is not a time")


def parse_value(raw: Any) -> Decimal:
    if type(raw) is str:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            pass
        else:
            if value.is_finite():
                return value
    if isinstance(raw, bool) or raw is None:
        raise ParseError("the value is empty" if raw is None else f"{raw!r} is not a number")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))  # the shortest text of the float, not its binary expansion
    elif isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise ParseError("the value is empty")
        if "," in text:
            # 1,234.5 or 1,5? Guessing would store a wrong number, so ask for plain digits.
            raise ParseError(f"{raw!r}: write numbers without commas, e.g. 1234.5")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ParseError(f"{raw!r} is not a number") from None
    else:
        raise ParseError(f"{raw!r} is not a number")
    if not value.is_finite():
        raise ParseError(f"{raw!r} is not a finite number")
    return value


def dig(data: Any, path: str) -> Any:
    """``data`` followed along a dotted path (``data.points``; list indexes as numbers)."""
    current = data
    for part in [p for p in path.split(".") if p]:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise ParseError(f"nothing at {path!r} (stopped at {part!r})")
    return current
