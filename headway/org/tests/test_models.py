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


@pytest.mark.parametrize("name", ["Factory", "localtime", "posixrules"])
def test_it_offers_and_accepts_only_real_time_zones(name):
    # tzdata's "Factory" means "no zone" (it prints "-00"); "localtime" is the server's own.
    from django.core.exceptions import ValidationError

    from headway.okrfiles.parse import _time_zones
    from headway.org.forms import SettingsForm, SignupForm
    from headway.org.models import validate_time_zone

    with pytest.raises(ValidationError, match="unknown time zone"):
        validate_time_zone(name)
    for form in (SettingsForm, SignupForm):
        assert name not in dict(form.base_fields["time_zone"].choices)  # type: ignore[attr-defined]
    assert name not in _time_zones()
    validate_time_zone("Europe/Lisbon")
