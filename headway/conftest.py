"""Shared fixtures: the personas every test speaks of.

alice is the admin of Acme, bob is a member of Acme's Growth team, charlie belongs to
another organization (Globex) and must never see Acme's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from pytest_django.fixtures import Settings

from headway.org.models import Membership, Organization, Role, Team, User


@pytest.fixture(autouse=True, scope="session")
def _static_root() -> None:
    # WhiteNoise warns about a missing STATIC_ROOT when a handler starts before a test's own
    # settings apply (live servers, benchmarks); a fresh clone has not collected static yet.
    Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings, tmp_path: Path) -> None:
    # The real hasher is slow on purpose; tests set many passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests render pages without collectstatic, so the manifest storage would have no entries.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Rate-limit counters start from zero in every test. Live servers run in this process,
    # so a local-memory cache is shared with them just as the database cache is in production.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@dataclass
class World:
    acme: Organization
    company: Team
    growth: Team
    alice: User
    bob: User
    globex: Organization
    charlie: User


@pytest.fixture
def world(db: None) -> World:
    acme = Organization.objects.create(name="Acme")
    company = Team.objects.create(organization=acme, name="Acme")
    growth = Team.objects.create(organization=acme, name="Growth", parent=company)
    alice = User.objects.create_user("alice@acme.test", "password", name="Alice Admin")
    bob = User.objects.create_user("bob@acme.test", "password", name="Bob Member")
    Membership.objects.create(organization=acme, user=alice, role=Role.ADMIN)
    bob_membership = Membership.objects.create(organization=acme, user=bob, role=Role.MEMBER)
    bob_membership.teams.add(growth, through_defaults={"organization": acme})

    globex = Organization.objects.create(name="Globex")
    Team.objects.create(organization=globex, name="Globex")
    charlie = User.objects.create_user("charlie@globex.test", "password", name="Charlie Outsider")
    Membership.objects.create(organization=globex, user=charlie, role=Role.ADMIN)
    return World(acme, company, growth, alice, bob, globex, charlie)
