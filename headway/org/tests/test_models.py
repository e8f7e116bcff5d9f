import pytest
from django.db import IntegrityError, transaction

from headway.org.models import Team, User


def test_it_matches_emails_case_insensitively(world):
    user = User.objects.create_user("Dana@Acme.Test", "pw")
    assert user.email == "dana@acme.test"
    assert User.objects.get(email="dana@acme.test") == user


def test_it_allows_one_company_team_per_organization(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(organization=world.acme, name="Second company")
    # Another organization has its own company team.
    assert Team.objects.filter(parent=None).count() == 2


def test_it_rejects_duplicate_team_names_whatever_the_case(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(organization=world.acme, name="growth", parent=world.company)
    globex_company = Team.objects.get(organization=world.globex, parent=None)
    Team.objects.create(organization=world.globex, name="Growth", parent=globex_company)
    assert Team.objects.filter(name="Growth").count() == 2
