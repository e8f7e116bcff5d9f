"""A large, deterministic organization for the report benchmark, written with bulk_create.

Everything sits in the reported cycle (2026-Q4, reported as of 2026-11-15) so the report
reads every generated row: an alignment tree of objectives (company objectives rolled up
from team objectives, some children with two weighted parents), key results of every type
(10% driven by one of a tenth of the KPIs), check-ins spread over the cycle up to
``as_of``, and KPIs with one measurement a day for ``days`` days ending on ``as_of``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from headway.kpis.models import KPI, Measurement
from headway.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective
from headway.org.models import Membership, Organization, Role, Team, User

BATCH = 5000
AS_OF = date(2026, 11, 15)
CYCLE = ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
TEAMS = 20
USERS = 50


@dataclass(frozen=True)
class Sizes:
    objectives: int = 2000
    krs: int = 8000
    checkins: int = 100_000
    kpis: int = 300
    days: int = 730

    @property
    def measurements(self) -> int:
        return self.kpis * self.days


@dataclass(frozen=True)
class Generated:
    organization: Organization
    cycle: Cycle
    as_of: date


def generate(sizes: Sizes, *, name: str = "Bench", seed: int = 2026) -> Generated:
    """Create organization ``name`` with ``sizes`` rows in the default database."""
    rng = random.Random(seed)
    with transaction.atomic():
        org = Organization.objects.create(name=name)
        company = Team.objects.create(organization=org, name=name)
        teams = Team.objects.bulk_create(
            [Team(organization=org, name=f"Team {i}", parent=company) for i in range(TEAMS)]
        )
        no_password = make_password(None)  # unusable: nobody signs in as a bench user
        users = User.objects.bulk_create(
            [
                User(email=f"user{i}@{name.lower()}.bench", name=f"User {i}", password=no_password)
                for i in range(USERS)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(organization=org, user=user, role=Role.MEMBER) for user in users]
        )
        cycle_name, start, end = CYCLE
        cycle = Cycle.objects.create(organization=org, name=cycle_name, start=start, end=end)
        kpis = _kpis(org, [company, *teams], users, sizes, rng)
        objectives = _objectives(org, cycle, [company, *teams], users, sizes, rng)
        key_results = _key_results(org, objectives, kpis, sizes, rng)
        _checkins(org, key_results, users, sizes, rng)
        _measurements(org, kpis, sizes, rng)
    return Generated(org, cycle, AS_OF)


def _objectives(
    org: Organization,
    cycle: Cycle,
    teams: list[Team],
    users: list[User],
    sizes: Sizes,
    rng: random.Random,
) -> list[Objective]:
    """A three-level tree: 2% company objectives, 18% team objectives, the rest below."""
    top = max(1, sizes.objectives // 50)
    middle = max(top, sizes.objectives // 5)
    objectives = Objective.objects.bulk_create(
        [
            Objective(
                organization=org,
                cycle=cycle,
                team=teams[0] if i < top else rng.choice(teams[1:]),
                owner=rng.choice(users),
                ref=f"o-{i}",
                title=f"Objective {i}: make things measurably better",
                kind="committed" if rng.random() < 0.3 else "aspirational",
                state=rng.choices(("active", "draft", "closed"), (95, 3, 2))[0],
                progress_mode=(
                    rng.choice(("children", "both"))
                    if i < top
                    else rng.choices(("key_results", "both"), (8, 2))[0]
                ),
                position=i,
            )
            for i in range(sizes.objectives)
        ],
        batch_size=BATCH,
    )
    links: list[Alignment] = []
    for i, child in enumerate(objectives):
        if i < top:
            continue
        pool = objectives[:top] if i < middle else objectives[top:middle]
        parents = rng.sample(pool, 2 if rng.random() < 0.1 and len(pool) > 1 else 1)
        links.extend(
            Alignment(
                organization=org, child=child, parent=parent, weight=Decimal(rng.randint(1, 3))
            )
            for parent in parents
        )
    Alignment.objects.bulk_create(links, batch_size=BATCH)
    return objectives


def _key_results(
    org: Organization,
    objectives: list[Objective],
    kpis: list[KPI],
    sizes: Sizes,
    rng: random.Random,
) -> list[KeyResult]:
    drivers = kpis[: max(1, len(kpis) // 10)]  # a few KPIs drive key results
    rows: list[KeyResult] = []
    for i in range(sizes.krs):
        objective = objectives[i % len(objectives)]
        kr = KeyResult(
            organization=org,
            objective=objective,
            ref=f"kr-{i}",
            title=f"Key result {i}: move the number",
            weight=Decimal(rng.choice((1, 1, 1, 2, 3))),
            position=i // len(objectives),
        )
        kind = rng.random()
        if kind < 0.10:
            kr.type = "milestone"
        elif kind < 0.15:
            kr.type = "threshold"
            kr.target = Decimal(rng.randint(50, 150))
            kr.bound = rng.choice(("at_least", "at_most"))
            kr.unit = "ms"
        else:
            low, high = Decimal(rng.randint(0, 50)), Decimal(rng.randint(100, 1000))
            kr.start, kr.target = (high, low) if rng.random() < 0.3 else (low, high)
            kr.unit = rng.choice(("", "$", "%", "users"))
            if kind < 0.25 and kpis:
                kr.kpi = rng.choice(drivers)
                kr.kpi_value = rng.choice(("latest", "cycle_total", "cycle_average"))
        rows.append(kr)
    return KeyResult.objects.bulk_create(rows, batch_size=BATCH)


def _checkins(
    org: Organization,
    key_results: list[KeyResult],
    users: list[User],
    sizes: Sizes,
    rng: random.Random,
) -> None:
    first = datetime.combine(CYCLE[1], time.min, tzinfo=UTC)
    seconds = int((datetime.combine(AS_OF, time.max, tzinfo=UTC) - first).total_seconds())
    user_ids = [user.pk for user in users]
    batch: list[CheckIn] = []
    for _ in range(sizes.checkins):
        kr = rng.choice(key_results)
        checkin = CheckIn(
            organization_id=org.pk,
            key_result_id=kr.pk,
            author_id=rng.choice(user_ids),
            at=first + timedelta(seconds=rng.randrange(seconds)),
            confidence=rng.choice((None, *range(11))),
        )
        if kr.type == "milestone":
            checkin.done = rng.random() < 0.4
        else:
            low = min(kr.start or Decimal(0), kr.target or Decimal(0))
            high = max(kr.start or Decimal(0), kr.target or Decimal(0)) * Decimal("1.2")
            checkin.value = Decimal(rng.randint(int(low), int(high) + 1))
        batch.append(checkin)
        if len(batch) == BATCH:
            CheckIn.objects.bulk_create(batch)
            batch = []
    CheckIn.objects.bulk_create(batch)


def _kpis(
    org: Organization,
    teams: list[Team],
    users: list[User],
    sizes: Sizes,
    rng: random.Random,
) -> list[KPI]:
    rows: list[KPI] = []
    for i in range(sizes.kpis):
        kpi = KPI(
            organization=org,
            team=rng.choice(teams),
            owner=rng.choice(users),
            ref=f"kpi-{i}",
            name=f"KPI {i:03d}",
            unit=rng.choice(("", "%", "$", "ms")),
            cadence=rng.choice(("daily", "weekly", "monthly", "quarterly")),
            aggregation=rng.choice(("sum", "average", "last", "min", "max")),
            direction=rng.choice(("higher_is_better", "lower_is_better", "in_range")),
        )
        if kpi.direction == "in_range":
            kpi.low, kpi.high, kpi.tolerance = Decimal(90), Decimal(110), Decimal(5)
        elif kpi.direction == "higher_is_better":
            kpi.target, kpi.red = Decimal(110), Decimal(95)
        else:
            kpi.target, kpi.red = Decimal(90), Decimal(105)
        rows.append(kpi)
    return KPI.objects.bulk_create(rows, batch_size=BATCH)


def _measurements(org: Organization, kpis: list[KPI], sizes: Sizes, rng: random.Random) -> None:
    first_day = AS_OF - timedelta(days=sizes.days - 1)
    batch: list[Measurement] = []
    for kpi_id in (kpi.pk for kpi in kpis):
        value = Decimal(100)
        for n in range(sizes.days):
            value = max(Decimal(0), value + Decimal(rng.randint(-300, 300)) / 100)
            day = first_day + timedelta(days=n)
            at = datetime.combine(day, time(12), tzinfo=UTC)
            batch.append(Measurement(organization_id=org.pk, kpi_id=kpi_id, at=at, value=value))
            if len(batch) == BATCH:
                Measurement.objects.bulk_create(batch)
                batch = []
    Measurement.objects.bulk_create(batch)
