"""Writes of organizations, teams, people and memberships (web pages, API, CLI).

This file belongs to the web helper. The block below was added by the API helper (issue 4)
because the API needed it first; extend or reshape freely, keeping the signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from headway.okrs.actions import bump, lock_for_update
from headway.org import access
from headway.org.models import Membership, Organization, Role, Team, TeamMembership, User

# --- API helper: teams, people, memberships, organization settings ------------------------

ORGANIZATION_FIELDS = frozenset(
    {
        "name",
        "time_zone",
        "on_track_max",
        "at_risk_max",
        "band_yellow_from",
        "band_green_from",
        "deteriorating_count",
    }
)


def _admin_only(actor: access.Actor, what: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"only organization admins {what}")


def update_organization(actor: access.Actor, **fields: Any) -> Organization:
    """Change the organization's name, time zone or rules (admins only)."""
    _admin_only(actor, "change the organization's settings")
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise ValidationError({name: "this field cannot be changed" for name in unknown})
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
        if not fields["name"]:
            raise ValidationError({"name": "give the organization a name"})
        taken = Organization.objects.filter(name__iexact=fields["name"])
        if taken.exclude(pk=actor.organization.pk).exists():
            raise ValidationError({"name": f"the name {fields['name']!r} is taken; choose another"})
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=actor.organization.pk)
        for name, value in fields.items():
            setattr(organization, name, value)
        organization.full_clean()
        _check_rules(organization)
        organization.save()
    return organization


def _check_rules(organization: Organization) -> None:
    """The rules must make sense together (semantics.md: the at-risk limit at or above the
    on-track one, the green band at or above the yellow one)."""
    from headway.numbers import Rules, validate_rules

    rules = Rules(
        on_track_max=organization.on_track_max,
        at_risk_max=organization.at_risk_max,
        band_yellow_from=organization.band_yellow_from,
        band_green_from=organization.band_green_from,
        deteriorating_count=organization.deteriorating_count,
    )
    errors: dict[str, list[str]] = {}
    for field, message in validate_rules(rules):
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)


def _check_team_name(organization: Organization, name: str, exclude: int | None) -> None:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "give the team a name"})
    clash = Team.objects.filter(organization=organization, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": f"there is already a team {name!r}"})


def create_team(actor: access.Actor, *, name: str, parent: Team) -> Team:
    """A new team under `parent` (admins, or leads of the parent team)."""
    if parent.organization_id != actor.organization.pk:
        raise ValidationError({"parent": "no such team"})
    if not actor.can_write or not actor.leads(parent.pk):
        raise PermissionDenied("only admins and leads of the parent team add teams")
    _check_team_name(actor.organization, name, None)
    return Team.objects.create(organization=actor.organization, name=name.strip(), parent=parent)


def update_team(
    actor: access.Actor,
    team: Team,
    *,
    expected_version: int | None = None,
    name: str | None = None,
    parent: Team | None = None,
) -> Team:
    with transaction.atomic():
        team = lock_for_update(Team.objects.all(), team.pk, expected_version)
        if not actor.can_write or not actor.leads(team.pk):
            raise PermissionDenied("only admins and leads of the team rename or move it")
        fields: dict[str, Any] = {}
        if name is not None:
            _check_team_name(actor.organization, name, team.pk)
            fields["name"] = name.strip()
        if parent is not None:
            if team.is_company:
                raise ValidationError({"parent": "the company team has no parent"})
            if parent.organization_id != actor.organization.pk:
                raise ValidationError({"parent": "no such team"})
            parent_of: dict[int, int | None] = dict(
                Team.objects.filter(organization=actor.organization).values_list("id", "parent_id")
            )
            if parent.pk in access.subtree_ids(parent_of, [team.pk]):
                raise ValidationError({"parent": "a team cannot sit below itself"})
            if not actor.leads(parent.pk):
                raise PermissionDenied("you may only move a team below a team you lead")
            fields["parent"] = parent
        bump(team, fields)
    return team


def delete_team(actor: access.Actor, team: Team, *, expected_version: int | None = None) -> None:
    _admin_only(actor, "delete teams")
    with transaction.atomic():
        team = lock_for_update(Team.objects.all(), team.pk, expected_version)
        if team.is_company:
            raise ValidationError({"team": "the company team cannot be deleted"})
        if team.children.exists() or team.objectives.exists() or team.kpis.exists():
            raise ValidationError(
                {"team": "the team still has teams, objectives or KPIs: move them first"}
            )
        team.delete()


def _set_teams(membership: Membership, teams: Sequence[Team]) -> None:
    wanted = {team.pk for team in teams}
    if any(team.organization_id != membership.organization_id for team in teams):
        raise ValidationError({"teams": "no such team"})
    current = set(
        TeamMembership.objects.filter(membership=membership).values_list("team_id", flat=True)
    )
    for link in TeamMembership.objects.filter(membership=membership, team_id__in=current - wanted):
        link.delete()
    for team_id in wanted - current:
        TeamMembership.objects.create(
            organization_id=membership.organization_id, membership=membership, team_id=team_id
        )


def invite_person(
    actor: access.Actor,
    *,
    email: str,
    name: str = "",
    role: str = Role.MEMBER,
    teams: Sequence[Team] = (),
) -> Membership:
    """Add a person (creating their account, without a password, when new) to the org."""
    _admin_only(actor, "add people")
    if role not in Role.values:
        raise ValidationError({"role": f"use one of {', '.join(Role.values)}"})
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "enter a valid email address"}) from None
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, name=name.strip())
            user.set_unusable_password()
            user.full_clean()
            user.save()
        if Membership.objects.filter(organization=actor.organization, user=user).exists():
            raise ValidationError({"email": f"{email} is already in {actor.organization.name}"})
        membership = Membership.objects.create(
            organization=actor.organization, user=user, role=role
        )
        _set_teams(membership, teams)
    return membership


def update_membership(
    actor: access.Actor,
    membership: Membership,
    *,
    role: str | None = None,
    teams: Sequence[Team] | None = None,
) -> Membership:
    _admin_only(actor, "change roles and teams")
    if role is not None and role not in Role.values:
        raise ValidationError({"role": f"use one of {', '.join(Role.values)}"})
    with transaction.atomic():
        _lock_people(membership.organization_id)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if role is not None and role != membership.role:
            if membership.role == Role.ADMIN and role != Role.ADMIN:
                _keep_an_admin(membership)
            membership.role = role
            membership.save()
        if teams is not None:
            _set_teams(membership, teams)
    return membership


def _lock_people(organization_id: int) -> None:
    """Serialize role changes and removals in one organization: two admins demoting each
    other at the same moment must not leave it without an admin."""
    Organization.objects.select_for_update().filter(pk=organization_id).first()


def is_last_admin(membership: Membership) -> bool:
    """Is this the organization's only admin? (It keeps at least one.)"""
    if membership.role != Role.ADMIN:
        return False
    admins = Membership.objects.filter(organization_id=membership.organization_id, role=Role.ADMIN)
    return not admins.exclude(pk=membership.pk).exists()


def _keep_an_admin(membership: Membership) -> None:
    if is_last_admin(membership):
        raise ValidationError(
            {
                "role": f"{membership.user.email} is the only admin of "
                f"{membership.organization.name}, and an organization keeps at least one "
                "admin: make someone else an admin first"
            }
        )


def remove_membership(actor: access.Actor, membership: Membership) -> None:
    _admin_only(actor, "remove people")
    with transaction.atomic():
        _lock_people(membership.organization_id)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Role.ADMIN:
            _keep_an_admin(membership)
        membership.delete()


# --- Web helper: first run (a new organization) and invitations by email ------------------

INVITATION_DAYS = 14


def create_organization(user: User, *, name: str, time_zone: str = "UTC") -> Organization:
    """A new organization with its company team; its creator becomes its admin."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "give the organization a name"})
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"the name {name!r} is taken; choose another"})
    with transaction.atomic():
        organization = Organization(name=name, time_zone=time_zone)
        organization.full_clean()
        organization.save()
        company = Team.objects.create(organization=organization, name=name)
        membership = Membership.objects.create(
            organization=organization, user=user, role=Role.ADMIN
        )
        TeamMembership.objects.create(
            organization=organization, membership=membership, team=company
        )
    return organization


def invitation_token(user: User) -> tuple[str, str]:
    """(uidb64, token) for the invitation link; the token dies once a password is set."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def send_invitation(actor: access.Actor, membership: Membership, *, base_url: str) -> None:
    """Email the invitation link that lets the person set their password and sign in."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    user = membership.user
    uid, token = invitation_token(user)
    link = base_url.rstrip("/") + reverse("org:accept", args=[uid, token])
    context = {
        "link": link,
        "organization": actor.organization,
        "inviter": actor.user,
        "user": user,
        "has_password": user.has_usable_password(),
    }
    send_mail(
        f"You are invited to {actor.organization.name} on Headway",
        render_to_string("org/invitation_email.txt", context),
        None,
        [user.email],
    )


def invite_by_email(
    actor: access.Actor,
    *,
    email: str,
    base_url: str,
    name: str = "",
    role: str = Role.MEMBER,
    teams: Sequence[Team] = (),
) -> Membership:
    """Add the person (see invite_person) and send them the invitation email."""
    from django.core.validators import validate_email

    try:
        validate_email(email.strip())
    except ValidationError:
        raise ValidationError({"email": "enter an email address like ana@example.com"}) from None
    with transaction.atomic():
        membership = invite_person(actor, email=email, name=name, role=role, teams=teams)
    send_invitation(actor, membership, base_url=base_url)
    return membership


def invited_user(uidb64: str, token: str) -> User | None:
    """The person an invitation link is for, or None when the link is wrong or used."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def accept_invitation(uidb64: str, token: str, *, password: str, name: str = "") -> User:
    """Set the invited person's password (and name) from a valid invitation link."""
    from django.contrib.auth.password_validation import validate_password

    user = invited_user(uidb64, token)
    if user is None:
        raise ValidationError(
            {"token": "this invitation link is no longer valid; ask for a new one"}
        )
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise ValidationError({"password": e.messages}) from None
    user.set_password(password)
    if name.strip():
        user.name = name.strip()
    user.save()
    return user


# --- Admin pages: pending invitations and team membership ---------------------------------
# An invitation is pending while the person has no password: they have never signed in.


def is_pending(membership: Membership) -> bool:
    return not membership.user.has_usable_password()


def _pending_only(membership: Membership) -> None:
    if not is_pending(membership):
        raise ValidationError(
            {"invitation": f"{membership.user.email} has already joined; remove them instead"}
        )


def resend_invitation(actor: access.Actor, membership: Membership, *, base_url: str) -> None:
    """Email the invitation link again (a new link; the person's history records it)."""
    from headway.audit.record import record_batch

    _admin_only(actor, "send invitations")
    _pending_only(membership)
    with transaction.atomic():
        record_batch(
            organization_id=membership.organization_id,
            object_type="membership",
            scope=("membership", membership.pk),
            label=membership.user.email,
            changes={"invitation": [None, "sent again"]},
            action="updated",
        )
        send_invitation(actor, membership, base_url=base_url)  # a failure records nothing


def revoke_invitation(actor: access.Actor, membership: Membership) -> None:
    """Take back an invitation nobody has accepted yet: the person leaves the organization
    and, unless another organization is waiting for them, the emailed link stops working."""
    _admin_only(actor, "revoke invitations")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        )
        _pending_only(membership)
        user = membership.user
        membership.delete()
        if not Membership.objects.filter(user=user).exists():
            # The link's token is made from the password hash: a fresh unusable one kills it.
            user.set_unusable_password()
            user.save(update_fields=["password"])


def _team_change(actor: access.Actor, team: Team, membership: Membership) -> None:
    _admin_only(actor, "change who is in a team")
    if team.organization_id != actor.organization.pk:
        raise ValidationError({"team": "no such team"})
    if membership.organization_id != actor.organization.pk:
        raise ValidationError({"person": "no such person"})


def add_to_team(actor: access.Actor, team: Team, membership: Membership) -> None:
    """Put a person in a team (a lead then leads it and every team below)."""
    _team_change(actor, team, membership)
    with transaction.atomic():
        _lock_people(actor.organization.pk)
        if TeamMembership.objects.filter(membership=membership, team=team).exists():
            raise ValidationError({"person": f"{membership.user} is already in {team.name}"})
        TeamMembership.objects.create(
            organization_id=actor.organization.pk, membership=membership, team=team
        )


def remove_from_team(actor: access.Actor, team: Team, membership: Membership) -> None:
    _team_change(actor, team, membership)
    with transaction.atomic():
        _lock_people(actor.organization.pk)
        link = TeamMembership.objects.filter(membership=membership, team=team).first()
        if link is None:
            raise ValidationError({"person": f"{membership.user} is not in {team.name}"})
        link.delete()  # one by one, so the history records it
