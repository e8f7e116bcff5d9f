"""Objective, key result and cycle forms: typed fields, errors next to each field."""

from __future__ import annotations

from copy import copy
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils.text import slugify

from headway.kpis.models import KPI
from headway.numbers import KRSpec, validate_kr
from headway.okrs import actions
from headway.okrs.models import Cycle, Initiative, KeyResult, Objective
from headway.org import access
from headway.org.models import Team, User

PARENT_ROWS_EXTRA = 2
WEIGHT_PROBLEM = "weight is a zero or positive number"  # the actions' words
OBJECTIVE_FORM_FIELDS = (
    "title",
    "description",
    "cycle",
    "team",
    "owner",
    "level",
    "kind",
    "state",
    "progress_mode",
    "private",
)


def members_of(actor: access.Actor) -> Any:
    return User.objects.filter(memberships__organization=actor.organization).order_by(
        "name", "email"
    )


def free_ref(model: type[Model], actor: access.Actor, text: str) -> str:
    """A ref made from ``text`` that is not used yet in the organization."""
    base = slugify(text)[:80].strip("-") or "item"
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


def put_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Field-keyed errors from an action go next to their field (others on top)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages in error.message_dict.items():
        name = key if key in form.fields else None
        for message in messages:
            form.add_error(
                name, message if name else f"{key}: {message}" if key != "__all__" else message
            )


def posted_version(data: Any) -> int | None:
    """The version a form was made from (its hidden field), for the stale-edit check."""
    text = str(data.get("version") or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


class CycleForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="like 2026-Q4")
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="inclusive")
    parent = forms.ModelChoiceField(
        queryset=Cycle.objects.none(),
        required=False,
        label="Part of",
        help_text="optional: a year may contain its quarters",
    )

    def __init__(
        self, *args: Any, organization: Any = None, cycle: Cycle | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.cycle = cycle
        if organization is None:
            del self.fields["parent"]
            return
        cycles = Cycle.objects.filter(organization=organization).order_by("-start", "name")
        if cycle is not None:  # not itself, nor a cycle inside it
            parent_of = dict(cycles.values_list("id", "parent_id"))
            cycles = cycles.exclude(pk__in=access.subtree_ids(parent_of, [cycle.pk]))
        self.fields["parent"].queryset = cycles  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if self.organization is not None:
            taken = Cycle.objects.filter(organization=self.organization, name=name)
            if self.cycle is not None:
                taken = taken.exclude(pk=self.cycle.pk)
            if taken.exists():
                raise forms.ValidationError(f"there is already a cycle {name!r}")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", f"the end must be after the start ({data['start']:%Y-%m-%d})")
        return data


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    cycle = forms.ModelChoiceField(
        queryset=Cycle.objects.none(),
        to_field_name="name",
        error_messages={"invalid_choice": "choose one of the organization's cycles"},
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        error_messages={"invalid_choice": "choose one of the organization's teams"},
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": "that person is not in this organization"},
    )
    level = forms.ChoiceField(choices=Objective.Level.choices, initial=Objective.Level.TEAM)
    kind = forms.ChoiceField(
        choices=Objective.Kind.choices,
        initial=Objective.Kind.ASPIRATIONAL,
        help_text="committed: met only at 100%",
    )
    state = forms.ChoiceField(choices=Objective.State.choices, initial=Objective.State.ACTIVE)
    progress_mode = forms.ChoiceField(
        choices=Objective.ProgressMode.choices, initial=Objective.ProgressMode.KEY_RESULTS
    )
    private = forms.BooleanField(
        required=False, help_text="visible only to its owner, its team and admins"
    )

    def __init__(
        self, actor: access.Actor, *args: Any, objective: Objective | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        org = actor.organization
        self.actor = actor
        self.objective = objective
        self.fields["cycle"].queryset = Cycle.objects.filter(organization=org)  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.filter(organization=org)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = members_of(actor)  # type: ignore[attr-defined]
        candidates = (
            Objective.objects.filter(organization=org)
            .filter(access.visible_objectives(actor))
            .select_related("cycle")
            .order_by("-cycle__start", "position", "id")
        )
        if objective is not None:
            candidates = candidates.exclude(pk=objective.pk)
        choices = [("", "— none —")] + [
            (o.ref, f"{o.title} ({o.cycle.name}, {o.level})") for o in candidates
        ]
        existing = 0
        if objective is not None and not self.is_bound:
            links = list(objective.parent_links.select_related("parent").order_by("id"))
            existing = len(links)
            for i, link in enumerate(links):
                self.initial[f"parent_{i}"] = link.parent.ref
                self.initial[f"weight_{i}"] = link.weight.normalize()
        rows = existing + PARENT_ROWS_EXTRA
        if self.is_bound:
            rows = max(rows, sum(1 for k in self.data if k.startswith("parent_")))
        self.parent_rows = []
        for i in range(rows):
            self.fields[f"parent_{i}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"Aligns to (parent {i + 1})",
                # The same words for a private objective as for one that does not exist.
                error_messages={"invalid_choice": "no objective %(value)s to align to"},
            )
            self.fields[f"weight_{i}"] = forms.DecimalField(
                required=False,
                min_value=Decimal(0),
                initial=1,
                label="Weight",
                widget=forms.NumberInput(attrs={"step": "any", "class": "narrow"}),
                error_messages={"invalid": WEIGHT_PROBLEM, "min_value": WEIGHT_PROBLEM},
            )
            self.parent_rows.append((self[f"parent_{i}"], self[f"weight_{i}"]))
        self._candidates = {o.ref: o for o in candidates}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parents: list[tuple[Objective, Decimal]] = []
        self.parent_row_of: list[int] = []  # the form row of each parent, in order
        seen: set[str] = set()
        for i in range(len(self.parent_rows)):
            ref = data.get(f"parent_{i}")
            if not ref:
                continue
            if ref in seen:
                self.add_error(f"parent_{i}", "this parent is listed twice")
                continue
            seen.add(ref)
            weight = data.get(f"weight_{i}")
            parents.append((self._candidates[ref], Decimal(1) if weight is None else weight))
            self.parent_row_of.append(i)
        data["parents"] = parents
        return data

    def check(self) -> None:
        """Run the objective actions' own rules on what the form could read, saving nothing.

        Called after is_valid() by the inline check, and by a submit the form refused (so
        it shows the rest too): a team the actor may not plan for, a company objective
        outside the company team, a parent that would close a loop, each beside its field,
        in the words the save would use. Fields with an error of their own are left out
        (the rules about them wait).
        """
        data = self.cleaned_data
        skip = {"ref", *(name for name in OBJECTIVE_FORM_FIELDS if name not in data)}
        objective = copy(self.objective) or Objective(organization=self.actor.organization)
        for name in OBJECTIVE_FORM_FIELDS:
            if name in data:
                setattr(objective, name, data[name])
        parent_errors = any(k.startswith(("parent_", "weight_")) for k in self.errors)
        try:
            actions.check_objective(
                self.actor,
                objective,
                parents=None if parent_errors else data["parents"],
                skip=skip,
            )
        except (ValidationError, PermissionDenied) as e:
            self.add_action_error(e)

    def add_action_error(self, error: ValidationError | PermissionDenied) -> None:
        """An objective action's error beside its field: not being allowed to plan goes by
        the team, a parent's problem by its row (the action counts only the listed ones)."""
        if isinstance(error, PermissionDenied):
            self.add_error("team", str(error) or "you may not plan this objective")
            return
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        rest: dict[str, list[ValidationError]] = {}
        for key, errors in error.error_dict.items():
            for e in errors:
                name = self._parent_field(key, e)
                if name is None:
                    rest.setdefault(key, []).append(e)
                else:
                    self.add_error(name, e)
        if rest:
            put_errors(self, ValidationError(rest))

    def _parent_field(self, key: str, error: ValidationError) -> str | None:
        parts = key.split(".")  # parents.<index>.ref|weight, or parents with an index param
        if parts[0] != "parents":
            return None
        index: Any = parts[1] if len(parts) == 3 else (error.params or {}).get("index")
        rows = getattr(self, "parent_row_of", [])
        if not str(index).isdigit() or int(index) >= len(rows):
            return None
        prefix = "weight" if parts[-1] == "weight" else "parent"
        return f"{prefix}_{rows[int(index)]}"

    def objective_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in OBJECTIVE_FORM_FIELDS}


class KeyResultForm(forms.Form):
    title = forms.CharField(max_length=300)
    type = forms.ChoiceField(
        choices=KeyResult.Type.choices,
        initial=KeyResult.Type.METRIC,
        help_text="metric: from start to target; milestone: done or not; threshold: hold a bound",
    )
    start = forms.DecimalField(
        required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    target = forms.DecimalField(
        required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    bound = forms.ChoiceField(
        choices=[("", "—"), *KeyResult.Bound.choices],
        required=False,
        help_text="for a threshold key result",
    )
    unit = forms.CharField(max_length=50, required=False, help_text="like $, %, users")
    weight = forms.DecimalField(
        initial=1,
        min_value=Decimal(0),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="0: shown but not counted",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, help_text="empty: the objective's owner"
    )
    kpi = forms.ModelChoiceField(
        queryset=KPI.objects.none(), required=False, label="Driven by KPI", to_field_name="ref"
    )
    kpi_value = forms.ChoiceField(
        choices=[("", "—"), *KeyResult.KPIValue.choices], required=False, label="KPI value"
    )

    def __init__(self, actor: access.Actor, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = actor.organization
        self.fields["owner"].queryset = members_of(actor)  # type: ignore[attr-defined]
        self.fields["kpi"].queryset = KPI.objects.filter(organization=org).filter(  # type: ignore[attr-defined]
            access.visible_kpis(actor)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(name in self.errors for name in ("start", "target", "weight")):
            return data
        spec = KRSpec(
            type=data.get("type") or "metric",
            start=data.get("start"),
            target=data.get("target"),
            bound=data.get("bound") or None,
            weight=data["weight"] if data.get("weight") is not None else Decimal(1),
            kpi_value=(data.get("kpi_value") or "latest") if data.get("kpi") else None,
        )
        for name, message in validate_kr(spec):
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data

    def kr_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            name: data.get(name)
            for name in (
                "title",
                "type",
                "start",
                "target",
                "bound",
                "unit",
                "owner",
                "kpi",
                "kpi_value",
            )
        }
        fields["bound"] = fields["bound"] or ""
        fields["unit"] = fields["unit"] or ""
        fields["kpi_value"] = fields["kpi_value"] or ""
        fields["weight"] = data["weight"] if data.get("weight") is not None else Decimal(1)
        if fields["type"] == KeyResult.Type.MILESTONE:
            fields["start"] = fields["target"] = None
        return fields


class InitiativeForm(forms.Form):
    title = forms.CharField(max_length=300)
    status = forms.ChoiceField(choices=Initiative.Status.choices, initial=Initiative.Status.PLANNED)
    url = forms.URLField(required=False, assume_scheme="https")
