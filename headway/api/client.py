"""Talk to a running Headway over the API (HEADWAY_URL + HEADWAY_TOKEN), for the CLI.

A cron job or CI step pushes a value in one line:

    HEADWAY_URL=https://okr.example.com HEADWAY_TOKEN=hw_... headway measure mrr 12500
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

import httpx
from django.core.management.base import CommandError

TIMEOUT = 30.0


def remote() -> tuple[str, str] | None:
    """(base URL, token) when the CLI should talk to a server, else None (work locally)."""
    url = os.environ.get("HEADWAY_URL", "").strip()
    if not url:
        return None
    token = os.environ.get("HEADWAY_TOKEN", "").strip()
    if not token:
        raise CommandError("HEADWAY_URL is set: set HEADWAY_TOKEN too (create one at /api/tokens/)")
    return url.rstrip("/"), token


def call(method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None) -> Any:
    """One API call; an error answer becomes a CommandError naming the fields."""
    target = remote()
    assert target is not None
    base, token = target
    try:
        response = httpx.request(
            method,
            f"{base}/api/v1/{path}",
            json=json,
            params=params,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as e:
        raise CommandError(f"cannot reach {base}: {e}") from e
    if response.status_code >= 400:
        raise CommandError(_error_text(response))
    return response.json() if response.content else None


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    errors = body.get("errors") or {}
    if errors:
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
    return f"HTTP {response.status_code}: {body.get('detail', '')}"


def path_part(text: str) -> str:
    return quote(text, safe="")


def remote_report(cycle: str, as_of: str | None) -> Any:
    """The report of `cycle` from the server (what `headway report` shows in remote mode)."""
    params = {"as_of": as_of} if as_of else None
    return call("GET", f"cycles/{path_part(cycle)}/report", params=params)
