"""Writes that touch several OKR rows, shared by the web pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import slug_re
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from headway.audit.record import record_created
from headway.fields import decimal_problem
from headway.kpis.models import KPI
from headway.numbers import find_alignment_cycle
from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org import access
from headway.org.models import Membership, Team, User


class StaleVersion(Exception):
    """An edit based on an old version: `current` is the object as it is now."""

    def __init__(self, current: Any, expected: int) -> None:
        self.current = current
        self.expected = expected
        super().__init__(f"{current} is at version {current.version}, not {expected}")


M = TypeVar("M", bound=models.Model)


def lock_for_update(queryset: QuerySet[M], pk: int, expected_version: int | None) -> M:
    """The row, locked until the transaction ends, after checking the caller's version.

    Call inside transaction.atomic(). A stale version raises StaleVersion, so two people
    editing the same object never silently overwrite each other.
    """
    obj = queryset.select_for_update().get(pk=pk)
    version = getattr(obj, "version", None)
    if expected_version is not None and version != expected_version:
        raise StaleVersion(obj, expected_version)
    return obj


def bump(obj: models.Model, fields: dict[str, Any]) -> None:
    """Apply `fields`, validate, and save with the next version."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.version += 1  # type: ignore[attr-defined]
    obj.save()


@dataclass(frozen=True)
class CheckInEntry:
    """One line of a check-in form or API call: a reading of one KR."""

    key_result_id: int
    value: Decimal | None = None
    done: bool | None = None
    confidence: int | None = None
    note: str = ""


def _entry_errors(entry: CheckInEntry, kr: KeyResult) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kr.type == KeyResult.Type.MILESTONE:
        if entry.done is None:
            errors["done"] = "say whether the milestone is done"
        if entry.value is not None:
            errors["value"] = "a milestone takes done, not a value"
    elif kr.kpi_id is not None:
        if entry.value is not None:
            errors["value"] = "this key result follows its KPI; record a KPI measurement instead"
    elif entry.value is None:
        errors["value"] = "enter a number"
    elif problem := decimal_problem(entry.value):
        errors["value"] = problem
    if entry.confidence is not None and not 0 <= entry.confidence <= 10:
        errors["confidence"] = "confidence is a whole number from 0 to 10"
    return errors


def record_checkins(
    actor: access.Actor,
    entries: Sequence[CheckInEntry],
    *,
    source: str = CheckIn.Source.WEB,
    at: dt.datetime | None = None,
) -> list[CheckIn]:
    """Record several check-ins at once, all or none.

    Errors are keyed `<index>.<field>` (e.g. `2.value`) so a form or an API response can put
    each message beside the line it belongs to. A KR the actor may not see is reported as
    not found; one they may see but not check in on raises PermissionDenied.
    """
    at = at or timezone.now()
    ids = {entry.key_result_id for entry in entries}
    key_results = {
        kr.pk: kr
        for kr in KeyResult.objects.filter(
            organization=actor.organization, pk__in=ids
        ).select_related("objective")
    }
    errors: dict[str, list[str]] = {}
    denied = []
    for index, entry in enumerate(entries):
        kr = key_results.get(entry.key_result_id)
        if kr is None or not access.can_see_objective(
            actor,
            private=kr.objective.private,
            team_id=kr.objective.team_id,
            owner_id=kr.objective.owner_id,
        ):
            errors[f"{index}.key_result"] = [f"no key result with id {entry.key_result_id}"]
            continue
        for field, message in _entry_errors(entry, kr).items():
            errors[f"{index}.{field}"] = [message]
        objective = kr.objective
        if not access.can_check_in(
            actor,
            owner_id=kr.owner_id,
            objective_owner_id=objective.owner_id,
            team_id=objective.team_id,
        ):
            denied.append(kr.title)
    if errors:
        raise ValidationError(errors)
    if denied:
        raise PermissionDenied(f"you may not check in on: {', '.join(denied)}")
    rows = [
        CheckIn(
            organization=actor.organization,
            key_result_id=entry.key_result_id,
            value=entry.value,
            done=entry.done,
            confidence=entry.confidence,
            note=entry.note.strip(),
            author=actor.user,
            at=at,
            source=source,
        )
        for entry in entries
    ]
    with transaction.atomic():
        created = CheckIn.objects.bulk_create(rows)
        record_created(created)  # bulk_create sends no signals
        return created


# --- Planning: cycles, objectives, alignment, key results, initiatives ----------------------
# Keyword arguments only; field-keyed ValidationError; PermissionDenied; StaleVersion for an
# edit based on an old version. The caller has already turned objects the actor may not see
# into "not found".

OBJECTIVE_FIELDS = frozenset(
    {
        "title",
        "description",
        "level",
        "kind",
        "state",
        "private",
        "progress_mode",
        "team",
        "owner",
        "cycle",
        "position",
    }
)
KEY_RESULT_FIELDS = frozenset(
    {
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
        "score_override",
        "score_reason",
        "position",
    }
)
INITIATIVE_FIELDS = frozenset({"title", "status", "owner", "url"})
CYCLE_FIELDS = frozenset({"name", "start", "end", "parent"})

Parent = tuple[Objective, Decimal]


def _same_org(actor: access.Actor, **objects: models.Model | None) -> None:
    errors = {
        name: f"no such {name} in {actor.organization.name}"
        for name, obj in objects.items()
        if obj is not None and getattr(obj, "organization_id", None) != actor.organization.pk
    }
    if errors:
        raise ValidationError(errors)


def _owner_is_member(actor: access.Actor, owner: User | None) -> None:
    if (
        owner is not None
        and not Membership.objects.filter(organization=actor.organization, user=owner).exists()
    ):
        raise ValidationError({"owner": f"{owner.email} is not in {actor.organization.name}"})


def _check_ref(model: type[models.Model], actor: access.Actor, ref: str) -> None:
    if not slug_re.fullmatch(ref or ""):
        raise ValidationError({"ref": "use letters, digits, - and _ only (like grow-revenue)"})
    if len(ref) > 100:
        raise ValidationError({"ref": "at most 100 characters"})
    if model._default_manager.filter(organization=actor.organization, ref=ref).exists():
        raise ValidationError({"ref": f"{ref!r} is already used in {actor.organization.name}"})


def _may_plan(actor: access.Actor, objective: Objective) -> None:
    if access.can_plan(
        actor, level=objective.level, team_id=objective.team_id, owner_id=objective.owner_id
    ):
        return
    team = objective.team.name
    if not actor.can_write:
        raise PermissionDenied("your role reads only: you may not plan objectives")
    if objective.level == Objective.Level.PERSONAL:
        raise PermissionDenied(
            f"you may not plan this personal objective of {team}: its owner plans it "
            f"(when they are in {team}), or a lead of {team}"
        )
    raise PermissionDenied(
        f"you may not plan {objective.level} objectives of {team}: its leads and admins do"
    )


def _check_parents(actor: access.Actor, objective: Objective, parents: Sequence[Parent]) -> None:
    errors: dict[str, str] = {}
    for index, (parent, weight) in enumerate(parents):
        if parent.organization_id != actor.organization.pk:
            errors[f"parents.{index}.ref"] = "no such objective"
        elif parent.pk == objective.pk:
            errors[f"parents.{index}.ref"] = "an objective cannot align to itself"
        if problem := decimal_problem(weight):
            errors[f"parents.{index}.weight"] = problem
        elif weight < 0:
            errors[f"parents.{index}.weight"] = "weight is a zero or positive number"
    if len({p.pk for p, _ in parents}) != len(parents):
        errors["parents"] = "each parent once"
    if errors:
        raise ValidationError(errors)
    links = Alignment.objects.filter(organization=actor.organization)
    if objective.pk is not None:  # a new objective has no links yet
        links = links.exclude(child=objective)
    edges = list(links.values_list("child_id", "parent_id"))
    edges += [(objective.pk, parent.pk) for parent, _ in parents]
    loop = find_alignment_cycle(edges)
    if not loop:
        return
    # A loop through the objective is closed by the parent that follows it in the path.
    after = loop[loop.index(objective.pk) + 1] if objective.pk in loop else None
    closing = next((i for i, (p, _) in enumerate(parents) if p.pk == after), None)
    names = {
        o.pk: o.ref
        if access.can_see_objective(
            actor, private=o.private, team_id=o.team_id, owner_id=o.owner_id
        )
        else "a private objective"  # its ref would tell its title
        for o in Objective.objects.filter(pk__in=set(loop)).only(
            "ref", "private", "team_id", "owner_id"
        )
    }
    path = " -> ".join(names[i] for i in loop)
    # `index` says which parent closes the loop, for a form to show the message beside it.
    raise ValidationError(
        {
            "parents": ValidationError(
                "alignment would loop: %(path)s",
                code="alignment_loop",
                params={"path": path, "index": closing},
            )
        }
    )


def _set_parents(objective: Objective, parents: Sequence[Parent]) -> None:
    wanted = {parent.pk: weight for parent, weight in parents}
    for link in Alignment.objects.filter(child=objective):
        if link.parent_id not in wanted:
            link.delete()
        elif link.weight != wanted[link.parent_id]:
            link.weight = wanted.pop(link.parent_id)
            link.save()
        else:
            wanted.pop(link.parent_id)
    for parent_id, weight in wanted.items():
        Alignment.objects.create(
            organization_id=objective.organization_id,
            child=objective,
            parent_id=parent_id,
            weight=weight,
        )


def create_cycle(
    actor: access.Actor,
    *,
    name: str,
    start: dt.date,
    end: dt.date,
    parent: Cycle | None = None,
) -> Cycle:
    if not actor.is_admin:
        raise PermissionDenied("only organization admins create cycles")
    _same_org(actor, parent=parent)
    if Cycle.objects.filter(organization=actor.organization, name=name).exists():
        raise ValidationError({"name": f"there is already a cycle {name!r}"})
    cycle = Cycle(organization=actor.organization, name=name, start=start, end=end, parent=parent)
    cycle.full_clean(exclude=["organization"], validate_constraints=False)
    cycle.save()
    return cycle


def update_cycle(
    actor: access.Actor, cycle: Cycle, *, expected_version: int | None = None, **fields: Any
) -> Cycle:
    if not actor.is_admin:
        raise PermissionDenied("only organization admins edit cycles")
    _unknown(fields, CYCLE_FIELDS)
    _same_org(actor, parent=fields.get("parent"))
    with transaction.atomic():
        cycle = lock_for_update(Cycle.objects.all(), cycle.pk, expected_version)
        name = fields.get("name", cycle.name)
        if (
            name != cycle.name
            and Cycle.objects.filter(organization=actor.organization, name=name).exists()
        ):
            raise ValidationError({"name": f"there is already a cycle {name!r}"})
        parent = fields.get("parent")
        if parent is not None and parent.pk == cycle.pk:
            raise ValidationError({"parent": "a cycle cannot contain itself"})
        if parent is not None and cycle.pk in _cycle_ancestors(actor, parent):
            raise ValidationError(
                {"parent": f"{parent.name} is inside {cycle.name}: it cannot also contain it"}
            )
        bump(cycle, fields)
    return cycle


def _cycle_ancestors(actor: access.Actor, cycle: Cycle) -> set[int]:
    """The cycles that contain `cycle`, up to the top (an export walks this chain)."""
    parent_of = dict(
        Cycle.objects.filter(organization=actor.organization).values_list("id", "parent_id")
    )
    seen: set[int] = set()
    current = parent_of.get(cycle.pk)
    while current is not None and current not in seen:
        seen.add(current)
        current = parent_of.get(current)
    return seen


def delete_cycle(actor: access.Actor, cycle: Cycle, *, expected_version: int | None = None) -> None:
    if not actor.is_admin:
        raise PermissionDenied("only organization admins delete cycles")
    with transaction.atomic():
        cycle = lock_for_update(Cycle.objects.all(), cycle.pk, expected_version)
        if cycle.objectives.exists():
            raise ValidationError({"cycle": "the cycle still has objectives: move or delete them"})
        for child in cycle.children.all():  # one by one, so the history records it
            child.parent = None
            child.save(update_fields=["parent"])
        cycle.delete()


def _unknown(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: "this field cannot be changed here" for name in unknown})


def create_objective(
    actor: access.Actor,
    *,
    ref: str,
    cycle: Cycle,
    team: Team,
    title: str,
    owner: User | None = None,
    parents: Sequence[Parent] = (),
    **fields: Any,
) -> Objective:
    """A new objective (and its alignment links); `fields` are the other model fields."""
    _unknown(fields, OBJECTIVE_FIELDS)
    _same_org(actor, cycle=cycle, team=team)
    _owner_is_member(actor, owner)
    objective = Objective(
        organization=actor.organization,
        ref=ref,
        cycle=cycle,
        team=team,
        title=title,
        owner=owner,
        **fields,
    )
    check_objective(actor, objective, parents=parents, skip={"ref"})
    _check_ref(Objective, actor, ref)
    with transaction.atomic():
        objective.save()
        if parents:
            _set_parents(objective, parents)
    return objective


def check_objective(
    actor: access.Actor,
    objective: Objective,
    *,
    parents: Sequence[Parent] | None = None,
    skip: Collection[str] = (),
) -> None:
    """The rules an objective as it will be must follow, checked without writing anything.

    create_objective and update_objective apply them before they save; the objective form
    runs them as it is typed, so both show the same messages. `skip` names the fields not
    known yet (the form found them wrong): the rules about them wait. Field-keyed
    ValidationError, or PermissionDenied when the actor may not plan it.
    """
    known = not {"team", "level"} & set(skip)
    if known and objective.level == Objective.Level.COMPANY and objective.team.parent_id:
        raise ValidationError({"team": "a company objective belongs to the company team"})
    if known and "owner" not in skip:
        _may_plan(actor, objective)
    # Cycle, team and owner are rows already read (and checked to be the organization's):
    # asking the database again whether they exist would only slow the form's inline check.
    objective.full_clean(
        exclude=["organization", "cycle", "team", "owner", *skip],
        validate_unique=False,
        validate_constraints=False,
    )
    if parents:
        _check_parents(actor, objective, parents)


def update_objective(
    actor: access.Actor,
    objective: Objective,
    *,
    expected_version: int | None = None,
    parents: Sequence[Parent] | None = None,
    **fields: Any,
) -> Objective:
    """Change fields (and, when given, replace the alignment links)."""
    _unknown(fields, OBJECTIVE_FIELDS)
    _same_org(actor, cycle=fields.get("cycle"), team=fields.get("team"))
    if "owner" in fields:
        _owner_is_member(actor, fields["owner"])
    with transaction.atomic():
        objective = lock_for_update(Objective.objects.all(), objective.pk, expected_version)
        _may_plan(actor, objective)  # may they touch it as it is ...
        for name, value in fields.items():
            setattr(objective, name, value)
        check_objective(actor, objective, parents=parents)  # ... and as it will be?
        objective.version += 1  # bump() without its full_clean: check_objective ran it
        objective.save()
        if parents is not None:
            _set_parents(objective, parents)
    return objective


def delete_objective(
    actor: access.Actor, objective: Objective, *, expected_version: int | None = None
) -> None:
    with transaction.atomic():
        objective = lock_for_update(Objective.objects.all(), objective.pk, expected_version)
        _may_plan(actor, objective)
        objective.delete()


def duplicate_objective(
    actor: access.Actor, objective: Objective, *, cycle: Cycle, ref: str | None = None
) -> Objective:
    """A copy of `objective` (every field and KR, fresh refs, no check-ins) in `cycle`."""
    _same_org(actor, cycle=cycle)
    new_ref = ref or _free_ref(Objective, actor, f"{objective.ref}-{cycle.name}".lower())
    fields = {
        name: getattr(objective, name)
        for name in OBJECTIVE_FIELDS - {"cycle", "team", "owner", "title"}
    }
    with transaction.atomic():
        copy = create_objective(
            actor,
            ref=new_ref,
            cycle=cycle,
            team=objective.team,
            title=objective.title,
            owner=objective.owner,
            **fields,
        )
        for kr in objective.key_results.all():
            KeyResult.objects.create(
                organization=actor.organization,
                objective=copy,
                ref=_free_ref(KeyResult, actor, f"{kr.ref}-{cycle.name}".lower()),
                **{
                    name: getattr(kr, name)
                    for name in KEY_RESULT_FIELDS - {"score_override", "score_reason"}
                },
            )
    return copy


def _free_ref(model: type[models.Model], actor: access.Actor, base: str) -> str:
    base = re.sub(r"[^a-z0-9_-]+", "-", base)[:90].strip("-") or "copy"
    taken = set(
        model._default_manager.filter(
            organization=actor.organization, ref__startswith=base
        ).values_list("ref", flat=True)
    )
    ref, n = base, 1
    while ref in taken:
        n += 1
        ref = f"{base}-{n}"
    return ref


def _kr_permission(actor: access.Actor, objective: Objective) -> None:
    if not access.can_plan(
        actor, level=objective.level, team_id=objective.team_id, owner_id=objective.owner_id
    ):
        raise PermissionDenied("you may not plan the key results of this objective")


def _check_kpi(actor: access.Actor, kpi: KPI | None) -> None:
    if kpi is None:
        return
    if kpi.organization_id != actor.organization.pk or not access.can_see_kpi(
        actor, private=kpi.private, team_id=kpi.team_id, owner_id=kpi.owner_id
    ):
        raise ValidationError({"kpi": "no such KPI"})


def create_key_result(
    actor: access.Actor,
    *,
    objective: Objective,
    ref: str,
    title: str,
    **fields: Any,
) -> KeyResult:
    _unknown(fields, KEY_RESULT_FIELDS)
    _same_org(actor, objective=objective)
    _kr_permission(actor, objective)
    _owner_is_member(actor, fields.get("owner"))
    _check_kpi(actor, fields.get("kpi"))
    _check_ref(KeyResult, actor, ref)
    kr = KeyResult(
        organization=actor.organization, objective=objective, ref=ref, title=title, **fields
    )
    kr.full_clean(exclude=["organization"], validate_constraints=False)
    kr.save()
    return kr


def update_key_result(
    actor: access.Actor,
    kr: KeyResult,
    *,
    expected_version: int | None = None,
    **fields: Any,
) -> KeyResult:
    _unknown(fields, KEY_RESULT_FIELDS)
    if "owner" in fields:
        _owner_is_member(actor, fields["owner"])
    _check_kpi(actor, fields.get("kpi"))
    with transaction.atomic():
        kr = lock_for_update(KeyResult.objects.select_related("objective"), kr.pk, expected_version)
        _kr_permission(actor, kr.objective)
        bump(kr, fields)
    return kr


def move_key_result(
    actor: access.Actor,
    kr: KeyResult,
    objective: Objective,
    *,
    expected_version: int | None = None,
) -> KeyResult:
    """Move a KR (with its check-ins and initiatives) under another objective."""
    _same_org(actor, objective=objective)
    with transaction.atomic():
        kr = lock_for_update(KeyResult.objects.select_related("objective"), kr.pk, expected_version)
        _kr_permission(actor, kr.objective)
        _kr_permission(actor, objective)
        bump(kr, {"objective": objective})
    return kr


def delete_key_result(
    actor: access.Actor, kr: KeyResult, *, expected_version: int | None = None
) -> None:
    with transaction.atomic():
        kr = lock_for_update(KeyResult.objects.select_related("objective"), kr.pk, expected_version)
        _kr_permission(actor, kr.objective)
        kr.delete()


def _initiative_permission(actor: access.Actor, kr: KeyResult) -> None:
    objective = kr.objective
    if not (
        access.can_plan(
            actor, level=objective.level, team_id=objective.team_id, owner_id=objective.owner_id
        )
        or access.can_check_in(
            actor,
            owner_id=kr.owner_id,
            objective_owner_id=objective.owner_id,
            team_id=objective.team_id,
        )
    ):
        raise PermissionDenied("you may not plan initiatives for this key result")


def create_initiative(
    actor: access.Actor, *, key_result: KeyResult, title: str, **fields: Any
) -> Initiative:
    _unknown(fields, INITIATIVE_FIELDS)
    _same_org(actor, key_result=key_result)
    _initiative_permission(actor, key_result)
    _owner_is_member(actor, fields.get("owner"))
    initiative = Initiative(
        organization=actor.organization, key_result=key_result, title=title, **fields
    )
    initiative.full_clean(exclude=["organization"], validate_constraints=False)
    initiative.save()
    return initiative


def update_initiative(
    actor: access.Actor,
    initiative: Initiative,
    *,
    expected_version: int | None = None,
    **fields: Any,
) -> Initiative:
    _unknown(fields, INITIATIVE_FIELDS)
    if "owner" in fields:
        _owner_is_member(actor, fields["owner"])
    with transaction.atomic():
        initiative = lock_for_update(
            Initiative.objects.select_related("key_result__objective"),
            initiative.pk,
            expected_version,
        )
        _initiative_permission(actor, initiative.key_result)
        bump(initiative, fields)
    return initiative


def delete_initiative(
    actor: access.Actor, initiative: Initiative, *, expected_version: int | None = None
) -> None:
    with transaction.atomic():
        initiative = lock_for_update(
            Initiative.objects.select_related("key_result__objective"),
            initiative.pk,
            expected_version,
        )
        _initiative_permission(actor, initiative.key_result)
        initiative.delete()
