"""schemathesis against the OpenAPI spec: no 5xx, and every answer matches the schema.

A bounded number of examples per operation (FUZZ_EXAMPLES, default 10) keeps the whole run
near a minute; raise it locally to dig deeper: HEADWAY_FUZZ_EXAMPLES=200 pytest -k fuzz.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from headway.api.main import api

FUZZ_EXAMPLES = int(os.environ.get("HEADWAY_FUZZ_EXAMPLES", "10"))


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    # Like Django's test client: the request signals would close the connection that holds
    # the test's transaction (PostgreSQL), so they are off while the raw WSGI app runs.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_it_never_answers_5xx_and_always_matches_the_schema(api_world, keep_test_connection):
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    app = get_wsgi_application()
    headers = {"Authorization": f"Bearer {api_world.alice.token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            response = case.call(app=app, headers=headers)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            run()
        except Exception as e:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {e}")
    assert operations >= 40
    assert not failures, "\n\n".join(failures)
