"""An OKR world for API tests: a cycle, objectives (one private), KRs, a KPI, tokens.

alice (admin) and bob (member of Growth) are in Acme; charlie is admin of Globex, which has
a mirror of Acme's objects so every cross-tenant lookup has a real target.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from headway.api.actions import create_token
from headway.kpis.models import KPI, Measurement
from headway.okrs.models import CheckIn, Cycle, Initiative, KeyResult, Objective
from headway.org.access import actor_for
from headway.org.models import Membership, Organization, Role, Team, User


@dataclass
class Tenant:
    org: Organization
    company: Team
    team: Team
    cycle: Cycle
    objective: Objective
    private: Objective
    kr: KeyResult
    milestone: KeyResult
    kpi: KPI
    initiative: Initiative
    checkin: CheckIn
    measurement: Measurement


def build_tenant(org: Organization, team: Team, owner: User, cycle_name: str) -> Tenant:
    company = Team.objects.get(organization=org, parent=None)
    cycle = Cycle.objects.create(
        organization=org, name=cycle_name, start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    prefix = org.name.lower()
    objective = Objective.objects.create(
        organization=org, ref=f"{prefix}-grow", cycle=cycle, team=team, title="Grow", owner=owner
    )
    private = Objective.objects.create(
        organization=org,
        ref=f"{prefix}-secret",
        cycle=cycle,
        team=team,
        title="Secret plan",
        owner=owner,
        private=True,
    )
    kr = KeyResult.objects.create(
        organization=org,
        objective=objective,
        ref=f"{prefix}-signups",
        title="Signups",
        start=Decimal(0),
        target=Decimal(100),
    )
    milestone = KeyResult.objects.create(
        organization=org,
        objective=objective,
        ref=f"{prefix}-launch",
        title="Launch",
        type=KeyResult.Type.MILESTONE,
    )
    kpi = KPI.objects.create(
        organization=org, ref=f"{prefix}-mrr", name="MRR", team=team, target=Decimal(1000)
    )
    initiative = Initiative.objects.create(organization=org, key_result=kr, title="Ads")
    checkin = CheckIn.objects.create(
        organization=org,
        key_result=kr,
        value=Decimal(10),
        at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC),
        author=owner,
    )
    measurement = Measurement.objects.create(
        organization=org, kpi=kpi, at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC), value=Decimal(5)
    )
    return Tenant(
        org,
        company,
        team,
        cycle,
        objective,
        private,
        kr,
        milestone,
        kpi,
        initiative,
        checkin,
        measurement,
    )


class Api:
    """A test client speaking JSON with a bearer token."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.token = token

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        if self.token:
            headers = {"Authorization": f"Bearer {self.token}", **headers}
        return headers

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        data = body if isinstance(body, str | bytes) else json.dumps(body, default=str)
        return self.client.generic(
            method,
            url,
            data=data if body is not None else "",
            content_type="application/json",
            headers=self._headers(headers),
        )

    def get(self, path: str, **headers: str) -> Any:
        return self.call("GET", path, **headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("POST", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("PATCH", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self.call("DELETE", path, **headers)


@dataclass
class ApiWorld:
    world: Any
    acme: Tenant
    globex: Tenant
    dora: User  # a viewer of Acme
    alice: Api
    bob: Api
    charlie: Api
    viewer: Api

    def token(self, user: User, org: Organization, **kwargs: Any) -> str:
        _, secret = create_token(actor_for(user, org), name="test", **kwargs)
        return secret


@pytest.fixture
def api_world(world) -> ApiWorld:
    globex_team = Team.objects.create(
        organization=world.globex,
        name="Sales",
        parent=Team.objects.get(organization=world.globex, parent=None),
    )
    charlie_membership = Membership.objects.get(organization=world.globex, user=world.charlie)
    charlie_membership.teams.add(globex_team, through_defaults={"organization": world.globex})
    dora = User.objects.create_user("dora@acme.test", "password", name="Dora Viewer")
    Membership.objects.create(organization=world.acme, user=dora, role=Role.VIEWER)
    acme = build_tenant(world.acme, world.growth, world.bob, "2026-Q4")
    # Another name than Acme's, so a lookup by name can only find Globex's own cycle.
    globex = build_tenant(world.globex, globex_team, world.charlie, "G-2026-Q4")

    def api(user: User, org: Organization) -> Api:
        return Api(create_token(actor_for(user, org), name="test")[1])

    return ApiWorld(
        world,
        acme,
        globex,
        dora,
        api(world.alice, world.acme),
        api(world.bob, world.acme),
        api(world.charlie, world.globex),
        api(dora, world.acme),
    )
