"""Measurement files (CSV, XLSX): column mapping, dry-run plan with row errors, atomic commit.

A file has a header row. The mapping names the time and value columns and either one KPI
for the whole file or a column holding KPI refs; an optional key column gives idempotency
keys (otherwise each point is keyed by its KPI and time, so re-sending a file changes
nothing and a changed value is a correction). Row numbers are the file's own (header = 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from headway.feeds.parse import ParseError, parse_time, parse_value
from headway.fields import INTEGER_DIGITS, decimal_problem
from headway.kpis.measurements import (
    IngestResult,
    MeasurementInput,
    Point,
    check_measure,
    derived_key,
    record_measurements,
)
from headway.kpis.models import KPI, Measurement
from headway.org import access

MAX_ERRORS = 200
PREVIEW_ROWS = 1000


@dataclass(frozen=True)
class Mapping:
    time_column: str = "time"
    value_column: str = "value"
    kpi_ref: str = ""  # one KPI for every row, or:
    kpi_column: str = ""  # a column of KPI refs
    key_column: str = ""
    sheet: str = ""  # XLSX only; default the first sheet

    def as_dict(self) -> dict[str, str]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class Plan:
    """What a commit would write, or why it cannot."""

    points: dict[int, list[Point]] = field(default_factory=dict)  # by KPI id
    numbers: dict[int, list[int]] = field(default_factory=dict)  # their row numbers
    rows: list[tuple[int, str, MeasurementInput]] = field(default_factory=list)  # for preview
    errors: list[RowError] = field(default_factory=list)
    kpis: dict[int, KPI] = field(default_factory=dict)
    total: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(name: str, data: bytes, sheet: str = "") -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the data rows of a CSV or XLSX file."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data, sheet)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data.startswith(b"PK\x03\x04"):  # a zip file: most likely a workbook
            raise ValidationError(
                {"file": ["this looks like an XLSX workbook: give the file a .xlsx name"]}
            ) from None
        raise ValidationError({"file": ["the CSV file is not UTF-8 text"]}) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader: Iterator[list[str]]
    if _unquoted(text, dialect):
        reader = _split_lines(text, dialect.delimiter)
    else:
        reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if header is None:
        raise ValidationError({"file": ["the file is empty"]})
    return [h.strip() for h in header], reader


def _unquoted(text: str, dialect: Any) -> bool:
    """Whether the csv module would just split ``text`` into lines and lines at the
    delimiter: no quote or escape character anywhere, no spaces to skip."""
    return (
        '"' not in text
        and (dialect.quotechar or '"') not in text
        and not dialect.escapechar
        and not dialect.skipinitialspace
        and "\r" not in text.replace("\r\n", "")  # the csv module has its own ideas on lone CRs
    )


def _split_lines(text: str, delimiter: str) -> Iterator[list[str]]:
    # What csv.reader gives such text, at several times its speed (a million-row file spent
    # as long in the csv module as in everything else the dry run does).
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the file's last line break
    return (line.split(delimiter) if line else [] for line in lines)


def _xlsx_rows(data: bytes, sheet: str) -> tuple[list[str], Iterator[list[Any]]]:
    import openpyxl  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValidationError({"file": ["the file is not a readable XLSX workbook"]}) from None
    if sheet and sheet not in book.sheetnames:
        raise ValidationError(
            {"sheet": [f"no sheet {sheet!r}; the workbook has {', '.join(book.sheetnames)}"]}
        )
    rows = book[sheet] if sheet else book.worksheets[0]
    values = rows.iter_rows(values_only=True)
    header = next(values, None)
    if header is None:
        raise ValidationError({"file": ["the sheet is empty"]})
    return [str(h).strip() if h is not None else "" for h in header], (list(r) for r in values)


def plan_import(actor: access.Actor, name: str, data: bytes, mapping: Mapping) -> Plan:
    """Parse the file and check every row without writing anything (the dry run)."""
    header, rows = read_rows(name, data, mapping.sheet)
    missing = {}
    needed = {"time_column": mapping.time_column, "value_column": mapping.value_column}
    if mapping.kpi_column:
        needed["kpi_column"] = mapping.kpi_column
    elif not mapping.kpi_ref:
        missing["kpi"] = ["choose a KPI or the column that holds KPI refs"]
    if mapping.key_column:
        needed["key_column"] = mapping.key_column
    for option, column in needed.items():
        if column not in header:
            missing[option] = [f"no column {column!r}; the file has: {', '.join(header)}"]
    if missing:
        raise ValidationError(missing)
    position = {column: header.index(column) for column in needed.values()}
    org_kpis = {kpi.ref: kpi for kpi in KPI.objects.filter(organization=actor.organization)}
    plan = Plan()
    fixed: KPI | None = None
    if not mapping.kpi_column:
        fixed = org_kpis.get(mapping.kpi_ref)
        if fixed is None:
            raise ValidationError({"kpi": [f"no KPI {mapping.kpi_ref!r}"]})
        check_measure(actor, fixed)
        plan.kpis[fixed.pk] = fixed
    denied: set[str] = set()
    tz = actor.organization.tz

    time_at, value_at = position[mapping.time_column], position[mapping.value_column]
    key_at = position[mapping.key_column] if mapping.key_column else None
    kpi_at = position[mapping.kpi_column] if mapping.kpi_column else None
    width = max(position.values()) + 1
    preview = plan.rows
    fromisoformat = dt.datetime.fromisoformat
    total = 0
    current: int | None = None  # the KPI of the last row, whose lists are at hand
    points: list[Point] = []
    numbers: list[int] = []
    columns = len(header)
    for number, row in enumerate(rows, start=2):
        if len(row) > columns and not _blank(row[columns:]):
            # 2026-11-02,1,5 is three cells: a decimal comma, most likely. Taking the 1
            # would store a wrong number.
            total += 1
            plan.errors.append(
                RowError(
                    number,
                    "",
                    f"{len(row)} cells but the header has {columns}: write numbers with a "
                    "dot (1.5), or quote a cell that holds the delimiter",
                )
            )
            if len(plan.errors) >= MAX_ERRORS:
                break
            continue
        if len(row) < width:
            row = [*row, *[None] * (width - len(row))]
        kpi = fixed
        if kpi is None:
            assert kpi_at is not None
            ref = str(row[kpi_at] or "").strip()
            if not ref and _blank(row):
                continue
            kpi = org_kpis.get(ref)
            if kpi is None or not access.can_see_kpi(
                actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
            ):
                total += 1
                plan.errors.append(
                    RowError(number, mapping.kpi_column, _no_kpi(actor, ref, org_kpis))
                )
                continue
            if kpi.pk not in plan.kpis:
                try:
                    check_measure(actor, kpi)
                except PermissionDenied:
                    denied.add(kpi.ref)
                plan.kpis[kpi.pk] = kpi
            if kpi.ref in denied:
                total += 1
                plan.errors.append(
                    RowError(number, mapping.kpi_column, f"you may not measure {kpi.ref}")
                )
                continue
        # Most files hold ISO times and plain numbers as text: read those inline, and leave
        # everything else, errors included, to the parsers.
        at: dt.datetime | None = None
        value: Decimal | None = None
        time_cell, value_cell = row[time_at], row[value_at]
        if type(time_cell) is str and type(value_cell) is str:
            try:
                at, value = fromisoformat(time_cell), Decimal(value_cell)
            except (ValueError, ArithmeticError):
                at = value = None
            else:
                if at.tzinfo is None:
                    at = at.replace(tzinfo=tz)
                if not value.is_finite():
                    value = None
        if at is None or value is None:
            if _blank(row):
                continue
            try:
                at = parse_time(time_cell, tz)
            except ParseError as e:
                plan.errors.append(RowError(number, mapping.time_column, str(e)))
                at = None
            try:
                value = parse_value(value_cell)
            except ParseError as e:
                plan.errors.append(RowError(number, mapping.value_column, str(e)))
                value = None
        if value is not None and value.adjusted() >= INTEGER_DIGITS:
            plan.errors.append(RowError(number, mapping.value_column, str(decimal_problem(value))))
            value = None
        total += 1
        key = None
        if key_at is not None:
            key = str(row[key_at] or "").strip() or None
            if key is not None and len(key) > 200:
                plan.errors.append(RowError(number, mapping.key_column, "longer than 200"))
        if at is None or value is None:
            if len(plan.errors) >= MAX_ERRORS:
                break
            continue
        if key is None:
            key = derived_key(kpi, at, time_cell if type(time_cell) is str else "")
        point = (at, value, key)
        if kpi.id != current:  # id, not pk: Django's pk is a property, costly a million times
            current = kpi.id
            points = plan.points.setdefault(current, [])
            numbers = plan.numbers.setdefault(current, [])
        points.append(point)
        numbers.append(number)
        if len(preview) < PREVIEW_ROWS:
            preview.append((number, kpi.ref, MeasurementInput(*point)))
    plan.total = total
    if total == 0:
        plan.errors.append(RowError(1, "", "the file has no data rows"))
    for kpi_id, points in plan.points.items():
        plan.errors.extend(_repeated(points, plan.numbers[kpi_id], mapping))
    return plan


def _repeated(points: list[Point], numbers: list[int], mapping: Mapping) -> list[RowError]:
    """Rows giving another value for the time (or key) of an earlier row of the same KPI:
    which one is meant? A repeat with the same value is harmless and counts once."""
    if len({key for _, _, key in points}) == len(points):
        return []  # the common case, checked at C speed
    column = mapping.key_column or mapping.time_column
    first: dict[str | None, tuple[Decimal, int]] = {}
    errors = []
    for (_, value, key), number in zip(points, numbers, strict=True):
        seen = first.setdefault(key, (value, number))
        if seen[1] != number and seen[0] != value:
            what = "key" if mapping.key_column else "time"
            errors.append(
                RowError(number, column, f"row {seen[1]} has the same {what} with another value")
            )
    return errors[:MAX_ERRORS]


def _no_kpi(actor: access.Actor, ref: str, org_kpis: dict[str, KPI]) -> str:
    if not ref:
        return "the KPI cell is empty"
    near = [
        kpi.ref
        for kpi in org_kpis.values()
        if kpi.ref.lower() == ref.lower()
        and access.can_see_kpi(
            actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
        )
    ]
    return f"no KPI {ref!r}" + (f" (refs are exact: did you mean {near[0]!r}?)" if near else "")


def _blank(row: list[Any]) -> bool:
    return not any((cell.strip() if isinstance(cell, str) else cell is not None) for cell in row)


def commit_import(actor: access.Actor, plan: Plan) -> dict[str, IngestResult]:
    """Write every point of a clean plan in one transaction, all or none."""
    if not plan.ok:
        raise ValidationError({"file": ["fix the errors in the file first"]})
    results: dict[str, IngestResult] = {}
    with transaction.atomic():
        for kpi_id, points in plan.points.items():
            kpi = plan.kpis[kpi_id]
            try:
                results[kpi.ref] = record_measurements(
                    actor, kpi, points, source=Measurement.Source.IMPORT
                )
            except ValidationError as e:
                numbers = plan.numbers[kpi_id]
                errors = {}
                for k, messages in e.message_dict.items():
                    index, _, name = k.partition(".")
                    row = numbers[int(index)] if index.isdigit() else 0
                    errors[f"row {row}" if row else k] = [f"{name}: {m}" for m in messages]
                raise ValidationError(errors) from None
    return results
