from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def test_settings(settings: Settings, tmp_path: Path) -> None:
    # The real hasher takes most of a second per password on purpose; these tests set many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Test runs render pages without collectstatic: the manifest storage would have no entries.
    settings.STATIC_ROOT = tmp_path  # WhiteNoise warns about a missing one
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
