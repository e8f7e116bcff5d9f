"""Writing a checked OKR file: create or update each object, counting what changed.

Only called by headway.okrfiles.load, inside its transaction, after resolve() found no
problem. Nothing is deleted except the alignment links and team memberships of objectives and
people the file lists (they are set to exactly what the file says); check-ins are only added.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from headway.audit.record import record_batch, record_created
from headway.kpis.driven import update_driven_key_results
from headway.kpis.measurements import derived_key
from headway.kpis.models import KPI, Measurement
from headway.okrfiles.document import (
    CycleDoc,
    Document,
    KeyResultDoc,
    ObjectiveDoc,
    ParentLink,
    Ref,
    TeamDoc,
)
from headway.okrfiles.resolve import Plan
from headway.okrfiles.summary import Counts, ImportSummary
from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org.models import Membership, Organization, Team, TeamMembership, User

M = TypeVar("M", bound=models.Model)


def write(doc: Document, plan: Plan, summary: ImportSummary) -> None:
    _Writer(doc, plan, summary).apply()


def _changes(obj: models.Model, values: Mapping[str, Any]) -> list[str]:
    return [key for key, value in values.items() if getattr(obj, key) != value]


class _Writer:
    org: Organization

    def __init__(self, doc: Document, plan: Plan, summary: ImportSummary) -> None:
        self.doc = doc
        self.plan = plan
        self.summary = summary
        self.teams: dict[str, Team] = dict(plan.teams)
        self.users: dict[str, User] = dict(plan.users)
        self.cycles: dict[str, Cycle] = dict(plan.cycles)
        self.kpi_ids: dict[str, int] = dict(plan.kpi_ids)
        self.objective_ids: dict[str, int] = dict(plan.objective_ids)
        self.objectives: dict[ObjectiveDoc, Objective] = {}
        self.now = timezone.now()
        self.driving_changed: set[int] = set()  # KPIs with new measurements or new KR links

    def apply(self) -> None:
        self.org = self.organization()
        self.team_tree()
        self.people()
        self.cycle_tree()
        self.kpis()
        self.objective_list()
        self.key_results()
        self.driven_key_results()

    def _count(self, kind: str) -> Counts:
        return self.summary.counts[kind]

    def _upsert(self, kind: str, stored: M | None, model: type[M], values: dict[str, Any]) -> M:
        """Create, or update only what differs (a new version), counting which it was."""
        if stored is None:
            self._count(kind).created += 1
            return model._default_manager.create(organization=self.org, **values)
        changed = _changes(stored, values)
        if not changed:
            self._count(kind).unchanged += 1
            return stored
        for key in changed:
            setattr(stored, key, values[key])
        if hasattr(stored, "version"):
            stored.version += 1
        stored.save()
        self._count(kind).updated += 1
        return stored

    def _team(self, ref: Ref | None) -> int | None:
        return None if ref is None else self.teams[ref.value.lower()].id

    def _user(self, ref: Ref | None) -> int | None:
        return None if ref is None else self.users[ref.value.lower()].id

    # Organization, teams, people, cycles ------------------------------------------------

    def organization(self) -> Organization:
        values: dict[str, Any] = {}
        settings = self.doc.settings
        if settings is not None:
            for key in (
                "time_zone",
                "on_track_max",
                "at_risk_max",
                "band_yellow_from",
                "band_green_from",
                "deteriorating_count",
            ):
                if getattr(settings, key) is not None:
                    values[key] = getattr(settings, key)
        org = self.plan.org
        if org is None:
            self._count("organization").created += 1
            return Organization.objects.create(name=self.doc.organization, **values)
        changed = _changes(org, values)
        for key in changed:
            setattr(org, key, values[key])
        if changed:
            org.save()
        self._count("organization").updated += bool(changed)
        self._count("organization").unchanged += not changed
        return org

    def team_tree(self) -> None:
        parent_of = self.plan.team_parent
        stored = self.plan.teams
        root = next((t for t in stored.values() if t.parent_id is None), None)
        new_root: Team | None = None
        for doc_team in _parents_first(self.doc.teams, _team_key, parent_of):
            key = _team_key(doc_team)
            if key in stored:
                continue
            parent_key = parent_of[key]
            # A new company team hangs under the old one until that one has its new parent.
            parent = self.teams[parent_key] if parent_key else root
            team = Team.objects.create(organization=self.org, name=doc_team.name, parent=parent)
            self._count("teams").created += 1
            self.teams[key] = team
            if parent_key is None:
                if root is None:
                    root = team
                else:
                    new_root = team
        existing = [t for t in self.doc.teams if _team_key(t) in stored]
        # Teams that get a parent first, so that there is never a second team without one.
        existing.sort(key=lambda t: parent_of[_team_key(t)] is None)
        for doc_team in existing:
            parent_key = parent_of[_team_key(doc_team)]
            values = {
                "name": doc_team.name,
                "parent_id": self.teams[parent_key].id if parent_key else None,
            }
            self._upsert("teams", stored[_team_key(doc_team)], Team, values)
        if new_root is not None:
            new_root.parent = None
            new_root.save()

    def people(self) -> None:
        for person in self.doc.people:
            user = self.users.get(person.email)
            created = changed = False
            if user is None:
                user = User.objects.create_user(person.email, None, name=person.name or "")
                created = True
            elif person.name and not user.name:
                user.name = person.name
                user.save(update_fields=["name"])
                changed = True
            self.users[person.email] = user
            if not person.former:
                membership = self.plan.members.get(person.email)
                if membership is None:
                    membership = Membership.objects.create(
                        organization=self.org, user=user, role=person.role
                    )
                    created = True
                elif membership.role != person.role:
                    membership.role = person.role
                    membership.save(update_fields=["role"])
                    changed = True
                wanted = {self.teams[t.value.lower()].id for t in person.teams}
                changed |= self._set_teams(membership, wanted)
            count = self._count("people")
            if created:
                count.created += 1
            elif changed:
                count.updated += 1
            else:
                count.unchanged += 1

    def _set_teams(self, membership: Membership, wanted: set[int]) -> bool:
        current = {t.id for t in membership.teams.all()} if membership.pk else set()
        extra = current - wanted
        if extra:
            TeamMembership.objects.filter(membership=membership, team_id__in=extra).delete()
        added = TeamMembership.objects.bulk_create(
            TeamMembership(organization=self.org, membership=membership, team_id=team_id)
            for team_id in sorted(wanted - current)
        )
        record_created(added)  # bulk_create sends no signals
        return current != wanted

    def cycle_tree(self) -> None:
        parent_of = {c.name: (c.parent.value if c.parent else None) for c in self.doc.cycles}
        for doc_cycle in _parents_first(self.doc.cycles, _cycle_key, parent_of):
            parent = self.cycles[doc_cycle.parent.value] if doc_cycle.parent else None
            values = {
                "name": doc_cycle.name,
                "start": doc_cycle.start,
                "end": doc_cycle.end,
                "parent_id": parent.id if parent else None,
            }
            stored = self.cycles.get(doc_cycle.name)
            self.cycles[doc_cycle.name] = self._upsert("cycles", stored, Cycle, values)

    # KPIs and measurements ---------------------------------------------------------------

    def kpis(self) -> None:
        plan = self.plan
        for doc_kpi in self.doc.kpis:
            assert doc_kpi.ref is not None
            values = {
                "ref": doc_kpi.ref,
                "name": doc_kpi.name,
                "description": doc_kpi.description,
                "team_id": self._team(doc_kpi.team),
                "owner_id": self._user(doc_kpi.owner),
                "unit": doc_kpi.unit,
                "cadence": doc_kpi.cadence,
                "aggregation": doc_kpi.aggregation,
                "direction": doc_kpi.direction,
                "target": doc_kpi.target,
                "red": doc_kpi.red,
                "low": doc_kpi.low,
                "high": doc_kpi.high,
                "tolerance": doc_kpi.tolerance,
                "private": doc_kpi.private,
            }
            kpi = self._upsert("kpis", plan.kpis[doc_kpi], KPI, values)
            self.kpi_ids[kpi.ref] = kpi.id
            new = []
            count = self._count("measurements")
            for m in doc_kpi.measurements:
                assert m.at is not None
                assert m.value is not None
                at = plan.aware(m.at)
                stored = plan.measurements.get(m)
                if stored is not None and stored.at == at and stored.value == m.value:
                    count.unchanged += 1
                    continue
                if stored is not None:
                    # A correction, as everywhere else: a new row supersedes the stored one,
                    # which stays as history (and hands its key over).
                    Measurement.objects.filter(pk=stored.pk).update(
                        superseded_at=self.now, idempotency_key=None
                    )
                    count.updated += 1
                else:
                    count.created += 1
                new.append(
                    Measurement(
                        organization=self.org,
                        kpi=kpi,
                        at=at,
                        value=m.value,
                        source=m.source,
                        idempotency_key=m.key or derived_key(kpi, at),
                        supersedes=stored,
                    )
                )
            Measurement.objects.bulk_create(new)
            if new:
                self.driving_changed.add(kpi.id)
                # One history event per KPI, as for any batch of measurements.
                record_batch(
                    organization_id=self.org.id,
                    object_type="measurement",
                    scope=("kpi", kpi.id),
                    label=f"{len(new)} measurement(s) of {kpi.ref}",  # as record_measurements
                    changes={"measurements": [None, len(new)]},
                )

    # Objectives, alignment, key results --------------------------------------------------

    def objective_list(self) -> None:
        positions: Counter[str] = Counter()
        for doc_objective in self.doc.objectives:
            assert doc_objective.ref is not None
            assert doc_objective.cycle is not None
            cycle_name = doc_objective.cycle.value
            values = {
                "ref": doc_objective.ref,
                "title": doc_objective.title,
                "description": doc_objective.description,
                "cycle_id": self.cycles[cycle_name].id,
                "team_id": self._team(doc_objective.team),
                "owner_id": self._user(doc_objective.owner),
                "level": doc_objective.level,
                "kind": doc_objective.kind,
                "state": doc_objective.state,
                "private": doc_objective.private,
                "progress_mode": doc_objective.progress_mode,
                "position": positions[cycle_name],
            }
            positions[cycle_name] += 1
            stored = self.plan.objectives[doc_objective]
            objective = self._upsert("objectives", stored, Objective, values)
            self.objective_ids[objective.ref] = objective.id
            self.objectives[doc_objective] = objective
        for doc_objective in self.doc.objectives:
            self._alignments(self.objectives[doc_objective], doc_objective.aligns_to)

    def _alignments(self, child: Objective, links: list[ParentLink]) -> None:
        wanted = {self.objective_ids[link.ref.value]: link.weight for link in links}
        stored = {a.parent_id: a for a in self.plan.alignments.get(child.id, [])}
        count = self._count("alignments")
        for parent_id, link in stored.items():
            if parent_id not in wanted:
                link.delete()
                count.deleted += 1
        for parent_id, weight in wanted.items():
            if parent_id in stored:
                self._upsert("alignments", stored[parent_id], Alignment, {"weight": weight})
            else:
                Alignment.objects.create(
                    organization=self.org, child=child, parent_id=parent_id, weight=weight
                )
                count.created += 1

    def key_results(self) -> None:
        for doc_objective in self.doc.objectives:
            objective = self.objectives[doc_objective]
            for position, doc_kr in enumerate(doc_objective.key_results):
                self._key_result(objective, position, doc_kr)

    def _key_result(self, objective: Objective, position: int, doc_kr: KeyResultDoc) -> None:
        assert doc_kr.ref is not None
        values = {
            "objective_id": objective.id,
            "ref": doc_kr.ref,
            "title": doc_kr.title,
            "type": doc_kr.type,
            "start": doc_kr.start,
            "target": doc_kr.target,
            "bound": doc_kr.bound,
            "unit": doc_kr.unit,
            "weight": doc_kr.weight,
            "owner_id": self._user(doc_kr.owner),
            "kpi_id": self.kpi_ids[doc_kr.kpi.value] if doc_kr.kpi else None,
            "kpi_value": doc_kr.kpi_value or "",
            "score_override": doc_kr.score,
            "score_reason": doc_kr.score_reason,
            "position": position,
        }
        stored = self.plan.key_results[doc_kr]
        kpi_id = values["kpi_id"]
        if isinstance(kpi_id, int) and (
            stored is None
            or (stored.kpi_id, stored.kpi_value) != (values["kpi_id"], values["kpi_value"])
        ):
            self.driving_changed.add(kpi_id)
        kr = self._upsert("key_results", stored, KeyResult, values)
        initiatives = list(self.plan.initiatives.get(kr.id, [])) if stored else []
        for doc_initiative in doc_kr.initiatives:
            match = next((i for i in initiatives if i.title == doc_initiative.title), None)
            if match is not None:
                initiatives.remove(match)
            values = {
                "title": doc_initiative.title,
                "status": doc_initiative.status,
                "owner_id": self._user(doc_initiative.owner),
                "url": doc_initiative.url,
            }
            if match is None:
                values["key_result_id"] = kr.id
            self._upsert("initiatives", match, Initiative, values)
        self._checkins(kr, doc_kr, self.plan.checkins.get(kr.id, []) if stored else [])

    def _checkins(self, kr: KeyResult, doc_kr: KeyResultDoc, stored: list[CheckIn]) -> None:
        """Add the check-ins the database does not have yet (as many as the file lists)."""
        have = Counter(
            _checkin_identity(c.at, c.value, c.done, c.confidence, c.note, c.author_id)
            for c in stored
        )
        new = []
        for c in doc_kr.checkins:
            assert c.at is not None
            at = self.plan.aware(c.at)
            author_id = self._user(c.by)
            identity = _checkin_identity(at, c.value, c.done, c.confidence, c.note, author_id)
            if have[identity] > 0:
                have[identity] -= 1
                continue
            new.append(
                CheckIn(
                    organization=self.org,
                    key_result=kr,
                    at=at,
                    value=c.value,
                    done=c.done,
                    confidence=c.confidence,
                    note=c.note,
                    author_id=author_id,
                    source=c.source,
                )
            )
        record_created(CheckIn.objects.bulk_create(new))  # bulk_create sends no signals
        count = self._count("checkins")
        count.created += len(new)
        count.unchanged += len(doc_kr.checkins) - len(new)

    def driven_key_results(self) -> None:
        """KRs following a KPI that this file measured, or that it linked them to, get the
        `kpi` check-in a measurement arriving any other way gives them (none when the value
        did not move, so importing an export changes nothing)."""
        count = self._count("checkins")
        kpis = KPI.objects.filter(organization=self.org, pk__in=self.driving_changed)
        for kpi in kpis.order_by("pk"):
            count.created += update_driven_key_results(kpi, now=self.now)


def _checkin_identity(
    at: datetime,
    value: Decimal | None,
    done: bool | None,
    confidence: int | None,
    note: str,
    author_id: int | None,
) -> tuple[Any, ...]:
    return (at.astimezone(UTC), value, done, confidence, note, author_id)


D = TypeVar("D", TeamDoc, CycleDoc)


def _team_key(team: TeamDoc) -> str:
    return team.name.lower()


def _cycle_key(cycle: CycleDoc) -> str:
    return cycle.name


def _parents_first(
    items: list[D], key: Callable[[D], str], parent_of: Mapping[str, str | None]
) -> list[D]:
    """``items`` ordered so that a parent given in the file comes before its children."""
    by_key = {key(item): item for item in items}
    ordered: list[D] = []
    done: set[str] = set()

    def visit(item: D) -> None:
        k = key(item)
        if k in done:
            return
        done.add(k)
        parent = parent_of.get(k)
        if parent is not None and parent in by_key:
            visit(by_key[parent])
        ordered.append(item)

    for item in items:
        visit(item)
    return ordered
