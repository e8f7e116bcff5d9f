"""From YAML text, JSON text or Python data to one tree of line-annotated nodes.

Numbers are kept exact: a YAML or JSON number becomes a Decimal built from the digits as
written, never through a binary float. Each node remembers the line it starts on (for a
mapping value: the line of its key), so later checks can say where a problem is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from headway.okrfiles.errors import Loc, Problems

MAX_DEPTH = 32
MAX_NODES = 2_000_000

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
# Plain YAML scalars that YAML 1.1 reads as text but everyone means as a number (1e5).
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass
class Node:
    """One value of the file.

    ``kind`` is one of map, seq, str, num, bool, null, date, datetime; ``value`` holds a
    dict[str, Node], a list[Node], a str, a Decimal, a bool, None, a date or a datetime.
    ``text`` is the scalar as written (YAML only), used where text is expected.
    """

    kind: str
    value: Any
    line: int | None
    text: str | None = None
    children: dict[str, Node] = field(default_factory=dict)
    items: list[Node] = field(default_factory=list)


class SourceError(Exception):
    """The text cannot be read at all (bad syntax); nothing else can be checked."""


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0


def read_text(text: str, filename: str, problems: Problems) -> Node | None:
    """Parse YAML or JSON text. Syntax errors are added to ``problems`` and give None."""
    text = text.removeprefix("\ufeff")  # a byte order mark, as some editors write
    if filename.lower().endswith(".json") or (
        text.lstrip().startswith(("{", "[")) and _looks_like_json(text)
    ):
        return _read_json(text, problems)
    return _read_yaml(text, problems)


def read_data(data: Any, problems: Problems) -> Node:
    """Python data (dicts, lists, str, int, float, Decimal, bool, date, datetime, None)."""
    return _from_python(data, None, None, Loc(None, ""), problems, 0, _Budget())


def _looks_like_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _read_yaml(text: str, problems: Problems) -> Node | None:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            problems.add(Loc(1, ""), "the file is empty")
            return None
        return _from_yaml(
            loader, root, root.start_mark.line + 1, Loc(None, ""), problems, 0, _Budget()
        )
    except yaml.YAMLError as e:
        problems.add(Loc(_error_line(e), ""), f"invalid YAML: {_yaml_message(e)}")
        return None
    except _TooBig as e:
        problems.add(e.loc, str(e))
        return None
    finally:
        loader.dispose()


def _error_line(error: yaml.YAMLError) -> int | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return None if mark is None else int(mark.line) + 1


def _yaml_message(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem is None:
        return str(error).splitlines()[0]
    return f"{problem} ({context})" if context else str(problem)


class _TooBig(Exception):
    def __init__(self, loc: Loc, message: str) -> None:
        self.loc = loc
        super().__init__(message)


def _count(budget: _Budget, loc: Loc, depth: int) -> None:
    budget.nodes += 1
    if budget.nodes > MAX_NODES:
        raise _TooBig(loc, f"the file is too large (more than {MAX_NODES} values)")
    if depth > MAX_DEPTH:
        raise _TooBig(loc, "nested too deeply")


def _from_yaml(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    line: int,
    loc: Loc,
    problems: Problems,
    depth: int,
    budget: _Budget,
) -> Node:
    _count(budget, Loc(line, loc.path), depth)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = Node("map", None, line)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or isinstance(key_node.value, list):
                problems.add(Loc(key_line, loc.path), "a key must be text")
                continue
            key = str(key_node.value)
            if key in out.children:
                problems.add(loc.child(key, key_line), f"duplicate key '{key}'")
                continue
            out.children[key] = _from_yaml(
                loader, value_node, key_line, loc.child(key, key_line), problems, depth + 1, budget
            )
        out.value = out.children
        return out
    if isinstance(node, yaml.SequenceNode):
        out = Node("seq", None, line)
        for index, item in enumerate(node.value):
            item_line = item.start_mark.line + 1
            out.items.append(
                _from_yaml(
                    loader, item, item_line, loc.item(index, item_line), problems, depth + 1, budget
                )
            )
        out.value = out.items
        return out
    return _yaml_scalar(loader, node, line, loc, problems)


def _yaml_scalar(
    loader: yaml.SafeLoader, node: yaml.Node, line: int, loc: Loc, problems: Problems
) -> Node:
    text = str(node.value)
    tag = node.tag
    if tag == _NULL:
        return Node("null", None, line, text)
    if tag == _BOOL:
        return Node("bool", loader.bool_values[text.lower()], line, text)
    if tag in (_INT, _FLOAT):
        number = _decimal(text.replace("_", ""))
        return Node("str", text, line, text) if number is None else Node("num", number, line, text)
    if tag == _TIMESTAMP:
        moment = _timestamp(loader, node, text)
        if moment is None:
            return Node("str", text, line, text)
        kind = "datetime" if isinstance(moment, datetime) else "date"
        return Node(kind, moment, line, text)
    if tag == _STR:
        if not getattr(node, "style", None) and _NUMBER.fullmatch(text):  # plain, not quoted
            number = _decimal(text)
            if number is not None:
                return Node("num", number, line, text)
        return Node("str", text, line, text)
    problems.add(Loc(line, loc.path), f"unsupported YAML tag {tag}")
    return Node("null", None, line, text)


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node, text: str) -> date | datetime | None:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        value: date | datetime = loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except (ValueError, AttributeError):
        return None
    return value


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs, so duplicate keys can be reported."""


def _read_json(text: str, problems: Problems) -> Node | None:
    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number")

    try:
        data = json.loads(
            text,
            object_pairs_hook=_Pairs,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=constant,
        )
    except json.JSONDecodeError as e:
        problems.add(Loc(e.lineno, ""), f"invalid JSON: {e.msg} (column {e.colno})")
        return None
    except ValueError as e:
        problems.add(Loc(None, ""), f"invalid JSON: {e}")
        return None
    # JSON is (almost) YAML: compose the same text only to learn the line of every value.
    # Raw tabs can only be whitespace in valid JSON, and YAML wants spaces there.
    try:
        lines: yaml.Node | None = yaml.compose(text.replace("\t", " "), Loader=_Loader)
    except yaml.YAMLError:
        lines = None
    line = None if lines is None else lines.start_mark.line + 1
    try:
        return _from_python(data, lines, line, Loc(None, ""), problems, 0, _Budget())
    except _TooBig as e:
        problems.add(e.loc, str(e))
        return None


def _yaml_children(node: yaml.Node | None) -> dict[str, tuple[int, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(k.value): (k.start_mark.line + 1, v)
        for k, v in node.value
        if isinstance(k, yaml.ScalarNode)
    }


def _from_python(
    value: Any,
    lines: yaml.Node | None,
    line: int | None,
    loc: Loc,
    problems: Problems,
    depth: int,
    budget: _Budget,
) -> Node:
    _count(budget, Loc(line, loc.path), depth)
    if isinstance(value, _Pairs | Mapping):
        pairs = list(value) if isinstance(value, _Pairs) else list(value.items())
        known = _yaml_children(lines)
        out = Node("map", None, line)
        for key, child in pairs:
            key_line, child_lines = known.get(str(key), (None, None))
            if not isinstance(key, str):
                problems.add(Loc(line, loc.path), f"a key must be text, got {key!r}")
                continue
            if key in out.children:
                problems.add(loc.child(key, key_line), f"duplicate key '{key}'")
                continue
            out.children[key] = _from_python(
                child,
                child_lines,
                key_line,
                loc.child(key, key_line),
                problems,
                depth + 1,
                budget,
            )
        out.value = out.children
        return out
    if isinstance(value, list | tuple):
        item_lines: Sequence[yaml.Node | None] = [None] * len(value)
        if isinstance(lines, yaml.SequenceNode) and len(lines.value) == len(value):
            item_lines = lines.value
        out = Node("seq", None, line)
        for index, (item, item_node) in enumerate(zip(value, item_lines, strict=True)):
            item_line = None if item_node is None else item_node.start_mark.line + 1
            out.items.append(
                _from_python(
                    item,
                    item_node,
                    item_line,
                    loc.item(index, item_line),
                    problems,
                    depth + 1,
                    budget,
                )
            )
        out.value = out.items
        return out
    return _python_scalar(value, line, loc, problems)


def _python_scalar(value: Any, line: int | None, loc: Loc, problems: Problems) -> Node:
    if value is None:
        return Node("null", None, line)
    if isinstance(value, bool):
        return Node("bool", value, line)
    if isinstance(value, int):
        return Node("num", Decimal(value), line)
    if isinstance(value, float):
        if not math.isfinite(value):
            problems.add(Loc(line, loc.path), f"{value} is not a finite number")
            return Node("null", None, line)
        # str() gives the shortest text that reads back as the same float: 0.1 stays 0.1.
        return Node("num", Decimal(str(value)), line)
    if isinstance(value, Decimal):
        if not value.is_finite():
            problems.add(Loc(line, loc.path), f"{value} is not a finite number")
            return Node("null", None, line)
        return Node("num", value, line)
    if isinstance(value, datetime):
        return Node("datetime", value, line)
    if isinstance(value, date):
        return Node("date", value, line)
    if isinstance(value, str):
        return Node("str", value, line)
    problems.add(Loc(line, loc.path), f"unsupported value of type {type(value).__name__}")
    return Node("null", None, line)
