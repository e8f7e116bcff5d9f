import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from headway.api.ratelimit import rate_limited

ROOT = Path(__file__).resolve().parents[3]


def test_it_passes_check_deploy_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "HEADWAY_DEBUG": "false",
        "HEADWAY_SECURE": "true",
        "HEADWAY_SECRET_KEY": secrets.token_urlsafe(60),
        "HEADWAY_ALLOWED_HOSTS": "headway.example.com",
        "HEADWAY_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "headway.settings",
    }
    # A subprocess, so the settings module is read afresh with these variables.
    result = subprocess.run(
        [sys.executable, "-m", "headway", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("k" * 20 + secrets.token_urlsafe(40) + "\n")
    env = {
        **os.environ,
        "HEADWAY_SECRET_KEY_FILE": str(secret_file),
        "HEADWAY_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "headway.settings",
    }
    env.pop("HEADWAY_SECRET_KEY", None)
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == secret_file.read_text().strip()


def test_it_sends_a_self_only_content_security_policy_and_secure_headers(api_world, client):
    response = client.get("/api/v1/docs")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_serves_the_api_docs_without_any_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), html
    assert "<script>" not in html  # no inline script: the CSP would block it
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/cycles/{name}/report" in spec.json()["paths"]


@pytest.fixture
def frozen_clock(monkeypatch: Any) -> None:
    # Fixed windows: a test crossing a window's end would see the count restart.
    monkeypatch.setattr("headway.api.ratelimit.time.time", lambda: 1_800_000_000.0)


def test_it_rate_limits_token_creation(api_world, client, frozen_clock):
    client.force_login(api_world.world.bob)
    statuses = [
        client.post(
            "/api/v1/tokens", {"name": f"t{i}"}, content_type="application/json"
        ).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [201] * 20
    assert statuses[20] == 429


def test_it_gives_views_a_rate_limit_per_client_address(db, frozen_clock):
    calls = []

    @rate_limited("signin", limit=3, per=60)
    def view(request: Any) -> HttpResponse:
        calls.append(request)
        return HttpResponse("ok")

    factory = RequestFactory()
    answers = [view(factory.post("/login/", REMOTE_ADDR="10.0.0.1")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert view(factory.post("/login/", REMOTE_ADDR="10.0.0.2")).status_code == 200
    assert view(factory.get("/login/", REMOTE_ADDR="10.0.0.1")).status_code == 200
    assert len(calls) == 5


def test_it_rate_limits_sign_in_attempts(api_world, client, frozen_clock):
    answers = [
        client.post("/login/", {"username": "alice@acme.test", "password": "wrong"}).status_code
        for _ in range(11)
    ]
    assert 429 not in answers[:10]
    assert answers[10] == 429
    assert client.get("/login/").status_code == 200


def test_it_publishes_a_spec_without_duplicate_keys(client):
    # Swagger UI parses the spec with a strict YAML parser: one duplicated key and the docs
    # page stays blank.
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicated keys in {keys}"
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)
