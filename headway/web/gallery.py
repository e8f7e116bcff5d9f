"""The gallery: classic example OKRs and KPIs a new organization copies and edits.

Examples are data. Copying one writes draft objectives (with their key results) into the
current cycle and adds its KPIs, through the same actions as the forms, so the copy is
checked like anything typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from headway.kpis.actions import create_kpi
from headway.kpis.models import KPI
from headway.okrs.actions import create_key_result, create_objective
from headway.okrs.forms import free_ref
from headway.okrs.models import Cycle, KeyResult, Objective
from headway.org import access
from headway.org.models import Team


@dataclass(frozen=True)
class ExampleKR:
    title: str
    start: str | None = None
    target: str | None = None
    unit: str = ""
    type: str = "metric"
    bound: str = ""


@dataclass(frozen=True)
class ExampleObjective:
    title: str
    key_results: tuple[ExampleKR, ...]
    kind: str = "aspirational"


@dataclass(frozen=True)
class ExampleKPI:
    name: str
    unit: str
    direction: str = "higher_is_better"
    target: str | None = None
    red: str | None = None
    cadence: str = "monthly"
    aggregation: str = "last"


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    summary: str
    objectives: tuple[ExampleObjective, ...]
    kpis: tuple[ExampleKPI, ...] = field(default_factory=tuple)


KR = ExampleKR
EXAMPLES: tuple[Example, ...] = (
    Example(
        "fitness-app",
        "Fitness app",
        "A consumer app that wants people to keep training.",
        (
            ExampleObjective(
                "Make the first week a habit",
                (
                    KR("Users who finish 3 workouts in week one", "22", "40", "%"),
                    KR("Median time to first workout", "36", "12", "hours"),
                    KR("Ship the guided first-week plan", type="milestone"),
                ),
            ),
            ExampleObjective(
                "Grow paying members",
                (
                    KR("Paying members", "12000", "18000", "members"),
                    KR("Trial to paid conversion", "9", "14", "%"),
                ),
                kind="committed",
            ),
        ),
        (
            ExampleKPI(
                "Weekly active users", "users", target="50000", red="40000", cadence="weekly"
            ),
            ExampleKPI("Monthly churn", "%", "lower_is_better", "4", "6"),
        ),
    ),
    Example(
        "e-commerce",
        "E-commerce shop",
        "An online shop growing revenue without losing margin.",
        (
            ExampleObjective(
                "Grow online revenue profitably",
                (
                    KR("Monthly revenue", "400000", "550000", "$"),
                    KR("Conversion rate", "2.1", "2.8", "%"),
                    KR(
                        "Gross margin stays at least 38%",
                        target="38",
                        unit="%",
                        type="threshold",
                        bound="at_least",
                    ),
                ),
                kind="committed",
            ),
            ExampleObjective(
                "Delight customers after the sale",
                (
                    KR("Orders delivered in 48 hours", "61", "85", "%"),
                    KR("Return rate", "11", "8", "%"),
                ),
            ),
        ),
        (
            ExampleKPI("Revenue", "$", target="500000", red="420000", aggregation="sum"),
            ExampleKPI("Average order value", "$", target="80", red="70"),
            ExampleKPI("Return rate", "%", "lower_is_better", "8", "12"),
        ),
    ),
    Example(
        "saas",
        "B2B SaaS",
        "A subscription software company.",
        (
            ExampleObjective(
                "Reach $2M in annual recurring revenue",
                (
                    KR("ARR", "1400000", "2000000", "$"),
                    KR("Net revenue retention", "98", "110", "%"),
                    KR("Launch the annual plan", type="milestone"),
                ),
                kind="committed",
            ),
            ExampleObjective(
                "Make onboarding effortless",
                (
                    KR("Accounts activated in 7 days", "35", "60", "%"),
                    KR("Onboarding support tickets per new account", "3", "1", "tickets"),
                ),
            ),
        ),
        (
            ExampleKPI("Monthly recurring revenue", "$", target="170000", red="140000"),
            ExampleKPI("Logo churn", "%", "lower_is_better", "1.5", "3"),
            ExampleKPI("Uptime", "%", target="99.9", red="99.5"),
        ),
    ),
    Example(
        "customer-support",
        "Customer support",
        "A support team that answers fast and well.",
        (
            ExampleObjective(
                "Answer every customer fast",
                (
                    KR("Median first response time", "9", "2", "hours"),
                    KR("Tickets answered within SLA", "78", "95", "%"),
                ),
                kind="committed",
            ),
            ExampleObjective(
                "Solve problems once",
                (
                    KR("Customer satisfaction (CSAT)", "82", "90", "%"),
                    KR("Reopened tickets", "12", "5", "%"),
                    KR("Publish 40 help-centre articles", "0", "40", "articles"),
                ),
            ),
        ),
        (
            ExampleKPI("CSAT", "%", target="90", red="80"),
            ExampleKPI("Backlog", "tickets", "lower_is_better", "50", "150", cadence="weekly"),
        ),
    ),
    Example(
        "marketing",
        "Marketing",
        "A marketing team filling the funnel.",
        (
            ExampleObjective(
                "Fill the pipeline with qualified leads",
                (
                    KR("Marketing-qualified leads per month", "300", "600", "leads"),
                    KR("Cost per lead", "120", "80", "$"),
                ),
                kind="committed",
            ),
            ExampleObjective(
                "Become the best-known name in our niche",
                (
                    KR("Organic visits per month", "40000", "70000", "visits"),
                    KR("Newsletter subscribers", "5000", "9000", "subscribers"),
                    KR("Run our first conference", type="milestone"),
                ),
            ),
        ),
        (
            ExampleKPI("Leads", "leads", target="500", red="350", aggregation="sum"),
            ExampleKPI("Cost per lead", "$", "lower_is_better", "90", "130"),
        ),
    ),
)
BY_SLUG = {example.slug: example for example in EXAMPLES}


@dataclass
class Copied:
    objectives: list[str] = field(default_factory=list)
    kpis: list[str] = field(default_factory=list)


def _D(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _where(actor: access.Actor) -> tuple[Team, str]:
    """Where the actor may plan: admins at company level, leads in their team, members as
    personal objectives in their first team."""
    company = Team.objects.get(organization=actor.organization, parent__isnull=True)
    if actor.is_admin:
        return company, Objective.Level.COMPANY
    team_id = min(actor.led_team_ids or actor.team_ids or {company.pk})
    team = Team.objects.get(pk=team_id)
    level = Objective.Level.TEAM if actor.leads(team.pk) else Objective.Level.PERSONAL
    return team, level


def copy_example(actor: access.Actor, example: Example, cycle: Cycle) -> Copied:
    """Copy ``example`` into ``cycle`` as draft objectives owned by the actor, plus its KPIs."""
    team, level = _where(actor)
    copied = Copied()
    with transaction.atomic():
        for item in example.objectives:
            objective = create_objective(
                actor,
                ref=free_ref(Objective, actor, item.title),
                cycle=cycle,
                team=team,
                title=item.title,
                owner=actor.user,
                level=level,
                kind=item.kind,
                state=Objective.State.DRAFT,
            )
            copied.objectives.append(objective.ref)
            for kr_position, kr in enumerate(item.key_results):
                fields: dict[str, Any] = {
                    "type": kr.type,
                    "unit": kr.unit,
                    "bound": kr.bound,
                    "start": _D(kr.start),
                    "target": _D(kr.target),
                    "position": kr_position,
                }
                if kr.type == KeyResult.Type.MILESTONE:
                    fields["start"] = fields["target"] = None
                create_key_result(
                    actor,
                    objective=objective,
                    ref=free_ref(KeyResult, actor, kr.title),
                    title=kr.title,
                    **fields,
                )
        for kpi in example.kpis:
            created = create_kpi(
                actor,
                ref=free_ref(KPI, actor, kpi.name),
                name=kpi.name,
                team=team,
                owner=actor.user,
                unit=kpi.unit,
                direction=kpi.direction,
                target=_D(kpi.target),
                red=_D(kpi.red),
                cadence=kpi.cadence,
                aggregation=kpi.aggregation,
            )
            copied.kpis.append(created.ref)
    return copied
