"""A varied organization for comparing build_report with the straightforward computation.

Deterministic (one seed): objectives in four overlapping cycles aligned across them with
weights (zero and fractional included), every progress mode, state and kind, private ones;
key results of every type, lower-is-better metrics, baselines away from zero, fractional and
zero weights, score overrides, KPI-driven ones of every KPI value; KPIs of every cadence,
aggregation and direction, private ones, with and without thresholds; check-ins and
measurements at any second (microseconds included) from before the cycles to after the
reported days, some exactly on the organization's midnights, several a day, measurements
corrected (superseded) and values with up to ten decimal places.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from headway.conftest import World
from headway.kpis.models import KPI, Measurement
from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective
from headway.org.models import Membership, Role, Team, User
from headway.reports.tests import factories as f

FIRST = datetime(2026, 5, 1, tzinfo=UTC)  # before every cycle reported
LAST = datetime(2027, 1, 20, tzinfo=UTC)  # after every day reported
WEIGHTS = ("0", "1", "1", "2", "0.5", "1.25")


@dataclass
class Varied:
    world: World
    cycles: dict[str, Cycle]


def varied(world: World, time_zone: str, seed: int = 5) -> Varied:
    rng = random.Random(seed)
    org = world.acme
    org.time_zone = time_zone
    org.on_track_max, org.at_risk_max = Decimal("0.05"), Decimal("0.2")
    org.band_yellow_from, org.band_green_from = Decimal("0.35"), Decimal("0.65")
    org.deteriorating_count = 2
    org.save()
    ops = Team.objects.create(organization=org, name="Ops", parent=world.company)
    teams = [world.company, world.growth, ops]
    dora = User.objects.create_user("dora@acme.test", "password", name="Dora Member")
    Membership.objects.create(organization=org, user=dora, role=Role.MEMBER)
    owners = [None, world.alice, world.bob, dora]
    cycles = {
        "2026": f.cycle(org, "2026", "2026-01-01", "2026-12-31"),
        "2026-Q3": f.cycle(org, "2026-Q3", "2026-07-01", "2026-09-30"),
        "2026-Q4": f.cycle(org, "2026-Q4", "2026-10-01", "2026-12-31"),
        "2026-10": f.cycle(org, "2026-10", "2026-10-01", "2026-10-31"),
    }
    objectives = _objectives(rng, list(cycles.values()), teams, owners)
    kpis = _kpis(rng, teams, owners)
    key_results = _key_results(rng, objectives, kpis)
    _checkins(rng, key_results)
    _measurements(rng, kpis)
    return Varied(world, cycles)


def _objectives(
    rng: random.Random, cycles: list[Cycle], teams: list[Team], owners: list[User | None]
) -> list[Objective]:
    org = cycles[0].organization
    objectives = Objective.objects.bulk_create(
        Objective(
            organization=org,
            # Parents come first: the year and Q4 hold most of them, Q3 and October children.
            cycle=rng.choice(cycles[:1] if i < 4 else cycles[1:]),
            team=rng.choice(teams),
            owner=rng.choice(owners),
            ref=f"o-{i}",
            title=f"Objective {i}",
            kind=rng.choice(Objective.Kind.values),
            state=rng.choices(Objective.State.values, (1, 8, 1))[0],
            private=rng.random() < 0.3,
            progress_mode=rng.choice(Objective.ProgressMode.values),
            position=rng.randrange(10),  # ties: the id decides
        )
        for i in range(40)
    )
    links = []
    for i, child in enumerate(objectives[2:], start=2):
        if rng.random() < 0.2:
            continue  # a root
        for parent in rng.sample(objectives[:i], rng.choice((1, 1, 2))):
            links.append(
                Alignment(
                    organization=org,
                    child=child,
                    parent=parent,
                    weight=Decimal(rng.choice(WEIGHTS)),
                )
            )
    Alignment.objects.bulk_create(links)
    return objectives


def _kpis(rng: random.Random, teams: list[Team], owners: list[User | None]) -> list[KPI]:
    org = teams[0].organization
    rows = []
    for i, cadence in enumerate(KPI.Cadence.values * 3):
        kpi = KPI(
            organization=org,
            team=rng.choice(teams),
            owner=rng.choice(owners),
            ref=f"kpi-{i}",
            name=f"KPI {i % 5}",  # same names: the id orders them
            cadence=cadence,
            aggregation=KPI.Aggregation.values[i % 5],
            direction=KPI.Direction.values[i % 3],
            private=rng.random() < 0.3,
        )
        if i % 7 == 6:
            pass  # no threshold: no RAG, no gap
        elif kpi.direction == KPI.Direction.IN_RANGE:
            kpi.low, kpi.high, kpi.tolerance = Decimal("90.5"), Decimal("110"), Decimal("4.25")
        elif kpi.direction == KPI.Direction.HIGHER_IS_BETTER:
            kpi.target, kpi.red = Decimal("105.125"), rng.choice((None, Decimal("95")))
        else:
            kpi.target, kpi.red = Decimal("95.5"), rng.choice((None, Decimal("104")))
        rows.append(kpi)
    return KPI.objects.bulk_create(rows)


def _key_results(
    rng: random.Random, objectives: list[Objective], kpis: list[KPI]
) -> list[KeyResult]:
    rows = []
    for objective in objectives:
        for position in range(rng.choice((0, 2, 3, 4))):
            kr = KeyResult(
                organization=objective.organization,
                objective=objective,
                ref=f"{objective.ref}-kr-{position}",
                title=f"Key result {position}",
                position=position,
                weight=Decimal(rng.choice(WEIGHTS)),
                score_override=rng.choice((None,) * 9 + (Decimal("0.35"),)),
            )
            kind = rng.random()
            if kind < 0.15:
                kr.type = KeyResult.Type.MILESTONE
            elif kind < 0.3:
                kr.type = KeyResult.Type.THRESHOLD
                kr.target = _amount(rng)
                kr.bound = rng.choice(KeyResult.Bound.values)
            else:
                low, high = _amount(rng), _amount(rng) + Decimal("50.5")
                # A third are lower-is-better (the target below the start, the baseline).
                kr.start, kr.target = (high, low) if rng.random() < 0.35 else (low, high)
            if kr.type != KeyResult.Type.MILESTONE and rng.random() < 0.4:
                kr.kpi = rng.choice(kpis)
                kr.kpi_value = rng.choice(KeyResult.KPIValue.values)
            rows.append(kr)
    return KeyResult.objects.bulk_create(rows)


def _checkins(rng: random.Random, key_results: list[KeyResult]) -> None:
    tz = key_results[0].organization.tz
    rows = []
    for kr in key_results:
        for _ in range(rng.randrange(12)):
            checkin = CheckIn(
                organization=kr.organization,
                key_result=kr,
                at=_instant(rng, tz),
                confidence=rng.choice((None, *range(11))),
            )
            if kr.type == KeyResult.Type.MILESTONE:
                checkin.done = rng.choice((None, False, True, True))
            elif rng.random() < 0.9:
                checkin.value = _amount(rng)
            rows.append(checkin)
    CheckIn.objects.bulk_create(rows)


def _measurements(rng: random.Random, kpis: list[KPI]) -> None:
    tz = kpis[0].organization.tz
    rows = []
    for kpi in kpis:
        value = Decimal(100)
        day = FIRST.date()
        while day <= LAST.date():
            for _ in range(rng.choice((0, 1, 1, 1, 2))):
                value += Decimal(rng.randint(-400, 400)) / 100
                at = _instant(rng, tz, day)
                rows.append(Measurement(organization=kpi.organization, kpi=kpi, at=at, value=value))
            day += timedelta(days=rng.choice((1, 1, 2)))
    Measurement.objects.bulk_create(rows)
    # Corrections: the wrong row stays as history, superseded by the right one.
    wrong = rng.sample(rows, len(rows) // 20)
    for row in wrong:
        row.superseded_at = LAST
    Measurement.objects.bulk_update(wrong, ["superseded_at"])
    Measurement.objects.bulk_create(
        Measurement(
            organization=row.organization,
            kpi=row.kpi,
            at=row.at,
            value=row.value + Decimal("7.5"),
            supersedes=row,
        )
        for row in wrong
    )


def _amount(rng: random.Random) -> Decimal:
    """A value from -20 to 180 with two decimal places, one in ten with ten."""
    places = 10 if rng.random() < 0.1 else 2
    return Decimal(rng.randint(-20 * 10**places, 180 * 10**places)).scaleb(-places)


def _instant(rng: random.Random, tz: ZoneInfo, day: date | None = None) -> datetime:
    """Any instant from FIRST to LAST, or on ``day``; one in ten exactly on a midnight of the
    organization's time zone or a microsecond before it."""
    if day is None:
        span = int((LAST - FIRST).total_seconds())
        day = (FIRST + timedelta(seconds=rng.randrange(span))).date()
    if rng.random() < 0.1:
        midnight = datetime.combine(day, time.min, tzinfo=tz)
        return midnight - timedelta(microseconds=rng.choice((0, 1)))
    moment = time(rng.randrange(24), rng.randrange(60), rng.randrange(60), rng.randrange(10**6))
    return datetime.combine(day, moment, tzinfo=UTC)
