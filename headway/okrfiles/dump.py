"""Exporting an organization (or one cycle of it) as an OKR file.

The export is deterministic (same database, same bytes) and holds every stored fact the
import reads back, so export -> import -> export gives the same file. It runs a fixed
number of queries, however large the organization.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.db.models import Prefetch

from headway.kpis.measurements import derived_key
from headway.kpis.models import KPI, Measurement
from headway.okrfiles.parse import VERSION
from headway.okrfiles.resolve import default_measurement_key
from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org.models import Membership, Organization, Role, Team, User


class Flow(dict[str, Any]):
    """A small mapping written on one line: {at: 2026-10-01, value: 5}."""


def export_data(
    organization: Organization | str, *, cycle: Cycle | str | None = None
) -> dict[str, Any]:
    """The organization (by object or name) as OKR file data; only ``cycle``'s objectives
    (and that cycle with its parents) when given. Raises Organization.DoesNotExist or
    Cycle.DoesNotExist for unknown names."""
    org = (
        organization
        if isinstance(organization, Organization)
        else (Organization.objects.get(name=organization))
    )
    if isinstance(cycle, str):
        cycle = Cycle.objects.get(organization=org, name=cycle)
    return export_organization(org, cycle)


def export_organization(org: Organization, cycle: Cycle | None = None) -> dict[str, Any]:
    tz = org.tz
    every_cycle = list(Cycle.objects.filter(organization=org))
    names = {c.id: c.name for c in every_cycle}
    cycles = _cycles(every_cycle, cycle)
    objectives = list(_objectives(org, cycle))
    kpis = list(
        KPI.objects.filter(organization=org)
        .select_related("team", "owner")
        .prefetch_related(
            # Live rows only: a corrected or deleted measurement stays in the database as
            # history (superseded), but it is not a fact of the KPI any more.
            Prefetch(
                "measurements",
                queryset=Measurement.objects.filter(superseded_at=None).order_by("at", "id"),
            )
        )
        .order_by("name", "ref")
    )
    memberships = list(
        Membership.objects.filter(organization=org)
        .select_related("user")
        .prefetch_related("teams")
        .order_by("user__email")
    )
    data: dict[str, Any] = {
        "headway": VERSION,
        "organization": org.name,
        "settings": {
            "time_zone": org.time_zone,
            "on_track_max": org.on_track_max,
            "at_risk_max": org.at_risk_max,
            "band_yellow_from": org.band_yellow_from,
            "band_green_from": org.band_green_from,
            "deteriorating_count": org.deteriorating_count,
        },
        "teams": _teams(org),
        "people": _people(memberships, kpis, objectives),
        "cycles": [_cycle(c, names) for c in cycles],
        "kpis": [_kpi(k, tz) for k in kpis],
    }
    order = {c.id: i for i, c in enumerate(cycles)}
    objectives.sort(key=lambda o: (order.get(o.cycle_id, -1), o.position, o.id))
    data["objectives"] = [_objective(o, names, tz) for o in objectives]
    return {key: value for key, value in data.items() if value != []}


def _teams(org: Organization) -> list[Flow]:
    """Parents before children (depth first from the company), siblings by name."""
    teams = list(Team.objects.filter(organization=org))
    children: dict[int | None, list[Team]] = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team)
    ordered: list[Team] = []
    stack = sorted(children.get(None, []), key=_by_name, reverse=True)
    while stack:
        team = stack.pop()
        ordered.append(team)
        stack.extend(sorted(children.get(team.id, []), key=_by_name, reverse=True))
    seen = {t.id for t in ordered}
    ordered.extend(sorted((t for t in teams if t.id not in seen), key=_by_name))
    names = {t.id: t.name for t in teams}
    out = []
    for team in ordered:
        entry = Flow(name=team.name)
        if team.parent_id is not None:
            entry["parent"] = names[team.parent_id]
        out.append(entry)
    return out


def _by_name(team: Team) -> tuple[str, str]:
    return (team.name.lower(), team.name)


def _people(
    memberships: list[Membership], kpis: list[KPI], objectives: list[Objective]
) -> list[Flow]:
    out = []
    members = set()
    for m in memberships:
        members.add(m.user_id)
        entry = Flow(email=m.user.email)
        if m.user.name:
            entry["name"] = m.user.name
        teams = sorted((t.name for t in m.teams.all()), key=lambda n: (n.lower(), n))
        if teams:
            entry["teams"] = teams
        if m.role != Role.MEMBER:
            entry["role"] = m.role
        out.append(entry)
    # People who left but still own or wrote something here keep their email in the file.
    former: dict[str, User] = {}
    for user in _referenced_users(kpis, objectives):
        if user.id not in members:
            former[user.email] = user
    for email in sorted(former):
        entry = Flow(email=email)
        if former[email].name:
            entry["name"] = former[email].name
        entry["former"] = True
        out.append(entry)
    out.sort(key=lambda e: str(e["email"]))
    return out


def _referenced_users(kpis: list[KPI], objectives: list[Objective]) -> list[User]:
    users = [k.owner for k in kpis]
    for o in objectives:
        users.append(o.owner)
        for kr in o.key_results.all():
            users.append(kr.owner)
            users.extend(i.owner for i in kr.initiatives.all())
            users.extend(c.author for c in kr.checkins.all())
    return [u for u in users if u is not None]


def _cycles(cycles: list[Cycle], cycle: Cycle | None) -> list[Cycle]:
    if cycle is not None:
        by_id = {c.id: c for c in cycles}
        chosen: list[Cycle] = []
        step: Cycle | None = by_id[cycle.id]
        while step is not None and step not in chosen:
            chosen.append(step)
            step = by_id.get(step.parent_id) if step.parent_id else None
        cycles = chosen
    return sorted(cycles, key=lambda c: (c.start, -c.end.toordinal(), c.name))


def _cycle(cycle: Cycle, names: dict[int, str]) -> Flow:
    entry = Flow(name=cycle.name, start=cycle.start, end=cycle.end)
    if cycle.parent_id is not None:
        entry["parent"] = names[cycle.parent_id]
    return entry


def _objectives(org: Organization, cycle: Cycle | None) -> Any:
    objectives = Objective.objects.filter(organization=org)
    if cycle is not None:
        objectives = objectives.filter(cycle=cycle)
    key_results = KeyResult.objects.select_related("owner", "kpi").prefetch_related(
        Prefetch(
            "checkins", queryset=CheckIn.objects.select_related("author").order_by("at", "id")
        ),
        Prefetch("initiatives", queryset=Initiative.objects.select_related("owner").order_by("id")),
    )
    return objectives.select_related("team", "owner").prefetch_related(
        Prefetch("parent_links", queryset=Alignment.objects.select_related("parent")),
        Prefetch("key_results", queryset=key_results.order_by("position", "id")),
    )


def _objective(o: Objective, cycles: dict[int, str], tz: ZoneInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"ref": o.ref, "title": o.title}
    if o.description:
        entry["description"] = o.description
    entry["cycle"] = cycles[o.cycle_id]
    entry["team"] = o.team.name
    if o.owner:
        entry["owner"] = o.owner.email
    if o.level != Objective.Level.TEAM:
        entry["level"] = o.level
    entry["kind"] = o.kind
    if o.state != Objective.State.ACTIVE:
        entry["state"] = o.state
    if o.private:
        entry["private"] = True
    entry["progress_mode"] = o.progress_mode
    links = sorted(o.parent_links.all(), key=lambda a: a.parent.ref)
    if links:
        entry["aligns_to"] = [
            a.parent.ref if a.weight == 1 else Flow(ref=a.parent.ref, weight=a.weight)
            for a in links
        ]
    key_results = [_key_result(kr, tz) for kr in o.key_results.all()]
    if key_results:
        entry["key_results"] = key_results
    return entry


def _key_result(kr: KeyResult, tz: ZoneInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"ref": kr.ref, "title": kr.title}
    if kr.type != KeyResult.Type.METRIC:
        entry["type"] = kr.type
    _put(entry, "bound", kr.bound)
    _put(entry, "start", kr.start)
    _put(entry, "target", kr.target)
    _put(entry, "unit", kr.unit)
    if kr.weight != 1:
        entry["weight"] = kr.weight
    if kr.owner:
        entry["owner"] = kr.owner.email
    if kr.kpi:
        entry["kpi"] = kr.kpi.ref
        if kr.kpi_value and kr.kpi_value != KeyResult.KPIValue.LATEST:
            entry["kpi_value"] = kr.kpi_value
    _put(entry, "score", kr.score_override)
    _put(entry, "score_reason", kr.score_reason)
    initiatives = []
    for i in kr.initiatives.all():
        item = Flow(title=i.title)
        if i.status != Initiative.Status.PLANNED:
            item["status"] = i.status
        if i.owner:
            item["owner"] = i.owner.email
        _put(item, "url", i.url)
        initiatives.append(item)
    if initiatives:
        entry["initiatives"] = initiatives
    checkins = [_checkin(c, tz) for c in kr.checkins.all()]
    if checkins:
        entry["checkins"] = checkins
    return entry


def _checkin(c: CheckIn, tz: ZoneInfo) -> Flow:
    entry = Flow(at=_moment(c.at, tz))
    _put(entry, "value", c.value)
    _put(entry, "done", c.done)
    _put(entry, "confidence", c.confidence)
    _put(entry, "note", c.note)
    if c.author:
        entry["by"] = c.author.email
    if c.source != CheckIn.Source.IMPORT:
        entry["source"] = c.source
    return entry


def _kpi(k: KPI, tz: ZoneInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"ref": k.ref, "name": k.name}
    _put(entry, "description", k.description)
    entry["team"] = k.team.name
    if k.owner:
        entry["owner"] = k.owner.email
    _put(entry, "unit", k.unit)
    entry["cadence"] = k.cadence
    entry["aggregation"] = k.aggregation
    entry["direction"] = k.direction
    for field in ("target", "red", "low", "high", "tolerance"):
        _put(entry, field, getattr(k, field))
    if k.private:
        entry["private"] = True
    measurements = []
    defaults: set[str] = set()
    for m in k.measurements.all():
        item = Flow(at=_moment(m.at, tz), value=m.value)
        default = default_measurement_key(k.ref, m.at)
        key: str | None = m.idempotency_key
        if key is None or key in (default, derived_key(k, m.at)):
            if default in defaults:
                # Two measurements at one time: the second needs its own key to come back.
                n = 2
                while f"{default}:{n}" in defaults:
                    n += 1
                key = f"{default}:{n}"
            else:
                key = None
            defaults.add(key or default)
        if key is not None:
            item["key"] = key
        if m.source != Measurement.Source.IMPORT:
            item["source"] = m.source
        measurements.append(item)
    if measurements:
        entry["measurements"] = measurements
    return entry


def _put(entry: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` unless ``value`` is empty (None or "")."""
    if value is not None and value != "":
        entry[key] = value


def _moment(at: datetime, tz: ZoneInfo) -> date | datetime:
    """A date when ``at`` is exactly local midnight, else the local time with its offset."""
    local = at.astimezone(tz)
    if local.time() == time() and local.fold == 0:
        return local.date()
    return local


# Writing ------------------------------------------------------------------------------


def number_text(value: Decimal) -> str:
    """Plain digits, no exponent, no trailing zeros: 60000, 99.9, 0.0000000001."""
    with localcontext(prec=100):
        if value == 0:
            return "0"
        if value == value.to_integral_value():
            return str(value.quantize(Decimal(1)))
        return format(value.normalize(), "f")


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key ("  - "), as people write YAML by hand.
        super().increase_indent(flow, False)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = number_text(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    # Quoted text ('2026-10-02T15:45:00+02:00'): a plain timestamp cannot sit in a flow mapping.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.isoformat())


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: Flow) -> yaml.MappingNode:
    # A multi-line note reads better as a block: the mapping is then written one key a line.
    flow = not any(isinstance(v, str) and "\n" in v for v in value.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(datetime, _represent_datetime)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Flow, _represent_flow)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # never fold long text over several lines
    )


def dump_json(data: dict[str, Any]) -> str:
    return _json(data, "") + "\n"


def _json(value: Any, indent: str | None) -> str:
    """``value`` as JSON; ``indent`` None writes it on one line (inside a Flow mapping)."""
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, dict):
        if indent is None or isinstance(value, Flow):
            pairs = (f"{json.dumps(k)}: {_json(v, None)}" for k, v in value.items())
            return "{" + ", ".join(pairs) + "}"
        inner = indent + "  "
        items = [f"{inner}{json.dumps(k)}: {_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if indent is None:
            return "[" + ", ".join(_json(v, None) for v in value) + "]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _json(v, inner) for v in value) + "\n" + indent + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, date):  # datetime too
        return json.dumps(value.isoformat())
    return json.dumps(str(value), ensure_ascii=False)
