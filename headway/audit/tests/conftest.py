from headway.api.tests.conftest import api_world  # noqa: F401
