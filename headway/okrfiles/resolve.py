"""An OKR file checked against the database, without writing anything.

Works out which stored object each entry of the file is (by ref, else by title or name),
gives every entry its final ref, checks every reference to another object, and checks the
rules that span the file and the database: one company team, no loops of teams or cycles,
no alignment cycles, measurement keys used once. The result is a Plan for write.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal
from itertools import pairwise
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from headway.kpis.measurements import derived_key
from headway.kpis.models import KPI, Measurement
from headway.numbers import Rules, find_alignment_cycle
from headway.okrfiles.document import (
    Document,
    Item,
    KeyResultDoc,
    KPIDoc,
    MeasurementDoc,
    Moment,
    ObjectiveDoc,
    Ref,
)
from headway.okrfiles.errors import Loc, Problems
from headway.okrfiles.fields import REF_MAX_LENGTH, suggest
from headway.okrfiles.parse import check_rules
from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org.models import Membership, Organization, Team, User

T = TypeVar("T")
M = TypeVar("M")


@dataclass
class Plan:
    org: Organization | None
    tz: ZoneInfo
    rules: Rules
    teams: dict[str, Team] = field(default_factory=dict)  # lower name -> stored
    team_parent: dict[str, str | None] = field(default_factory=dict)  # lower names, final
    members: dict[str, Membership] = field(default_factory=dict)  # email -> stored
    users: dict[str, User] = field(default_factory=dict)  # email -> stored user
    cycles: dict[str, Cycle] = field(default_factory=dict)  # name -> stored
    kpis: dict[KPIDoc, KPI | None] = field(default_factory=dict)
    kpi_ids: dict[str, int] = field(default_factory=dict)  # stored ref -> id
    measurements: dict[MeasurementDoc, Measurement | None] = field(default_factory=dict)
    measurement_keys: dict[MeasurementDoc, str] = field(default_factory=dict)
    objectives: dict[ObjectiveDoc, Objective | None] = field(default_factory=dict)
    objective_ids: dict[str, int] = field(default_factory=dict)  # stored ref -> id
    alignments: dict[int, list[Alignment]] = field(default_factory=dict)  # by child id
    key_results: dict[KeyResultDoc, KeyResult | None] = field(default_factory=dict)
    initiatives: dict[int, list[Initiative]] = field(default_factory=dict)  # by KR id
    checkins: dict[int, list[CheckIn]] = field(default_factory=dict)  # by KR id

    def aware(self, moment: Moment) -> datetime:
        """A date is midnight in the organization's time zone."""
        if isinstance(moment, datetime):
            return moment
        return datetime.combine(moment, time(), tzinfo=self.tz)


def default_measurement_key(kpi_ref: str, at: datetime) -> str:
    """Who a measurement without a key is within a file (its KPI and time), and the key
    imports stored before they stored derived keys. In the database, such a measurement
    is keyed by ``derived_key``, like a point of an upload or a webhook."""
    return f"import:{kpi_ref}:{at.astimezone(UTC).isoformat()}"


def new_ref(text: str, base: str, taken: set[str]) -> str:
    """A slug of ``text`` (or ``base``), unique among ``taken``, which it joins."""
    slug = slugify(text)[: REF_MAX_LENGTH - 10].strip("-_") or base
    ref, n = slug, 2
    while ref in taken:
        ref, n = f"{slug}-{n}", n + 1
    taken.add(ref)
    return ref


def resolve(doc: Document, problems: Problems) -> Plan:
    org = Organization.objects.select_for_update().filter(name=doc.organization).first()
    time_zone = (doc.settings and doc.settings.time_zone) or (org.time_zone if org else "UTC")
    current = Rules() if org is None else _rules(org)
    rules = current
    if doc.settings is not None:
        s = doc.settings
        rules = Rules(
            on_track_max=_pick(s.on_track_max, current.on_track_max),
            at_risk_max=_pick(s.at_risk_max, current.at_risk_max),
            band_yellow_from=_pick(s.band_yellow_from, current.band_yellow_from),
            band_green_from=_pick(s.band_green_from, current.band_green_from),
            deteriorating_count=_pick(s.deteriorating_count, current.deteriorating_count),
        )
        check_rules(s, rules, problems)
    plan = Plan(org, ZoneInfo(time_zone), rules)
    checker = _Checker(doc, plan, problems)
    checker.teams()
    checker.people()
    checker.cycles()
    checker.kpis()
    checker.objectives()
    checker.key_results()
    checker.alignment()
    return plan


def _pick(value: T | None, current: T) -> T:
    return current if value is None else value


def _rules(org: Organization) -> Rules:
    return Rules(
        on_track_max=org.on_track_max,
        at_risk_max=org.at_risk_max,
        band_yellow_from=org.band_yellow_from,
        band_green_from=org.band_green_from,
        deteriorating_count=org.deteriorating_count,
    )


class _Checker:
    def __init__(self, doc: Document, plan: Plan, problems: Problems) -> None:
        self.doc = doc
        self.plan = plan
        self.problems = problems
        self.org = plan.org
        self.known_people: set[str] = set()
        self.known_cycles: set[str] = set()

    def _unknown(self, kind: str, ref: Ref, known: Iterable[str], hint: str = "") -> None:
        self.problems.add(
            ref.loc, f"unknown {kind} '{ref.value}'{hint}{suggest(ref.value, list(known))}"
        )

    # Teams -------------------------------------------------------------------------------

    def teams(self) -> None:
        plan, problems = self.plan, self.problems
        stored = list(Team.objects.filter(organization=self.org)) if self.org else []
        plan.teams = {t.name.lower(): t for t in stored}
        by_id = {t.id: t for t in stored}
        parent: dict[str, str | None] = {
            t.name.lower(): (by_id[t.parent_id].name.lower() if t.parent_id else None)
            for t in stored
        }
        names = {t.name.lower(): t.name for t in stored}
        for team in self.doc.teams:
            names.setdefault(team.name.lower(), team.name)
        for team in self.doc.teams:
            key = team.name.lower()
            if team.parent is None:
                parent[key] = None
            elif team.parent.value.lower() == key:
                problems.add(team.parent.loc, "a team cannot be its own parent")
            elif team.parent.value.lower() not in names:
                self._unknown("team", team.parent, names.values())
            else:
                parent[key] = team.parent.value.lower()
        plan.team_parent = parent
        roots = sorted(names[name] for name, p in parent.items() if p is None)
        if len(roots) > 1:
            for team in self.doc.teams:
                if parent.get(team.name.lower(), "") is None:
                    others = ", ".join(f"'{r}'" for r in roots if r != team.name)
                    problems.add(
                        team.loc,
                        f"only one team may have no parent (the company), and {others} has "
                        "none; give this team a parent",
                    )
        for team in self.doc.teams:
            seen = {team.name.lower()}
            step = parent.get(team.name.lower())
            while step is not None:
                if step in seen:
                    problems.add(team.where("parent"), "the team's parents form a loop")
                    break
                seen.add(step)
                step = parent.get(step)

    def team_ref(self, ref: Ref | None) -> None:
        if ref is None:
            return
        if ref.value.lower() not in self.plan.team_parent:
            self._unknown(
                "team",
                ref,
                [t.name for t in self.doc.teams] + [t.name for t in self.plan.teams.values()],
            )

    # People ------------------------------------------------------------------------------

    def people(self) -> None:
        plan = self.plan
        if self.org is not None:
            members = Membership.objects.filter(organization=self.org).select_related("user")
            plan.members = {m.user.email: m for m in members.prefetch_related("teams")}
        plan.users = {email: m.user for email, m in plan.members.items()}
        emails = [p.email for p in self.doc.people if p.email not in plan.users]
        plan.users.update((u.email, u) for u in User.objects.filter(email__in=emails))
        self.known_people = set(plan.members) | {p.email for p in self.doc.people}
        for person in self.doc.people:
            for team in person.teams:
                self.team_ref(team)

    def person_ref(self, ref: Ref | None) -> None:
        if ref is None:
            return
        if ref.value.lower() not in self.known_people:
            self._unknown("person", ref, sorted(self.known_people), " (list them under people)")

    # Cycles ------------------------------------------------------------------------------

    def cycles(self) -> None:
        plan = self.plan
        stored = list(Cycle.objects.filter(organization=self.org)) if self.org else []
        plan.cycles = {c.name: c for c in stored}
        self.known_cycles = set(plan.cycles) | {c.name for c in self.doc.cycles}
        by_id = {c.id: c.name for c in stored}
        parent = {c.name: by_id.get(c.parent_id) if c.parent_id else None for c in stored}
        for cycle in self.doc.cycles:
            parent[cycle.name] = None
        for cycle in self.doc.cycles:
            if cycle.parent is None:
                continue
            if cycle.parent.value == cycle.name:
                self.problems.add(cycle.parent.loc, "a cycle cannot be its own parent")
            elif cycle.parent.value not in parent:
                self._unknown("cycle", cycle.parent, parent)
            else:
                parent[cycle.name] = cycle.parent.value
        for cycle in self.doc.cycles:
            seen = {cycle.name}
            step = parent.get(cycle.name)
            while step is not None:
                if step in seen:
                    self.problems.add(cycle.where("parent"), "the cycle's parents form a loop")
                    break
                seen.add(step)
                step = parent.get(step)

    def cycle_ref(self, ref: Ref | None) -> None:
        if ref is not None and ref.value not in self.known_cycles:
            self._unknown("cycle", ref, sorted(self.known_cycles))

    # KPIs and measurements ---------------------------------------------------------------

    def kpis(self) -> None:
        plan = self.plan
        stored = list(KPI.objects.filter(organization=self.org)) if self.org else []
        by_ref = {k.ref: k for k in stored}
        plan.kpi_ids = {k.ref: k.id for k in stored}
        by_name: dict[str, list[KPI]] = defaultdict(list)
        for k in stored:
            by_name[k.name].append(k)
        self._same_title_needs_ref(
            [(k, k.name, k.ref) for k in self.doc.kpis], "another KPI has the same name"
        )
        taken = set(by_ref) | {k.ref for k in self.doc.kpis if k.ref}
        claimed: dict[int, Item] = {}
        for kpi in self.doc.kpis:
            match = (
                by_ref.get(kpi.ref)
                if kpi.ref
                else self._by_title(kpi, by_name.get(kpi.name, []), "KPIs", "named")
            )
            if match is not None:
                self._claim(claimed, match.id, kpi, "KPI")
            plan.kpis[kpi] = match
            if kpi.ref is None:
                kpi.ref = match.ref if match else new_ref(kpi.name, "kpi", taken)
            self.team_ref(kpi.team)
            self.person_ref(kpi.owner)
        self._measurements()

    def _measurements(self) -> None:
        plan, problems = self.plan, self.problems
        keys: dict[str, MeasurementDoc] = {}
        for kpi in self.doc.kpis:
            assert kpi.ref is not None
            for m in kpi.measurements:
                if m.at is None or m.value is None:
                    continue
                key = m.key or default_measurement_key(kpi.ref, plan.aware(m.at))
                if key in keys:
                    first = keys[key].loc.path
                    problems.add(
                        m.where("key") if m.key else m.loc,
                        f"measurement key '{key}' is already used at {first}"
                        if m.key
                        else f"another measurement of this KPI has the same time ({first}); "
                        "give each of them a key",
                    )
                    continue
                keys[key] = m
                plan.measurement_keys[m] = key
        if self.org is None:
            return
        # An entry without a key is stored under the key every other way in gives the same
        # KPI and time (derived_key), so that a file and an upload meet as one measurement.
        derived: dict[MeasurementDoc, list[str]] = {}
        for kpi in self.doc.kpis:
            match = plan.kpis[kpi]
            if match is None:
                continue
            for m in kpi.measurements:
                if m.key is None and m in plan.measurement_keys:
                    assert m.at is not None
                    # The key imports gave before derived keys; kept for what they stored.
                    derived[m] = [derived_key(match, plan.aware(m.at)), plan.measurement_keys[m]]
        wanted = [*keys, *(key for found in derived.values() for key in found)]
        keyed = {
            m.idempotency_key: m
            for m in Measurement.objects.filter(
                organization=self.org, idempotency_key__in=wanted
            ).select_related("kpi")
        }
        kpi_ids = [k.id for k in plan.kpis.values() if k is not None]
        same: dict[tuple[int, datetime, Decimal], list[Measurement]] = defaultdict(list)
        for stored in Measurement.objects.filter(kpi_id__in=kpi_ids, superseded_at=None).order_by(
            "at", "id"
        ):
            same[(stored.kpi_id, stored.at, stored.value)].append(stored)
        used: set[int] = set()
        entries = [
            (k, m) for k in self.doc.kpis for m in k.measurements if m in plan.measurement_keys
        ]
        # 1. Explicit keys; 2. the same time and value (a stored measurement without a key, or
        # any one for an entry without a key); 3. the default key of an entry without a key.
        for kpi, m in entries:
            if m.key is not None:
                self._keyed(kpi, m, keyed.get(m.key), used)
        for kpi, m in entries:
            match = plan.kpis[kpi]
            if match is None or plan.measurements.get(m) is not None:
                continue
            assert m.at is not None
            assert m.value is not None
            for stored in same.get((match.id, plan.aware(m.at), m.value), []):
                if stored.id not in used and (m.key is None or stored.idempotency_key is None):
                    used.add(stored.id)
                    plan.measurements[m] = stored
                    break
        for kpi, m in entries:
            if m.key is None and plan.measurements.get(m) is None:
                found = [keyed[key] for key in derived.get(m, []) if key in keyed]
                self._keyed(kpi, m, found[0] if found else None, used)

    def _keyed(
        self, kpi: KPIDoc, m: MeasurementDoc, found: Measurement | None, used: set[int]
    ) -> None:
        if found is None or found.id in used:
            return
        match = self.plan.kpis[kpi]
        if match is None or found.kpi_id != match.id:
            self.problems.add(
                m.where("key"),
                f"measurement key '{found.idempotency_key}' is already used by KPI "
                f"'{found.kpi.ref}'",
            )
            return
        used.add(found.id)
        self.plan.measurements[m] = found

    # Objectives --------------------------------------------------------------------------

    def objectives(self) -> None:
        plan = self.plan
        stored = list(Objective.objects.filter(organization=self.org)) if self.org else []
        by_ref = {s.ref: s for s in stored}
        plan.objective_ids = {s.ref: s.id for s in stored}
        by_title: dict[tuple[int, str], list[Objective]] = defaultdict(list)
        for s in stored:
            by_title[(s.cycle_id, s.title)].append(s)
        by_cycle: dict[str, list[tuple[Item, str, str | None]]] = defaultdict(list)
        for o in self.doc.objectives:
            if o.cycle is not None:
                by_cycle[o.cycle.value].append((o, o.title, o.ref))
        for cycle_name, items in by_cycle.items():
            self._same_title_needs_ref(
                items, f"another objective in cycle {cycle_name} has the same title"
            )
        taken = set(by_ref) | {o.ref for o in self.doc.objectives if o.ref}
        claimed: dict[int, Item] = {}
        for objective in self.doc.objectives:
            match = by_ref.get(objective.ref) if objective.ref else None
            cycle = plan.cycles.get(objective.cycle.value) if objective.cycle else None
            if objective.ref is None and cycle is not None:
                match = self._by_title(
                    objective,
                    by_title.get((cycle.id, objective.title), []),
                    "objectives",
                    f"titled (in cycle {cycle.name})",
                )
            if match is not None:
                self._claim(claimed, match.id, objective, "objective")
            plan.objectives[objective] = match
            if objective.ref is None:
                objective.ref = match.ref if match else new_ref(objective.title, "objective", taken)
            self.cycle_ref(objective.cycle)
            self.team_ref(objective.team)
            self.person_ref(objective.owner)
        known = set(by_ref) | {o.ref for o in self.doc.objectives if o.ref}
        for objective in self.doc.objectives:
            for link in objective.aligns_to:
                if link.ref.value not in known:
                    self._unknown("objective", link.ref, sorted(known))
        if self.org is not None:
            for a in Alignment.objects.filter(organization=self.org).order_by("id"):
                plan.alignments.setdefault(a.child_id, []).append(a)

    def alignment(self) -> None:
        """No alignment cycles across the stored links and the file's."""
        plan = self.plan
        refs = {oid: ref for ref, oid in plan.objective_ids.items()}
        in_file = {m.id for m in plan.objectives.values() if m is not None}
        edges: list[tuple[str, str]] = []
        origin: dict[tuple[str, str], Loc] = {}
        for child_id, links in plan.alignments.items():
            if child_id not in in_file:
                edges.extend((refs[a.child_id], refs[a.parent_id]) for a in links)
        for objective in self.doc.objectives:
            assert objective.ref is not None
            for link in objective.aligns_to:
                edge = (objective.ref, link.ref.value)
                edges.append(edge)
                origin.setdefault(edge, link.ref.loc)
        path = find_alignment_cycle(edges)
        if path is None:
            return
        # Start the loop at the first link that the file adds, and point at that link.
        nodes = [str(node) for node in path[:-1]]
        start = next(
            (i for i, edge in enumerate(pairwise([*nodes, nodes[0]])) if edge in origin), 0
        )
        nodes = nodes[start:] + nodes[:start]
        loc = origin.get((nodes[0], nodes[1 % len(nodes)]), self.doc.org_loc)
        self.problems.add(loc, "alignment cycle: " + " -> ".join([*nodes, nodes[0]]))

    # Key results -------------------------------------------------------------------------

    def key_results(self) -> None:
        plan = self.plan
        stored = list(KeyResult.objects.filter(organization=self.org)) if self.org else []
        by_ref = {s.ref: s for s in stored}
        by_title: dict[tuple[int, str], list[KeyResult]] = defaultdict(list)
        for s in stored:
            by_title[(s.objective_id, s.title)].append(s)
        taken = set(by_ref) | {
            kr.ref for o in self.doc.objectives for kr in o.key_results if kr.ref
        }
        kpi_refs = set(plan.kpi_ids) | {k.ref for k in self.doc.kpis if k.ref}
        claimed: dict[int, Item] = {}
        for objective in self.doc.objectives:
            self._same_title_needs_ref(
                [(kr, kr.title, kr.ref) for kr in objective.key_results],
                "another key result of this objective has the same title",
            )
            parent = plan.objectives.get(objective)
            for kr in objective.key_results:
                match = by_ref.get(kr.ref) if kr.ref else None
                if kr.ref is None and parent is not None:
                    match = self._by_title(
                        kr, by_title.get((parent.id, kr.title), []), "key results", "titled"
                    )
                if match is not None:
                    self._claim(claimed, match.id, kr, "key result")
                plan.key_results[kr] = match
                if kr.ref is None:
                    kr.ref = match.ref if match else new_ref(kr.title, "kr", taken)
                self.person_ref(kr.owner)
                if kr.kpi is not None and kr.kpi.value not in kpi_refs:
                    self._unknown("KPI", kr.kpi, sorted(kpi_refs))
                for initiative in kr.initiatives:
                    self.person_ref(initiative.owner)
                for checkin in kr.checkins:
                    self.person_ref(checkin.by)
        ids = [kr.id for kr in plan.key_results.values() if kr is not None]
        for stored_checkin in CheckIn.objects.filter(key_result_id__in=ids).order_by("at", "id"):
            plan.checkins.setdefault(stored_checkin.key_result_id, []).append(stored_checkin)
        for stored_initiative in Initiative.objects.filter(key_result_id__in=ids).order_by("id"):
            plan.initiatives.setdefault(stored_initiative.key_result_id, []).append(
                stored_initiative
            )

    # Matching helpers --------------------------------------------------------------------

    def _by_title(self, item: Item, candidates: list[M], plural: str, how: str) -> M | None:
        if len(candidates) > 1:
            self.problems.add(
                item.loc,
                f"{len(candidates)} stored {plural} are {how} like this one; "
                "give it the ref of the one it is",
            )
            return None
        return candidates[0] if candidates else None

    def _claim(self, claimed: dict[int, Item], stored_id: int, item: Item, kind: str) -> None:
        first = claimed.setdefault(stored_id, item)
        if first is not item:
            self.problems.add(item.loc, f"this is the same stored {kind} as {first.loc.path}")

    def _same_title_needs_ref(self, items: list[tuple[Item, str, str | None]], what: str) -> None:
        """Two entries with one title (in one scope) can only be told apart by refs."""
        seen: dict[str, tuple[Item, str | None]] = {}
        for item, title, ref in items:
            if title not in seen:
                seen[title] = (item, ref)
                continue
            first, first_ref = seen[title]
            if ref is None or first_ref is None:
                self.problems.add(
                    item.loc, f"{what} as {first.loc.path}; give both a ref to tell them apart"
                )
