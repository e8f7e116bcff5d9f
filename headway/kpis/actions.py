"""Writes of KPI data, shared by the web pages, the API, the CLI, files and feeds."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from headway.audit.record import record_batch, record_created
from headway.fields import decimal_problem
from headway.kpis.convert import kpi_spec
from headway.kpis.ingest import STORED_CONTEXT, STORED_EXPONENT, Row, insert_rows
from headway.kpis.models import KPI, Measurement
from headway.numbers import (
    KPIResult,
    MeasurementPoint,
    SpecError,
    kpi_result,
    kr_result,
    period_of,
    shift,
)
from headway.numbers.kpis import GREEN, RED
from headway.okrs.convert import kr_spec
from headway.okrs.models import CheckIn, Cycle, KeyResult, Objective
from headway.org import access
from headway.reports.build import rules_for, today_in

logger = logging.getLogger(__name__)

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
    counts once. Errors are keyed `<index>.<field>` so each message lands beside its line.
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
        moved = 0
        if rows:
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
        elif key not in keys:  # a key sent twice in one call counts once
            keys.add(key)
            row((at, stored, key, None))
            index_of(index)
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


def _day_start(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def live_points(kpi: KPI, as_of: dt.date, since: dt.date | None = None) -> list[MeasurementPoint]:
    """The KPI's live (not superseded) measurements from ``since`` (default: the first) to
    the end of ``as_of``, as engine points on the organization's calendar days, in order."""
    tz = kpi.organization.tz
    rows = Measurement.objects.filter(
        kpi=kpi, superseded_at=None, at__lt=_day_start(as_of + dt.timedelta(days=1), tz)
    )
    if since is not None:
        rows = rows.filter(at__gte=_day_start(since, tz))
    return [
        MeasurementPoint(at.astimezone(tz).date(), value)
        for at, value in rows.order_by("at", "id").values_list("at", "value")
    ]


def kpi_now(kpi: KPI, as_of: dt.date | None = None) -> KPIResult:
    """Everything the engine says about ``kpi`` as of ``as_of`` (default: today, org time)."""
    organization = kpi.organization
    day = as_of or today_in(organization)
    rules = rules_for(organization)
    tz = organization.tz
    # Only the last few periods decide current, previous, stale and deteriorating, so a KPI
    # with years of data is not read whole each time a point arrives.
    latest = (
        Measurement.objects.filter(
            kpi=kpi, superseded_at=None, at__lt=_day_start(day + dt.timedelta(days=1), tz)
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    since = None
    if latest is not None:
        last_period = period_of(min(latest.astimezone(tz).date(), day), kpi.cadence)
        since = shift(last_period, kpi.cadence, -(rules.deteriorating_count + 1)).start
    return kpi_result(kpi_spec(kpi), live_points(kpi, day, since), day, rules)


def update_driven_key_results(kpi: KPI, *, now: dt.datetime | None = None) -> int:
    """Give every KR driven by ``kpi`` a `kpi` check-in with its new current value.

    The value is what the report computes (headway.numbers ``kr_result`` with the KPI's
    live measurements and the KR's cycle, as of today); no check-in when it did not change.
    The check-in is history: the report always recomputes from the measurements.
    Returns the number of check-ins written.
    """
    now = now or timezone.now()
    last_value = (
        CheckIn.objects.filter(key_result=OuterRef("pk"))
        .exclude(value=None)
        .order_by("-at", "-id")
        .values("value")[:1]
    )
    key_results = list(
        KeyResult.objects.filter(organization_id=kpi.organization_id, kpi=kpi)
        .exclude(type=KeyResult.Type.MILESTONE)
        .select_related("objective__cycle")
        .annotate(last_value=Subquery(last_value))
    )
    if not key_results:
        return 0
    today = today_in(kpi.organization)
    # `latest` needs the last period with data, cycle totals their cycle: read no further back.
    tz = kpi.organization.tz
    latest = (
        Measurement.objects.filter(
            kpi=kpi, superseded_at=None, at__lt=_day_start(today + dt.timedelta(days=1), tz)
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    starts = [kr.objective.cycle.start for kr in key_results if kr.kpi_value not in ("", "latest")]
    if latest is not None:
        starts.append(period_of(latest.astimezone(tz).date(), kpi.cadence).start)
    points = live_points(kpi, today, min(starts)) if starts else []
    spec = kpi_spec(kpi)
    checkins = []
    for kr in key_results:
        cycle = kr.objective.cycle
        try:
            result = kr_result(
                kr_spec(kr),
                (),
                today,
                kpi=spec,
                measurements=points,
                cycle_start=cycle.start,
                cycle_end=cycle.end,
            )
        except SpecError:
            logger.warning("key result %s fails validation; not moved by its KPI", kr.ref)
            continue
        before = kr.last_value if kr.last_value is not None else kr.start
        if result.current is None or result.current == before:
            continue
        checkins.append(
            CheckIn(
                organization_id=kpi.organization_id,
                key_result=kr,
                value=result.current,
                at=now,
                source=CheckIn.Source.KPI,
                note=f"moved by KPI {kpi.ref}",
            )
        )
    record_created(CheckIn.objects.bulk_create(checkins))  # bulk_create sends no signals
    return len(checkins)


def _unique_ref(model: type[Objective] | type[KeyResult], organization_id: int, base: str) -> str:
    base = base[:90]
    taken = set(
        model.objects.filter(organization_id=organization_id, ref__startswith=base).values_list(
            "ref", flat=True
        )
    )
    ref, n = base, 2
    while ref in taken:
        ref, n = f"{base}-{n}", n + 1
    return ref


def draft_recovery_objective(
    actor: access.Actor, kpi: KPI, cycle: Cycle, *, as_of: dt.date | None = None
) -> Objective:
    """A draft objective to bring a red or deteriorating KPI back to green, ready to edit.

    It has one KR driven by the KPI (``latest``) that starts at the KPI's current value and
    targets its green threshold (for an in-range KPI, the nearest bound). A KPI that is
    green but deteriorating gets a threshold KR instead ("stay at least at the target").
    """
    if kpi.organization_id != actor.organization.pk or not access.can_see_kpi(
        actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
    ):
        raise ValidationError({"kpi": [f"no KPI {kpi.ref!r}"]})
    if cycle.organization_id != actor.organization.pk:
        raise ValidationError({"cycle": [f"no cycle {cycle.name!r}"]})
    team = kpi.team
    level = Objective.Level.COMPANY if team.parent_id is None else Objective.Level.TEAM
    owner = kpi.owner or actor.user
    if not access.can_plan(
        actor, level=level, team_id=team.pk, owner_id=owner.pk if owner else None
    ):
        raise PermissionDenied(f"you may not plan objectives of {team.name}")
    now = kpi_now(kpi, as_of)
    if now.current is None or not (now.rag == RED or now.deteriorating):
        raise ValidationError({"kpi": ["only a red or deteriorating KPI offers a recovery draft"]})
    current = now.current
    kr_type, bound = KeyResult.Type.METRIC, ""
    if kpi.direction == KPI.Direction.IN_RANGE:
        if kpi.low is None or kpi.high is None:
            raise ValidationError({"kpi": ["give the KPI its low and high bounds first"]})
        target = kpi.low if abs(current - kpi.low) <= abs(current - kpi.high) else kpi.high
        if kpi.low <= current <= kpi.high:
            kr_type = KeyResult.Type.THRESHOLD
            bound = KeyResult.Bound.AT_LEAST if target == kpi.low else KeyResult.Bound.AT_MOST
    else:
        if kpi.target is None:
            raise ValidationError({"kpi": ["give the KPI a target first"]})
        target = kpi.target
        if now.rag == GREEN:
            kr_type = KeyResult.Type.THRESHOLD
            higher = kpi.direction == KPI.Direction.HIGHER_IS_BETTER
            bound = KeyResult.Bound.AT_LEAST if higher else KeyResult.Bound.AT_MOST
    if kr_type == KeyResult.Type.METRIC and target == current:
        kr_type = KeyResult.Type.THRESHOLD
        higher = current >= target
        bound = KeyResult.Bound.AT_LEAST if higher else KeyResult.Bound.AT_MOST
    with transaction.atomic():
        objective = Objective.objects.create(
            organization=actor.organization,
            ref=_unique_ref(Objective, actor.organization.pk, f"recover-{kpi.ref}"),
            cycle=cycle,
            team=team,
            owner=owner,
            title=f"Bring {kpi.name} back to green",
            description=(
                f"Drafted from the KPI {kpi.name} ({kpi.ref}), "
                f"{'red' if now.rag == RED else 'deteriorating'} at {current}."
            ),
            level=level,
            kind=Objective.Kind.COMMITTED,
            state=Objective.State.DRAFT,
        )
        kr = KeyResult(
            organization=actor.organization,
            objective=objective,
            ref=_unique_ref(KeyResult, actor.organization.pk, f"recover-{kpi.ref}"),
            title=f"{kpi.name} back to {target}{' ' + kpi.unit if kpi.unit else ''}",
            type=kr_type,
            start=current if kr_type == KeyResult.Type.METRIC else None,
            target=target,
            bound=bound,
            unit=kpi.unit,
            kpi=kpi,
            kpi_value=KeyResult.KPIValue.LATEST,
        )
        kr.full_clean()
        kr.save()
    return objective


def derived_key(kpi: KPI, at: dt.datetime, text: str = "") -> str:
    """The key of a point sent without one (files, webhooks): its KPI and its instant.

    Re-sending the same point changes nothing; sending another value for the same KPI and
    time is a correction. ``text``, the time as the sender wrote it, is used as is when it
    already is the UTC ISO form the key needs (most files): formatting costs more than the
    rest of the row.
    """
    if _is_utc_iso(text):
        return f"kpi{kpi.pk}:{text}"
    if len(text) == 20 and text[19] == "Z" and _is_utc_iso(text[:19] + "+00:00"):
        return f"kpi{kpi.pk}:{text[:19]}+00:00"
    if at.tzinfo is not dt.UTC:
        at = at.astimezone(dt.UTC)
    return f"kpi{kpi.pk}:{at.isoformat()}"


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

KPI_FIELDS = frozenset(
    {
        "name",
        "description",
        "team",
        "owner",
        "unit",
        "cadence",
        "aggregation",
        "direction",
        "target",
        "red",
        "low",
        "high",
        "tolerance",
        "private",
    }
)


def _kpi_checks(actor: access.Actor, fields: dict[str, object]) -> None:
    from headway.org.models import Membership, User

    unknown = set(fields) - KPI_FIELDS
    if unknown:
        raise ValidationError({name: "this field cannot be changed here" for name in unknown})
    team = fields.get("team")
    if team is not None and getattr(team, "organization_id", None) != actor.organization.pk:
        raise ValidationError({"team": "no such team"})
    owner = fields.get("owner")
    if owner is not None and not (
        isinstance(owner, User)
        and Membership.objects.filter(organization=actor.organization, user=owner).exists()
    ):
        raise ValidationError({"owner": "not a person of this organization"})


def create_kpi(actor: access.Actor, *, ref: str, name: str, **fields: object) -> KPI:
    from django.core.validators import slug_re

    _kpi_checks(actor, fields)
    kpi = KPI(organization=actor.organization, ref=ref, name=name, **fields)
    if not access.can_edit_kpi(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
        raise PermissionDenied("only leads of the team (and admins) add its KPIs")
    if not slug_re.fullmatch(ref) or len(ref) > 100:
        raise ValidationError({"ref": "use letters, digits, - and _ only (like churn-rate)"})
    if KPI.objects.filter(organization=actor.organization, ref=ref).exists():
        raise ValidationError({"ref": f"{ref!r} is already used"})
    kpi.full_clean(exclude=["organization"], validate_constraints=False)
    kpi.save()
    return kpi


def update_kpi(
    actor: access.Actor, kpi: KPI, *, expected_version: int | None = None, **fields: object
) -> KPI:
    from headway.okrs.actions import bump, lock_for_update

    _kpi_checks(actor, fields)
    with transaction.atomic():
        kpi = lock_for_update(KPI.objects.all(), kpi.pk, expected_version)
        if not access.can_edit_kpi(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
            raise PermissionDenied(f"you may not change {kpi.name}")
        for name, value in fields.items():
            setattr(kpi, name, value)
        if not access.can_edit_kpi(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
            raise PermissionDenied("you may not hand the KPI to a team you do not lead")
        bump(kpi, {})
    return kpi


def delete_kpi(actor: access.Actor, kpi: KPI, *, expected_version: int | None = None) -> None:
    from headway.okrs.actions import lock_for_update

    with transaction.atomic():
        kpi = lock_for_update(KPI.objects.all(), kpi.pk, expected_version)
        if not access.can_edit_kpi(actor, team_id=kpi.team_id, owner_id=kpi.owner_id):
            raise PermissionDenied(f"you may not delete {kpi.name}")
        if kpi.key_results.exists():
            raise ValidationError({"kpi": "key results follow this KPI: unlink them first"})
        kpi.delete()


# --- Web helper (issue 3): correct or delete one measurement from the KPI page --------------
# Both keep history: the old row is superseded (superseded_at set), never erased.


def correct_measurement(
    actor: access.Actor, measurement: Measurement, *, value: Decimal
) -> IngestResult:
    """Replace the value of one live measurement (a new row supersedes it)."""
    kpi = measurement.kpi
    check_measure(actor, kpi)
    if measurement.superseded_at is not None:
        raise ValidationError({"value": "this measurement was already corrected or deleted"})
    with transaction.atomic():
        if measurement.idempotency_key is None:
            # Give the row its derived key so record_measurements treats the new value as a
            # correction of it (same key, another value), with all that follows from one.
            key = derived_key(kpi, measurement.at)
            Measurement.objects.filter(pk=measurement.pk).update(idempotency_key=key)
            measurement.idempotency_key = key
        return record_measurements(
            actor,
            kpi,
            [MeasurementInput(at=measurement.at, value=value, key=measurement.idempotency_key)],
            source=Measurement.Source.WEB,
        )


def delete_measurement(actor: access.Actor, measurement: Measurement) -> None:
    """Take one measurement out of every number (the row stays, superseded, as history)."""
    kpi = measurement.kpi
    check_measure(actor, kpi)
    now = timezone.now()
    with transaction.atomic():
        changed = Measurement.objects.filter(pk=measurement.pk, superseded_at=None).update(
            superseded_at=now, idempotency_key=None
        )
        if not changed:
            raise ValidationError({"measurement": "this measurement was already deleted"})
        update_driven_key_results(kpi, now=now)
