"""What the CLI commands share when they work on the local database."""

from __future__ import annotations

from django.core.management.base import CommandError

from headway.org.models import Organization


def find_organization(name: str | None) -> Organization:
    if name is not None:
        organization = Organization.objects.filter(name=name).first()
        if organization is None:
            raise CommandError(f"unknown organization {name!r}")
        return organization
    organizations = list(Organization.objects.all()[:2])
    if not organizations:
        raise CommandError("there is no organization yet")
    if len(organizations) > 1:
        raise CommandError("there are several organizations: choose one with --organization")
    return organizations[0]
