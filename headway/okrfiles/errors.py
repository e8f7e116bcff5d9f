"""The one error an OKR file import raises, listing every problem found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Loc:
    """Where something is in a file: a 1-based line (None when unknown) and a JSON-path-like
    location such as ``objectives[2].key_results[0].target`` ("" for the whole file)."""

    line: int | None
    path: str

    def child(self, key: str, line: int | None = None) -> Loc:
        path = f"{self.path}.{key}" if self.path else key
        return Loc(self.line if line is None else line, path)

    def item(self, index: int, line: int | None = None) -> Loc:
        return Loc(self.line if line is None else line, f"{self.path}[{index}]")


@dataclass(frozen=True)
class Problem:
    filename: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.filename if self.line is None else f"{self.filename}:{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class OKRFileError(Exception):
    """An OKR file that cannot be imported; ``errors`` lists every problem, in file order."""

    def __init__(self, errors: Iterable[Problem]) -> None:
        self.errors = sorted(errors, key=lambda p: (p.line is None, p.line or 0))
        super().__init__("\n".join(str(problem) for problem in self.errors))


class Problems:
    """Collects problems for one file, so that all of them are reported at once."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.items: list[Problem] = []
        self._seen: set[Problem] = set()

    def add(self, loc: Loc, message: str) -> None:
        problem = Problem(self.filename, loc.line, loc.path, message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.items.append(problem)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise OKRFileError(self.items)
