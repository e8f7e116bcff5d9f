"""From line-annotated nodes to a typed Document, with every check that needs no database.

Types, allowed keys and values, number precision and the rules of headway.numbers
(validate_kr, validate_kpi, validate_rules) are checked here; refs to other objects are
checked by headway.okrfiles.load, which knows what the database already holds.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from headway.kpis.models import KPI, Measurement
from headway.numbers import KPISpec, KRSpec, Rules, validate_kpi, validate_kr, validate_rules
from headway.okrfiles.document import (
    CheckInDoc,
    CycleDoc,
    Document,
    InitiativeDoc,
    KeyResultDoc,
    KPIDoc,
    MeasurementDoc,
    ObjectiveDoc,
    ParentLink,
    PersonDoc,
    Ref,
    Settings,
    TeamDoc,
)
from headway.okrfiles.errors import Loc, Problems
from headway.okrfiles.fields import Fields, describe
from headway.okrfiles.source import Node
from headway.okrs.models import CheckIn, Initiative, KeyResult, Objective
from headway.org.models import Role, time_zone_names

VERSION = 1

TOP_KEYS = (
    "headway",
    "organization",
    "settings",
    "teams",
    "people",
    "cycles",
    "kpis",
    "objectives",
)
SETTINGS_KEYS = (
    "time_zone",
    "on_track_max",
    "at_risk_max",
    "band_yellow_from",
    "band_green_from",
    "deteriorating_count",
)
TEAM_KEYS = ("name", "parent")
PERSON_KEYS = ("email", "name", "teams", "role", "former")
CYCLE_KEYS = ("name", "start", "end", "parent")
KPI_KEYS = (
    "ref",
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
    "measurements",
)
MEASUREMENT_KEYS = ("at", "value", "key", "source")
OBJECTIVE_KEYS = (
    "ref",
    "title",
    "description",
    "cycle",
    "team",
    "owner",
    "level",
    "kind",
    "state",
    "private",
    "progress_mode",
    "aligns_to",
    "key_results",
)
ALIGNMENT_KEYS = ("ref", "weight")
KEY_RESULT_KEYS = (
    "ref",
    "title",
    "type",
    "start",
    "target",
    "bound",
    "unit",
    "weight",
    "owner",
    "kpi",
    "kpi_value",
    "score",
    "score_reason",
    "initiatives",
    "checkins",
)
INITIATIVE_KEYS = ("title", "status", "owner", "url")
CHECKIN_KEYS = ("at", "value", "done", "confidence", "note", "by", "source")

ZERO = Decimal(0)


def _time_zones() -> frozenset[str]:
    return time_zone_names()


def parse_node(root: Node, problems: Problems) -> Document | None:
    """The typed document; problems found are added to ``problems``."""
    top = Fields(root, Loc(root.line, ""), problems, TOP_KEYS, required=("organization",))
    if not top.ok:
        return None
    if top.has("headway"):
        version = top.children["headway"]
        if version.kind != "num" or version.value != VERSION:
            problems.add(
                top.at("headway"),
                f"unsupported file version {version.text or describe(version)}; "
                f"this Headway reads version {VERSION}",
            )
    organization = top.name("organization", 200)
    doc = Document(organization=organization or "", org_loc=top.at("organization"))
    settings = top.mapping("settings")
    if settings is not None:
        doc.settings = _settings(*settings, problems)
    doc.teams = [t for t in (_team(n, loc, problems) for n, loc in top.items("teams")) if t]
    doc.people = [p for p in (_person(n, loc, problems) for n, loc in top.items("people")) if p]
    doc.cycles = [c for c in (_cycle(n, loc, problems) for n, loc in top.items("cycles")) if c]
    doc.kpis = [k for k in (_kpi(n, loc, problems) for n, loc in top.items("kpis")) if k]
    doc.objectives = [
        o for o in (_objective(n, loc, problems) for n, loc in top.items("objectives")) if o
    ]
    _check_unique(doc, problems)
    return doc if organization is not None else None


def _settings(node: Node, loc: Loc, problems: Problems) -> Settings:
    f = Fields(node, loc, problems, SETTINGS_KEYS)
    settings = Settings(loc, locs=f.locs())
    settings.time_zone = f.opt_text("time_zone", 64)
    if settings.time_zone is not None and settings.time_zone not in _time_zones():
        problems.add(f.at("time_zone"), f"unknown time zone '{settings.time_zone}'")
        settings.time_zone = None
    settings.on_track_max = f.decimal("on_track_max")
    settings.at_risk_max = f.decimal("at_risk_max")
    settings.band_yellow_from = f.decimal("band_yellow_from")
    settings.band_green_from = f.decimal("band_green_from")
    settings.deteriorating_count = f.integer("deteriorating_count", 1, 32767)
    return settings


def check_rules(settings: Settings, rules: Rules, problems: Problems) -> None:
    """validate_rules on the organization's settings after the file's changes."""
    for key, message in validate_rules(rules):
        problems.add(settings.where(key), message)


def _team(node: Node, loc: Loc, problems: Problems) -> TeamDoc | None:
    f = Fields(node, loc, problems, TEAM_KEYS, required=("name",))
    name = f.name("name", 200)
    if name is None:
        return None
    return TeamDoc(loc, name.strip(), f.ref("parent"), locs=f.locs())


def _person(node: Node, loc: Loc, problems: Problems) -> PersonDoc | None:
    f = Fields(node, loc, problems, PERSON_KEYS, required=("email",))
    email = f.name("email", 254)
    if email is None:
        return None
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        problems.add(f.at("email"), f"'{email}' is not a valid email address")
    teams = []
    for item, item_loc in f.items("teams"):
        if item.kind == "str" and str(item.value).strip():
            teams.append(Ref(str(item.value).strip(), item_loc))
        else:
            problems.add(item_loc, f"expected a team name, got {describe(item)}")
    person = PersonDoc(
        loc,
        email,
        f.opt_text("name", 150),
        teams,
        f.choice("role", Role.values, Role.MEMBER) or Role.MEMBER,
        f.boolean("former"),
        locs=f.locs(),
    )
    if person.former and (f.has("teams") or f.has("role")):
        problems.add(f.at("former"), "a former member has no role and belongs to no team")
    return person


def _cycle(node: Node, loc: Loc, problems: Problems) -> CycleDoc | None:
    f = Fields(node, loc, problems, CYCLE_KEYS, required=("name", "start", "end"))
    name = f.name("name", 100)
    if name is None:
        return None
    cycle = CycleDoc(
        loc, name.strip(), f.day("start"), f.day("end"), f.ref("parent"), locs=f.locs()
    )
    if cycle.start and cycle.end and cycle.end <= cycle.start:
        problems.add(f.at("end"), "end must be after start")
    return cycle


def _kpi(node: Node, loc: Loc, problems: Problems) -> KPIDoc | None:
    f = Fields(node, loc, problems, KPI_KEYS, required=("name", "team"))
    name = f.name("name", 200)
    if name is None:
        return None
    kpi = KPIDoc(loc, f.own_ref(), name, locs=f.locs())
    kpi.description = f.text("description", 100_000)
    kpi.team = f.ref("team")
    kpi.owner = f.ref("owner", 254)
    kpi.unit = f.text("unit", 50)
    cadence = f.choice("cadence", KPI.Cadence.values, KPI.Cadence.MONTHLY)
    aggregation = f.choice("aggregation", KPI.Aggregation.values, KPI.Aggregation.LAST)
    direction = f.choice("direction", KPI.Direction.values, KPI.Direction.HIGHER_IS_BETTER)
    kpi.target = f.decimal("target")
    kpi.red = f.decimal("red")
    kpi.low = f.decimal("low")
    kpi.high = f.decimal("high")
    kpi.tolerance = f.decimal("tolerance")
    kpi.private = f.boolean("private")
    if cadence and aggregation and direction:
        kpi.cadence, kpi.aggregation, kpi.direction = cadence, aggregation, direction
        spec = KPISpec(
            cadence=cadence,
            aggregation=aggregation,
            direction=direction,
            target=kpi.target,
            red=kpi.red,
            low=kpi.low,
            high=kpi.high,
            tolerance=kpi.tolerance,
        )
        for key, message in validate_kpi(spec):
            f.rule(key, message)
    for item, item_loc in f.items("measurements"):
        m = Fields(item, item_loc, problems, MEASUREMENT_KEYS, required=("at", "value"))
        kpi.measurements.append(
            MeasurementDoc(
                item_loc,
                m.moment("at"),
                m.decimal("value"),
                m.opt_text("key", 200),
                m.choice("source", Measurement.Source.values, Measurement.Source.IMPORT)
                or Measurement.Source.IMPORT,
                locs=m.locs(),
            )
        )
    return kpi


def _objective(node: Node, loc: Loc, problems: Problems) -> ObjectiveDoc | None:
    f = Fields(node, loc, problems, OBJECTIVE_KEYS, required=("title", "cycle", "team"))
    title = f.name("title", 300)
    if title is None:
        return None
    objective = ObjectiveDoc(loc, f.own_ref(), title, locs=f.locs())
    objective.description = f.text("description", 100_000)
    objective.cycle = f.ref("cycle")
    objective.team = f.ref("team")
    objective.owner = f.ref("owner", 254)
    objective.level = f.choice("level", Objective.Level.values, Objective.Level.TEAM) or ""
    objective.kind = f.choice("kind", Objective.Kind.values, Objective.Kind.ASPIRATIONAL) or ""
    objective.state = f.choice("state", Objective.State.values, Objective.State.ACTIVE) or ""
    objective.private = f.boolean("private")
    objective.progress_mode = (
        f.choice("progress_mode", Objective.ProgressMode.values, Objective.ProgressMode.KEY_RESULTS)
        or ""
    )
    for item, item_loc in f.items("aligns_to"):
        link = _parent_link(item, item_loc, problems)
        if link is not None:
            objective.aligns_to.append(link)
    objective.key_results = [
        kr
        for kr in (_key_result(n, kr_loc, problems) for n, kr_loc in f.items("key_results"))
        if kr is not None
    ]
    return objective


def _parent_link(node: Node, loc: Loc, problems: Problems) -> ParentLink | None:
    if node.kind in ("str", "num") and (node.text or str(node.value)).strip():
        return ParentLink(Ref((node.text or str(node.value)).strip(), loc))
    f = Fields(node, loc, problems, ALIGNMENT_KEYS, required=("ref",))
    ref = f.ref("ref", 100)
    weight = f.decimal("weight", minimum=ZERO)
    if ref is None:
        return None
    return ParentLink(ref, Decimal(1) if weight is None else weight)


def _key_result(node: Node, loc: Loc, problems: Problems) -> KeyResultDoc | None:
    f = Fields(node, loc, problems, KEY_RESULT_KEYS, required=("title",))
    title = f.name("title", 300)
    if title is None:
        return None
    kr = KeyResultDoc(loc, f.own_ref(), title, locs=f.locs())
    kr_type = f.choice("type", KeyResult.Type.values, KeyResult.Type.METRIC)
    bound = f.choice("bound", KeyResult.Bound.values, "")
    kpi_value = f.choice("kpi_value", KeyResult.KPIValue.values, "")
    kr.start = f.decimal("start")
    kr.target = f.decimal("target")
    kr.unit = f.text("unit", 50)
    weight = f.decimal("weight")
    kr.owner = f.ref("owner", 254)
    kr.kpi = f.ref("kpi", 100)
    kr.score = f.decimal("score")
    kr.score_reason = f.text("score_reason", 100_000)
    if kr_type is not None and bound is not None and kpi_value is not None:
        kr.type, kr.bound = kr_type, bound
        kr.kpi_value = (kpi_value or KeyResult.KPIValue.LATEST) if kr.kpi else None
        spec = KRSpec(
            type=kr_type,
            start=kr.start,
            target=kr.target,
            bound=bound or None,
            weight=Decimal(1) if weight is None else weight,
            kpi_value=kr.kpi_value,
        )
        for key, message in validate_kr(spec):
            f.rule(key, message)
    if weight is not None:
        kr.weight = weight
    if kpi_value and kr.kpi is None:
        problems.add(f.at("kpi_value"), "kpi_value needs a kpi to follow")
    if kr.score is not None:
        if not ZERO <= kr.score <= 1:
            problems.add(f.at("score"), "a score must be from 0 to 1")
        if not kr.score_reason.strip():
            problems.add(f.at("score"), "a score override needs a score_reason")
    elif kr.score_reason.strip():
        problems.add(f.at("score_reason"), "score_reason explains a score; give the score too")
    kr.initiatives = [
        i for i in (_initiative(n, i_loc, problems) for n, i_loc in f.items("initiatives")) if i
    ]
    kr.checkins = [_checkin(n, c_loc, kr.type, problems) for n, c_loc in f.items("checkins")]
    return kr


def _initiative(node: Node, loc: Loc, problems: Problems) -> InitiativeDoc | None:
    f = Fields(node, loc, problems, INITIATIVE_KEYS, required=("title",))
    title = f.name("title", 300)
    if title is None:
        return None
    url = f.text("url", 200)
    if url:
        try:
            URLValidator()(url)
        except ValidationError:
            problems.add(f.at("url"), f"'{url}' is not a valid URL")
    return InitiativeDoc(
        loc,
        title,
        f.choice("status", Initiative.Status.values, Initiative.Status.PLANNED) or "",
        f.ref("owner", 254),
        url,
        locs=f.locs(),
    )


def _checkin(node: Node, loc: Loc, kr_type: str, problems: Problems) -> CheckInDoc:
    f = Fields(node, loc, problems, CHECKIN_KEYS, required=("at",))
    checkin = CheckInDoc(loc, f.moment("at"), locs=f.locs())
    checkin.value = f.decimal("value")
    checkin.done = f.boolean("done") if f.has("done") else None
    checkin.confidence = f.integer("confidence", 0, 10)
    checkin.note = f.text("note", 100_000)
    checkin.by = f.ref("by", 254)
    checkin.source = f.choice("source", CheckIn.Source.values, CheckIn.Source.IMPORT) or ""
    if kr_type == KeyResult.Type.MILESTONE and f.has("value"):
        problems.add(f.at("value"), "a milestone check-in records done: true or false, not a value")
    if kr_type != KeyResult.Type.MILESTONE and f.has("done"):
        problems.add(f.at("done"), f"a {kr_type} check-in records a value, not done")
    return checkin


def _check_unique(doc: Document, problems: Problems) -> None:
    """Names, emails and refs given twice in the file."""

    def once(kind: str, pairs: list[tuple[str | None, Loc]], fold: bool = False) -> None:
        seen: dict[str, Loc] = {}
        for value, loc in pairs:
            if value is None:
                continue
            key = value.lower() if fold else value
            if key in seen:
                first = seen[key]
                problems.add(loc, f"{kind} '{value}' is already given at {first.path}")
            else:
                seen[key] = loc

    once("team", [(t.name, t.where("name")) for t in doc.teams], fold=True)
    once("person", [(p.email, p.where("email")) for p in doc.people])
    once("cycle", [(c.name, c.where("name")) for c in doc.cycles])
    once("KPI ref", [(k.ref, k.where("ref")) for k in doc.kpis])
    once("objective ref", [(o.ref, o.where("ref")) for o in doc.objectives])
    once(
        "key result ref",
        [(kr.ref, kr.where("ref")) for o in doc.objectives for kr in o.key_results],
    )
    for objective in doc.objectives:
        once("parent", [(link.ref.value, link.ref.loc) for link in objective.aligns_to])
