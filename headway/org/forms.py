"""Forms of the first run: sign up, organization, teams, invitations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password

from headway.org.models import Role, Team, User, time_zone_names

TIME_ZONES = sorted(time_zone_names())


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Organization name")
    time_zone = forms.ChoiceField(
        choices=[(z, z) for z in TIME_ZONES],
        initial="UTC",
        help_text="days and weeks are counted in this time zone",
    )


class SignupForm(OrganizationForm):
    your_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ("your_name", "email", "password", "name", "time_zone")

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("this email already has an account: sign in instead")
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            try:
                validate_password(
                    password, User(email=data.get("email", ""), name=data.get("your_name", ""))
                )
            except forms.ValidationError as e:
                self.add_error("password", e)
        return data


class TeamForm(forms.Form):
    name = forms.CharField(max_length=200, label="Team name")
    parent = forms.ModelChoiceField(queryset=Team.objects.none(), label="Part of")

    def __init__(self, teams: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = teams  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    email = forms.EmailField()
    name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, teams: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]


class AcceptForm(forms.Form):
    name = forms.CharField(max_length=150, required=False, label="Your name")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label="Choose a password",
    )


# --- Admin pages: a person's role and teams, a team, the organization's settings ----------


class MembershipForm(forms.Form):
    role = forms.ChoiceField(
        choices=Role.choices,
        help_text="admins change everything; team leads lead their teams and every team "
        "below; members plan their own objectives; viewers only read",
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, teams: Any, *args: Any, last_admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]
        self.last_admin = last_admin

    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        if self.last_admin and role != Role.ADMIN:
            raise forms.ValidationError(
                "the only admin cannot step down: make someone else an admin first"
            )
        return role


class TeamEditForm(forms.Form):
    name = forms.CharField(max_length=200, label="Team name")
    parent = forms.ModelChoiceField(queryset=Team.objects.none(), label="Part of")

    def __init__(self, places: Any, *args: Any, company: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if company:
            del self.fields["parent"]  # the company team is the root of the tree
        else:
            self.fields["parent"].queryset = places  # type: ignore[attr-defined]


class TeamMemberForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none(), label="Add a person")

    def __init__(self, people: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


def _fraction(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_value=1, decimal_places=4, help_text=help_text
    )


class SettingsForm(forms.Form):
    name = forms.CharField(max_length=200, label="Organization name")
    time_zone = forms.ChoiceField(
        choices=[(z, z) for z in TIME_ZONES],
        help_text="days, weeks and periods are counted in this zone; changing it moves "
        "check-ins and measurements made near midnight to the neighbouring day",
    )
    on_track_max = _fraction(
        "On track while behind by at most",
        "behind = expected progress - progress; 0.10 is 10 percentage points",
    )
    at_risk_max = _fraction(
        "At risk while behind by at most", "further behind than this is off track"
    )
    band_yellow_from = _fraction("Score yellow from", "end-of-cycle scores below this are red")
    band_green_from = _fraction("Score green from", "0.7 is the classic OKR sweet spot")
    deteriorating_count = forms.IntegerField(
        label="KPI deteriorating after",
        min_value=1,
        max_value=100,
        help_text="this many worse periods in a row flag a KPI as deteriorating",
    )

    def clean(self) -> dict[str, Any]:
        from headway.numbers import Rules, validate_rules

        data = super().clean() or {}
        # Each pair on its own, so one bad number does not hide the other pair's problem.
        for pair in (("on_track_max", "at_risk_max"), ("band_yellow_from", "band_green_from")):
            if all(data.get(name) is not None for name in pair):
                for field, message in validate_rules(Rules(**{n: data[n] for n in pair})):
                    if field in pair:
                        self.add_error(field, message)
        return data
