"""Typed reading of one mapping of an OKR file, reporting every problem with its location."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, localcontext

from headway.fields import INTEGER_DIGITS
from headway.okrfiles.document import Moment, Ref
from headway.okrfiles.errors import Loc, Problems
from headway.okrfiles.source import Node

MAX_INTEGER_DIGITS = INTEGER_DIGITS
MAX_DECIMAL_PLACES = 10
REF = re.compile(r"[-a-zA-Z0-9_]+")
REF_MAX_LENGTH = 100

_KIND_NAMES = {
    "map": "a mapping",
    "seq": "a list",
    "num": "a number",
    "bool": "true or false",
    "null": "nothing (null)",
    "date": "a date",
    "datetime": "a date and time",
}


def describe(node: Node) -> str:
    if node.kind == "str":
        text = str(node.value)
        return f"text '{text if len(text) <= 40 else text[:37] + '...'}'"
    return _KIND_NAMES[node.kind]


def suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def decimal_problem(value: Decimal) -> str | None:
    """Why ``value`` cannot be stored exactly, or None."""
    with localcontext(prec=100):
        _sign, digits, exponent = value.normalize().as_tuple()
    assert isinstance(exponent, int)  # finite, checked when read
    places = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    if places > MAX_DECIMAL_PLACES or integer_digits > MAX_INTEGER_DIGITS:
        return (
            f"too many digits in {value}: at most {MAX_INTEGER_DIGITS} before and "
            f"{MAX_DECIMAL_PLACES} after the decimal point"
        )
    return None


class Fields:
    """The keys of one mapping node, read with type checks.

    Problems (unknown keys, missing required keys, wrong types, values out of range) are
    added to ``problems``; a reader then returns None (or the default) for that key.
    """

    def __init__(
        self,
        node: Node,
        loc: Loc,
        problems: Problems,
        allowed: Sequence[str],
        required: Sequence[str] = (),
    ) -> None:
        self.loc = loc
        self.problems = problems
        self.bad: set[str] = set()  # keys whose value was rejected
        self.ok = node.kind == "map"
        self.children: dict[str, Node] = node.children if self.ok else {}
        if not self.ok:
            problems.add(loc, f"expected a mapping, got {describe(node)}")
            return
        for key, child in self.children.items():
            if key not in allowed:
                problems.add(
                    loc.child(key, child.line), f"unknown key '{key}'{suggest(key, allowed)}"
                )
        for key in required:
            if key not in self.children or self.children[key].kind == "null":
                problems.add(loc, f"missing required key '{key}'")

    def has(self, key: str) -> bool:
        return key in self.children and self.children[key].kind != "null"

    def at(self, key: str) -> Loc:
        child = self.children.get(key)
        return self.loc.child(key, None if child is None else child.line)

    def locs(self) -> dict[str, Loc]:
        return {key: self.at(key) for key in self.children}

    def _get(self, key: str) -> Node | None:
        child = self.children.get(key)
        return None if child is None or child.kind == "null" else child

    def _wrong(self, key: str, node: Node, expected: str) -> None:
        self.reject(key, f"expected {expected}, got {describe(node)}")

    def reject(self, key: str, message: str) -> None:
        self.bad.add(key)
        self.problems.add(self.at(key), message)

    def rule(self, key: str, message: str) -> None:
        """A rule broken by ``key`` (or by a missing key), unless its value was rejected."""
        if key not in self.bad:
            self.problems.add(self.at(key) if self.has(key) else self.loc, message)

    def text(self, key: str, max_length: int, default: str = "") -> str:
        value = self.opt_text(key, max_length)
        return default if value is None else value

    def opt_text(self, key: str, max_length: int) -> str | None:
        node = self._get(key)
        if node is None:
            return None
        if node.kind == "str":
            value = str(node.value)
        elif node.kind in ("num", "date", "datetime", "bool") and node.text is not None:
            value = node.text  # YAML: the text as written (a team named 2026, a title "yes")
        elif node.kind in ("num", "date"):
            value = str(node.value) if node.kind == "num" else node.value.isoformat()
        else:
            self._wrong(key, node, "text")
            return None
        if len(value) > max_length:
            self.reject(key, f"too long: at most {max_length} characters")
            return None
        return value

    def name(self, key: str, max_length: int) -> str | None:
        """Required, non-blank text (a name or a title)."""
        value = self.opt_text(key, max_length)
        if value is not None and not value.strip():
            self.reject(key, f"{key} must not be blank")
            return None
        return value

    def ref(self, key: str, max_length: int = 200) -> Ref | None:
        value = self.name(key, max_length)
        return None if value is None else Ref(value.strip(), self.at(key))

    def own_ref(self, key: str = "ref") -> str | None:
        """This object's own ref: a slug of letters, digits, '-' and '_'."""
        value = self.opt_text(key, REF_MAX_LENGTH)
        if value is None:
            return None
        if not REF.fullmatch(value):
            self.reject(key, "a ref may only contain letters, digits, '-' and '_'")
            return None
        return value

    def decimal(self, key: str, minimum: Decimal | None = None) -> Decimal | None:
        node = self._get(key)
        if node is None:
            return None
        if node.kind != "num":
            self._wrong(key, node, "a number")
            return None
        value: Decimal = node.value
        problem = decimal_problem(value)
        if problem is None and minimum is not None and value < minimum:
            problem = f"{key} must be {minimum} or more"
        if problem is not None:
            self.reject(key, problem)
            return None
        return value

    def integer(self, key: str, low: int, high: int) -> int | None:
        node = self._get(key)
        if node is None:
            return None
        value = node.value
        if node.kind != "num" or value != value.to_integral_value() or not low <= value <= high:
            got = str(value) if node.kind == "num" else describe(node)
            self.reject(key, f"{key} must be a whole number from {low} to {high}, got {got}")
            return None
        return int(value)

    def boolean(self, key: str, default: bool = False) -> bool:
        node = self._get(key)
        if node is None:
            return default
        if node.kind != "bool":
            self._wrong(key, node, "true or false")
            return default
        return bool(node.value)

    def choice(self, key: str, choices: Sequence[str], default: str) -> str | None:
        """One of ``choices``; the default when absent, None when invalid."""
        node = self._get(key)
        if node is None:
            return default
        if node.kind != "str":
            self._wrong(key, node, "one of " + ", ".join(choices))
            return None
        value = str(node.value)
        if value not in choices:
            allowed = ", ".join(choices)
            self.reject(
                key, f"unknown {key} '{value}'; use one of {allowed}{suggest(value, choices)}"
            )
            return None
        return value

    def day(self, key: str) -> date | None:
        node = self._get(key)
        if node is None:
            return None
        if node.kind == "date":
            return node.value  # type: ignore[no-any-return]
        if node.kind == "str":
            try:
                return date.fromisoformat(str(node.value))
            except ValueError:
                pass
        self.reject(key, f"expected a date like 2026-10-01, got {describe(node)}")
        return None

    def moment(self, key: str) -> Moment | None:
        """A date (midnight in the organization's time zone) or a datetime with an offset."""
        node = self._get(key)
        if node is None:
            return None
        value: Moment | None = None
        if node.kind in ("date", "datetime"):
            value = node.value
        elif node.kind == "str":
            text = str(node.value)
            try:
                value = (
                    date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
                )
            except ValueError:
                value = None
        if value is None:
            self.reject(
                key,
                "expected a date like 2026-10-01 or a date and time with a UTC offset like "
                f"2026-10-01T09:30:00+02:00, got {describe(node)}",
            )
            return None
        if isinstance(value, datetime) and value.utcoffset() is None:
            self.reject(
                key,
                f"{node.text or value.isoformat()} has no UTC offset; write it like "
                "2026-10-01T09:30:00+02:00, or give just the date",
            )
            return None
        return value

    def items(self, key: str) -> list[tuple[Node, Loc]]:
        """The entries of a list (an absent or null list is empty)."""
        node = self._get(key)
        if node is None:
            return []
        if node.kind != "seq":
            self._wrong(key, node, "a list")
            return []
        loc = self.at(key)
        return [(item, loc.item(i, item.line)) for i, item in enumerate(node.items)]

    def mapping(self, key: str) -> tuple[Node, Loc] | None:
        node = self._get(key)
        return None if node is None else (node, self.at(key))
