"""Tenant isolation: every route of the URL map and every operation of the OpenAPI spec.

alice (admin of Acme, the most powerful person there) asks for each of Globex's objects
through every route that takes an object: the answer is always 404. Routes without object
parameters must not show any of Globex's data. A route with a parameter this test does not
know fails the test: register how to fill it in FILL (or explain an exception in EXEMPT).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from headway.api.main import api


# Globex data that must never appear in an answer to an Acme person.
def _leaks(globex: Any) -> list[str]:
    return [
        globex.objective.ref,
        globex.private.ref,
        globex.kr.ref,
        globex.kpi.ref,
        globex.cycle.name,
        "charlie@globex.test",
        "Globex",
    ]


def _ref_for(route: str, globex: Any) -> str:
    if "kpi" in route:
        return str(globex.kpi.ref)
    if "key-results" in route or "charts/kr" in route:
        return str(globex.kr.ref)
    return str(globex.objective.ref)


# How to fill each parameter name with Globex's object (route, world) -> value.
FILL: dict[str, Callable[[str, Any], Any]] = {
    "ref": lambda route, w: _ref_for(route, w.globex),
    "name": lambda route, w: w.globex.cycle.name,
    "cycle_id": lambda route, w: w.globex.cycle.pk,
    "team_id": lambda route, w: w.globex.team.pk,
    "person_id": lambda route, w: w.world.charlie.pk,
    "initiative_id": lambda route, w: w.globex.initiative.pk,
    "token_id": lambda route, w: w.globex_token_id,
    "pk": lambda route, w: w.globex.measurement.pk,
}

# Routes whose parameters are not tenant objects, and why.
EXEMPT: dict[str, str] = {
    "admin/": "the Django admin is the server operator's (staff only); members are sent to "
    "its login page",
    "password-reset/<uidb64>/<token>/": "a signed, per-account reset link, not tenant data",
    "invitations/<str:uidb64>/<str:token>/": "a signed invitation link, not tenant data",
    "gallery/<slug:slug>/copy/": "a built-in template from the gallery, shared by everyone",
    "hooks/kpi/<str:token>/": "the secret in the URL is the credential (a feed's push hook); "
    "an unknown one is refused",
    "static/": "static files",
}

# Bodies that pass validation, so the handler runs and looks the object up.
BODIES: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/objectives/{ref}/duplicate"): {"cycle": "2026-Q4"},
    ("post", "/api/v1/kpis/{ref}/measurements"): {"points": [{"at": "2026-11-01", "value": 1}]},
    ("post", "/api/v1/key-results/{ref}/checkins"): {"value": 1},
}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _params(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


def _fill(route: str, world: Any) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in FILL, f"route {route!r}: register how to fill <{name}> in FILL"
        return str(FILL[name](route, world))

    path = re.sub(r"<(?:\w+:)?(\w+)>", value, route)
    return "/" + path.lstrip("^").rstrip("$")


def _exempt(route: str) -> str | None:
    for prefix, reason in EXEMPT.items():
        if route.startswith(prefix):
            return reason
    return None


def _assert_no_leak(response: Any, world: Any, what: str) -> None:
    if response.status_code >= 300 or response.get("Content-Type", "").startswith("image/"):
        return
    body = response.content.decode(errors="replace")
    for secret in _leaks(world.globex):
        assert secret not in body, f"{what} shows Globex's {secret!r}"


def test_it_answers_404_for_every_other_tenant_object_on_every_page(api_world):
    world = api_world
    world.globex_token_id = _globex_token_id(world)
    client = Client()
    client.force_login(world.world.alice)
    checked = 0
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            continue  # the next test walks the API through its OpenAPI spec
        reason = _exempt(route)
        params = _params(route)
        if reason is not None:
            if route == "admin/":
                response = client.get("/admin/")
                assert response.status_code == 302, "the admin must refuse a non-staff member"
            continue
        path = _fill(route, world)
        statuses = []
        for method in ("get", "post"):
            client.force_login(world.world.alice)  # a walk through /logout/ signs out
            response = getattr(client, method)(path)
            assert response.status_code < 500, f"{method} {path}: {response.status_code}"
            statuses.append(response.status_code)
            if not params:
                _assert_no_leak(response, world, f"{method.upper()} {path}")
            checked += 1
        if params:
            # 405 (a method the page does not take) is decided before any lookup, so it
            # reveals nothing; but at least one method must reach the lookup and get a 404.
            assert set(statuses) <= {404, 405}, f"{path} ({route}) answered {statuses}"
            assert 404 in statuses, f"{path} ({route}) answered {statuses}"
    assert checked > 20  # the walk really saw the site


def test_it_answers_404_for_every_other_tenant_object_in_the_api(api_world):
    world = api_world
    world.globex_token_id = _globex_token_id(world)
    spec = api.get_openapi_schema()
    session = Client()
    session.force_login(world.world.alice)
    checked = 0
    for path, operations in spec["paths"].items():
        params = re.findall(r"{(\w+)}", path)
        for method in operations:
            route = path.removeprefix("/")
            url = path
            for name in params:
                url = url.replace(f"{{{name}}}", str(_fill_one(name, route, world)))
            body = BODIES.get((method, path), {})
            # Tokens are managed from the session only; everything else with alice's token.
            if path.startswith("/api/v1/tokens"):
                client, headers = session, {}
            else:
                client, headers = Client(), {"Authorization": f"Bearer {world.alice.token}"}
            response = client.generic(
                method.upper(),
                url,
                data=json.dumps(body),
                content_type="application/json",
                headers=headers,
            )
            what = f"{method.upper()} {url}"
            assert response.status_code < 500, f"{what}: {response.status_code}"
            if params:
                assert response.status_code == 404, (
                    f"{what} answered {response.status_code} ({response.content[:200]!r}), "
                    "not 404: if the body failed validation, register a valid one in BODIES"
                )
            else:
                _assert_no_leak(response, world, what)
            checked += 1
    assert checked >= 40


def test_it_walks_every_api_route_through_the_spec():
    spec_paths = {p.removeprefix("/api/v1/") for p in api.get_openapi_schema()["paths"]}
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.removeprefix("api/v1/"))
        for route, _ in _walk(get_resolver().url_patterns)
        if route.startswith("api/v1/")
    }
    routes -= {"", "openapi.json", "docs"}
    assert routes == spec_paths


def _fill_one(name: str, route: str, world: Any) -> Any:
    assert name in FILL, f"{route}: register how to fill {{{name}}} in FILL"
    return FILL[name](route, world)


def _globex_token_id(world: Any) -> int:
    from headway.api.models import ApiToken

    return ApiToken.objects.get(user=world.world.charlie).pk
