"""Forms of the first run: sign up, organization, teams, invitations."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password

from headway.org.models import Role, Team, User

TIME_ZONES = sorted(zoneinfo.available_timezones())


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
