from django.apps import apps
from django.contrib import admin


def test_it_registers_every_headway_model_in_the_admin():
    models = [m for m in apps.get_models() if m.__module__.startswith("headway.")]
    assert len(models) > 10
    through_tables = {"TeamMembership"}  # edited inline on Membership
    missing = {
        m.__name__
        for m in models
        if not admin.site.is_registered(m) and m.__name__ not in through_tables
    }
    assert missing == set()
