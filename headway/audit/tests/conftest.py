from headway.api.tests.conftest import _plain_static_files, api_world  # noqa: F401
