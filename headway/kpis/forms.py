"""KPI and measurement forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from headway.kpis.models import EDITABLE_FIELDS, KPI
from headway.okrs.forms import members_of
from headway.org import access
from headway.org.models import Team

NUMBER = {"inputmode": "decimal"}


class KPIForm(forms.ModelForm[KPI]):
    """The KPI's definition; the model's clean() (headway.numbers.validate_kpi) puts each
    threshold error next to its field."""

    class Meta:
        model = KPI
        fields = EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            **{
                name: forms.TextInput(attrs=NUMBER)
                for name in ("target", "red", "low", "high", "tolerance")
            },
        }
        help_texts = {
            "target": "green from here (higher/lower is better)",
            "red": "red beyond this; between target and red is yellow",
            "low": "in range: lowest green value",
            "high": "in range: highest green value",
            "tolerance": "in range: yellow up to this far outside",
        }

    def __init__(self, actor: access.Actor, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organization=actor.organization)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = members_of(actor)  # type: ignore[attr-defined]

    def kpi_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MeasurementForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    value = forms.DecimalField(widget=forms.TextInput(attrs=NUMBER))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if day > self.today:
            raise forms.ValidationError("a measurement cannot be in the future")
        return day


class CorrectionForm(forms.Form):
    value = forms.DecimalField(widget=forms.TextInput(attrs=NUMBER))

    def clean_value(self) -> Decimal:
        value: Decimal = self.cleaned_data["value"]
        return value
