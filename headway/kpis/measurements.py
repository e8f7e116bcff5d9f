"""Recording measurements: the one way in for every value, from the KPI page, the API, the
CLI, files, pull sources and webhooks (docs/feeds.md, "The rules every measurement follows").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from headway.audit.record import record_batch
from headway.fields import decimal_problem
from headway.kpis.driven import update_driven_key_results
from headway.kpis.ingest import STORED_CONTEXT, STORED_EXPONENT, Row, insert_rows
from headway.kpis.models import KPI, Measurement
from headway.org import access

KEY_CHUNK = 5000  # keys looked up per query (well under every database's parameter limit)


class MeasurementInput(NamedTuple):
    # A tuple: record_measurements also takes plain (at, value, key) tuples, which a
    # million-row file builds faster than any object.
    at: dt.datetime
    value: Decimal
    key: str | None = None  # idempotency key: a retried send with the same key is ignored


Point = tuple[dt.datetime, Decimal, str | None]  # what MeasurementInput holds


@dataclass(frozen=True)
class IngestResult:
    created: int
    duplicates: int
    corrected: int = 0  # points whose key was known with another value (old row superseded)
    key_results_moved: int = 0  # KPI-driven KRs that got a new check-in


def _point_errors(point: MeasurementInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if point.at.tzinfo is None:
        errors["at"] = "give a time zone (e.g. 2026-11-02T09:00:00+00:00) or a date"
    if problem := decimal_problem(point.value):
        errors["value"] = problem
    if point.key is not None and not 0 < len(point.key) <= 200:
        errors["key"] = "an idempotency key has 1 to 200 characters"
    return errors


def check_measure(actor: access.Actor, kpi: KPI) -> None:
    """Raise unless ``actor`` may record measurements of ``kpi`` (unseen KPIs: not found)."""
    if kpi.organization_id != actor.organization.pk or not access.can_see_kpi(
        actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
    ):
        raise ValidationError({"kpi": [f"no KPI {kpi.ref!r}"]})
    if not access.can_measure(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
        raise PermissionDenied(f"you may not record measurements of {kpi.name}")


def _known_keys(organization_id: int, keys: list[str]) -> dict[str, tuple[int, int, Decimal]]:
    """Live rows holding any of ``keys``: key -> (id, kpi_id, value).

    Plain SQL: building ORM lookups for a million keys costs more than probing the index.
    """
    known: dict[str, tuple[int, int, Decimal]] = {}
    table = Measurement._meta.db_table
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, len(keys), KEY_CHUNK):
            chunk = keys[start : start + KEY_CHUNK]
            params: list[Any]
            if postgres:  # one array parameter: a short statement, an index probe per key
                where, params = "= ANY(%s)", [organization_id, chunk]
            else:
                where = f"IN ({', '.join(['%s'] * len(chunk))})"
                params = [organization_id, *chunk]
            cursor.execute(
                f"SELECT idempotency_key, id, kpi_id, value FROM {table} "  # noqa: S608
                f"WHERE organization_id = %s AND idempotency_key {where}",
                params,
            )
            for key, pk, kpi_id, value in cursor.fetchall():
                known[key] = (pk, kpi_id, Decimal(str(value)))
    return known


def record_measurements(
    actor: access.Actor,
    kpi: KPI,
    points: Sequence[Point],
    *,
    source: str = Measurement.Source.WEB,
) -> IngestResult:
    """Add measurements to one KPI, all or none.

    A point whose key is already recorded with the same value is a duplicate and changes
    nothing (a retried send, a re-uploaded file). With another value it is a correction: a
    new row supersedes the old one, which stays in history. The same key twice in one call
    counts once with one value and is an error with two. Errors are keyed `<index>.<field>`
    so each message lands beside its line.
    After the write, every KR driven by the KPI gets a `kpi` check-in when its value moved,
    and the KPI's alerts are evaluated (deliveries are queued after commit).
    """
    check_measure(actor, kpi)
    batch = _batch(points)
    now = timezone.now()
    with transaction.atomic():
        written = _write_new(actor.organization.pk, kpi, batch, source, now)
        if written is None:
            written = _write_checked(actor.organization.pk, kpi, batch, source, now)
        rows, superseded = written
        moved = 0
        if rows:
            # insert_rows sends no signals: one audit event for the batch (API helper).
            record_batch(
                organization_id=actor.organization.pk,
                object_type="measurement",
                scope=("kpi", kpi.pk),
                label=f"{len(rows)} measurement(s) of {kpi.ref}",
                changes={
                    "created": [None, len(rows) - superseded],
                    "corrected": [None, superseded],
                    "values": [None, [f"{row[0].isoformat()}={row[1]}" for row in rows[:100]]],
                },
            )
            moved = update_driven_key_results(kpi, now=now)
            from headway.alerts.evaluate import evaluate_kpi

            evaluate_kpi(kpi, now=now)
    return IngestResult(
        created=len(rows) - superseded,
        duplicates=len(points) - len(rows),
        corrected=superseded,
        key_results_moved=moved,
    )


@dataclass
class _Batch:
    rows: list[Row]  # stored values; the first point of each key
    indexes: list[int]  # each row's position among the points, for error messages


def _batch(points: Sequence[Point]) -> _Batch:
    """The points as rows to write, or a ValidationError naming each bad point.

    One pass: for a million points, each pass over them costs a tenth of the insert.
    """
    batch = _Batch([], [])
    row, index_of = batch.rows.append, batch.indexes.append
    keys: set[str] = set()
    # key -> its row, filled only when a key comes twice (rare) and only with the rows
    # added since the last time, so that the common case pays for a set alone.
    firsts: dict[str | None, int] = {}
    mapped = 0
    rows = batch.rows
    errors: dict[str, list[str]] = {}
    quantize, exponent, context = Decimal.quantize, STORED_EXPONENT, STORED_CONTEXT
    for index, (at, value, key) in enumerate(points):
        try:
            # stored_value inline; its context refuses exactly the values decimal_problem
            # refuses but NaN (test_ingest_rules checks that they agree).
            stored = quantize(value, exponent, context=context)
        except InvalidOperation:
            stored = None
        if at.tzinfo is None or stored is None or stored.is_nan():
            for field, message in _point_errors(MeasurementInput(at, value, key)).items():
                errors[f"{index}.{field}"] = [message]
        elif key is None:
            row((at, stored, None, None))
            index_of(index)
        elif not 0 < len(key) <= 200:
            errors[f"{index}.key"] = [_point_errors(MeasurementInput(at, value, key))["key"]]
        elif key not in keys:
            keys.add(key)
            row((at, stored, key, None))
            index_of(index)
        else:
            for n in range(mapped, len(rows)):
                firsts[rows[n][2]] = n
            mapped = len(rows)
            first = firsts[key]
            if rows[first][1] != stored:
                # Sent twice with the same value, a key counts once; with two values, which
                # is meant? Guessing would lose one of them, so ask.
                errors[f"{index}.key"] = [
                    f"point {batch.indexes[first]} has the same key (or, without keys, the same "
                    "time) with another value; send one value for it"
                ]
    if errors:
        raise ValidationError(errors)
    return batch


Written = tuple[list[Row], int]  # rows inserted, how many of them correct older rows


def _write_new(
    organization_id: int, kpi: KPI, batch: _Batch, source: str, now: dt.datetime
) -> Written | None:
    """Insert without looking keys up first, when no key is likely to be known; None if one
    was (the savepoint then undoes the attempt and the checked path takes over).

    Backfills, first imports and new periods are all new, and probing the key index for a
    million keys costs as much as inserting them. A KPI with live rows in the points' time
    span is likely a re-send or a correction, so it goes to the checked path at once.
    """
    rows = batch.rows
    if not rows:
        return [], 0
    first = min(rows, key=itemgetter(0))[0]
    last = max(rows, key=itemgetter(0))[0]
    if Measurement.objects.filter(
        kpi=kpi, superseded_at=None, at__gte=first, at__lte=last
    ).exists():
        return None
    try:
        with transaction.atomic():
            _insert(organization_id, kpi, source, now, rows)
    except IntegrityError:
        return None  # a key is already in use (by another KPI or outside the time span)
    return rows, 0


def _write_checked(
    organization_id: int, kpi: KPI, batch: _Batch, source: str, now: dt.datetime
) -> Written:
    """Look every key up, skip duplicates, supersede the rows that corrections replace."""
    keys = [row[2] for row in batch.rows if row[2] is not None]
    known = _known_keys(organization_id, keys) if keys else {}
    errors: dict[str, list[str]] = {}
    rows: list[Row] = []
    superseded: list[int] = []
    for index, (at, value, key, _) in zip(batch.indexes, batch.rows, strict=True):
        old = known.get(key) if key is not None else None
        if old is None:
            rows.append((at, value, key, None))
            continue
        old_id, old_kpi, old_value = old
        if old_kpi != kpi.pk:
            errors[f"{index}.key"] = [f"key {key!r} was already used for another KPI"]
        elif old_value != value:
            rows.append((at, value, key, old_id))
            superseded.append(old_id)
    if errors:
        raise ValidationError(errors)
    for start in range(0, len(superseded), KEY_CHUNK):
        # The key moves to the correcting row (keys are unique per organization).
        Measurement.objects.filter(pk__in=superseded[start : start + KEY_CHUNK]).update(
            superseded_at=now, idempotency_key=None
        )
    _insert(organization_id, kpi, source, now, rows)
    return rows, len(superseded)


def _insert(organization_id: int, kpi: KPI, source: str, now: dt.datetime, rows: list[Row]) -> None:
    insert_rows(
        organization_id=organization_id, kpi_id=kpi.pk, source=source, created_at=now, rows=rows
    )


def derived_key(kpi: KPI, at: dt.datetime, text: str = "") -> str:
    """The key of a point sent without one (files, webhooks): its KPI and its instant.

    Re-sending the same point changes nothing; sending another value for the same KPI and
    time is a correction. ``text``, the time as the sender wrote it, is used as is when it
    already is the UTC ISO form the key needs (most files): formatting costs more than the
    rest of the row.
    """
    if _is_utc_iso(text):
        return f"kpi{kpi.id}:{text}"  # id, not the pk property: this runs once a row
    if len(text) == 20 and text[19] == "Z" and _is_utc_iso(text[:19] + "+00:00"):
        return f"kpi{kpi.id}:{text[:19]}+00:00"
    if at.tzinfo is not dt.UTC:
        at = at.astimezone(dt.UTC)
    return f"kpi{kpi.id}:{at.isoformat()}"


def _is_utc_iso(text: str) -> bool:
    # Exactly what isoformat() gives a whole-second UTC time: 2026-11-02T09:00:00+00:00.
    # Callers pass text that parsed as a time, so digits stand where the punctuation does not.
    return (
        len(text) == 25
        and text.endswith("+00:00")
        and text.isascii()
        and text[4] == text[7] == "-"
        and text[10] == "T"
        and text[13] == text[16] == ":"
    )


# --- API helper (issue 4): create, change and delete KPIs ----------------------------------
# Keyword arguments, field-keyed ValidationError, PermissionDenied, StaleVersion on an edit
# based on an old version. The caller has turned KPIs the actor may not see into "not found".
