from __future__ import annotations

from typing import Any

from django import forms

from headway.feeds import outbound
from headway.feeds.models import Source

KEEP_HELP = "Stored encrypted. Leave empty to keep the stored value."


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8, header row) or XLSX")
    kpi = forms.ChoiceField(required=False, label="KPI of every row")
    kpi_column = forms.CharField(required=False, label="…or the column of KPI refs")
    time_column = forms.CharField(initial="time")
    value_column = forms.CharField(initial="value")
    key_column = forms.CharField(required=False, help_text="optional idempotency keys")
    sheet = forms.CharField(required=False, help_text="XLSX: default the first sheet")

    def __init__(self, *args: Any, kpis: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [("", "—"), *kpis]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("kpi") and not data.get("kpi_column"):
            raise forms.ValidationError("choose a KPI or name the column of KPI refs")
        return data


class SourceForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(required=False, max_length=1000, assume_scheme="https", label="URL")

    class Meta:
        model = Source
        fields = (
            "name",
            "kind",
            "database_url",
            "query",
            "url",
            "headers",
            "items_path",
            "time_field",
            "value_field",
            "schedule",
            "interval_minutes",
            "time_of_day",
            "day_of_month",
            "collect_after_days",
            "backfill_from",
            "enabled",
        )
        widgets = {
            "database_url": forms.PasswordInput(render_value=False),
            "headers": forms.Textarea(attrs={"rows": 2}),
            "query": forms.Textarea(attrs={"rows": 4}),
            "time_of_day": forms.TimeInput(attrs={"type": "time"}),
            "backfill_from": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"database_url": "Database URL", "url": "URL"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = {name: getattr(self.instance, name) for name in ("database_url", "headers")}
        for name in ("database_url", "headers"):
            self.fields[name].help_text = KEEP_HELP if self.instance.pk else "Stored encrypted."
            self.initial[name] = ""
        self.fields["database_url"].help_text += (
            " postgres://user:pass@host/db, mysql://user:pass@host/db or sqlite:///file.db"
            " (a file in the server's directory of SQLite sources)"
        )
        self.fields["headers"].help_text += " One 'Name: value' per line."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in self.stored.items():
            if not data.get(name) and value:
                data[name] = value  # empty means "keep"
        kind = data.get("kind")
        if kind == Source.Kind.SQL:
            if not data.get("database_url"):
                self.add_error("database_url", "an SQL source needs a database URL")
            if not (data.get("query") or "").strip():
                self.add_error("query", "an SQL source needs a query returning time, value")
        if kind == Source.Kind.HTTP and not data.get("url"):
            self.add_error("url", "an HTTP source needs a URL")
        # Where the server may connect (outbound.py): said now, checked again at each sync.
        try:
            if kind == Source.Kind.SQL and data.get("database_url"):
                outbound.check_database_url(data["database_url"])
        except outbound.OutboundError as e:
            self.add_error("database_url", str(e))
        try:
            if kind == Source.Kind.HTTP and data.get("url"):
                outbound.check_url(data["url"])
        except outbound.OutboundError as e:
            self.add_error("url", str(e))
        day = data.get("day_of_month")
        if day is not None and not 1 <= day <= 28:
            self.add_error("day_of_month", "choose a day from 1 to 28")
        interval = data.get("interval_minutes")
        if (
            data.get("schedule") == Source.Schedule.INTERVAL
            and interval is not None
            and interval < 1
        ):
            self.add_error("interval_minutes", "run it every 1 minute or more")
        # The sync reads headers the same way (pull._headers); say it now, not at the first run.
        # The line is named by its number: headers hold secrets.
        for number, line in enumerate((data.get("headers") or "").splitlines(), 1):
            if line.strip() and ":" not in line:
                self.add_error(
                    "headers", f"header line {number} has no ':': write one 'Name: value' per line"
                )
        return data


class BackfillForm(forms.Form):
    since = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise forms.ValidationError("the end of the range is before its start")
        return data
