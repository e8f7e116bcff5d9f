"""Roles through the API: the same rules as headway.org.access, for every surface."""

from decimal import Decimal

from headway.api.models import ApiToken
from headway.api.tests.conftest import Api
from headway.kpis.models import KPI, Measurement
from headway.org.models import Role, Team


def _objective(ref: str, team: Team, **extra: object) -> dict[str, object]:
    return {"ref": ref, "title": "t", "cycle": "2026-Q4", "team_id": team.pk, **extra}


def test_it_lets_only_leads_and_admins_plan_team_and_company_objectives(api_world):
    growth, company = api_world.acme.team, api_world.acme.company
    bob = api_world.bob
    assert bob.post("objectives", _objective("bob-team", growth)).status_code == 403
    assert bob.post("objectives", _objective("bob-co", company, level="company")).status_code == 403
    personal = _objective("bob-own", growth, level="personal", owner="bob@acme.test")
    assert bob.post("objectives", personal).status_code == 201
    assert (
        api_world.alice.post("objectives", _objective("co", company, level="company")).status_code
        == 201
    )


def test_it_lets_the_kr_owner_and_team_members_check_in_but_not_viewers(api_world):
    assert api_world.bob.post("key-results/acme-signups/checkins", {"value": 3}).status_code == 201
    viewer = api_world.viewer.post("key-results/acme-signups/checkins", {"value": 3})
    assert viewer.status_code == 403
    assert api_world.viewer.get("key-results/acme-signups").status_code == 200
    assert api_world.viewer.patch("objectives/acme-grow", {"title": "x"}).status_code == 403


def test_it_hides_private_objectives_and_kpis_from_people_outside_the_team(api_world):
    world = api_world.world
    assert api_world.bob.get("objectives/acme-secret").status_code == 200  # his team
    assert api_world.alice.get("objectives/acme-secret").status_code == 200  # admin
    assert api_world.viewer.get("objectives/acme-secret").status_code == 404
    refs = [o["ref"] for o in api_world.viewer.get("objectives").json()["items"]]
    assert "acme-secret" not in refs
    assert "acme-grow" in refs
    KPI.objects.filter(ref="acme-mrr").update(private=True)
    assert api_world.viewer.get("kpis/acme-mrr").status_code == 404
    assert api_world.bob.get("kpis/acme-mrr").status_code == 200
    assert world.acme  # the viewer is an Acme member, yet sees neither


def test_it_refuses_writes_with_a_read_only_token(api_world):
    token = api_world.token(api_world.world.alice, api_world.world.acme, read_only=True)
    reader = Api(token)
    assert reader.get("objectives/acme-grow").status_code == 200
    refused = reader.patch("objectives/acme-grow", {"title": "x"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "this token is read-only"


def test_it_lets_a_feed_credential_write_only_its_teams_measurements(api_world):
    world = api_world.world
    token = api_world.token(world.alice, world.acme, team=api_world.acme.team)
    feed = Api(token)
    sent = feed.post(
        "kpis/acme-mrr/measurements",
        {"points": [{"at": "2026-11-01T10:00:00+00:00", "value": "12.5", "key": "k1"}]},
    )
    assert sent.status_code == 201, sent.json()
    assert Measurement.objects.filter(idempotency_key="k1", source="feed").count() == 1
    assert feed.get("kpis/acme-mrr").status_code == 403
    assert feed.post("key-results/acme-signups/checkins", {"value": 1}).status_code == 403
    other = KPI.objects.create(
        organization=world.acme, ref="other", name="Other", team=api_world.acme.company
    )
    refused = feed.post("kpis/other/measurements", {"points": [{"at": "2026-11-01", "value": 1}]})
    assert refused.status_code == 403
    assert not Measurement.objects.filter(kpi=other).exists()


def test_it_ingests_measurements_idempotently(api_world):
    bob = api_world.bob
    points = {
        "points": [
            {"at": "2026-11-02", "value": 7, "key": "nov-2"},
            {"at": "2026-11-03", "value": "7.25", "key": "nov-3"},
        ]
    }
    first = bob.post("kpis/acme-mrr/measurements", points)
    assert first.json() == {"created": 2, "duplicates": 0, "corrected": 0}
    again = bob.post("kpis/acme-mrr/measurements", points)
    assert again.json()["created"] == 0
    assert again.json()["duplicates"] == 2
    assert Measurement.objects.get(idempotency_key="nov-3").value == Decimal("7.25")


def test_it_lists_live_measurements_and_the_corrected_ones_on_request(api_world):
    bob = api_world.bob
    bob.post(
        "kpis/acme-mrr/measurements", {"points": [{"at": "2026-11-02", "value": 7, "key": "k"}]}
    )
    fixed = bob.post(
        "kpis/acme-mrr/measurements", {"points": [{"at": "2026-11-02", "value": 8, "key": "k"}]}
    )
    assert fixed.json()["corrected"] == 1

    def listed(query: str) -> list[tuple[object, bool]]:
        items = bob.get(f"kpis/acme-mrr/measurements{query}").json()["items"]
        # The correction takes over the key, so the rows are found by their time.
        return [(m["value"], m["superseded"]) for m in items if m["at"].startswith("2026-11-02")]

    assert listed("") == [(8, False)]
    assert sorted(listed("?history=true"), key=str) == [(7, True), (8, False)]


def test_it_creates_tokens_shown_once_and_stores_only_a_hash(api_world, client):
    world = api_world.world
    client.force_login(world.bob)
    page = client.post("/api/tokens/", {"name": "CI"})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=world.bob, name="CI")
    secret = page.context["secret"]
    assert secret.startswith("hw_")
    assert secret not in token.token_hash
    assert secret.encode() in page.content
    listing = client.get("/api/tokens/")
    assert secret.encode() not in listing.content
    me = Api(secret).get("me").json()
    assert (me["email"], me["organization"]) == ("bob@acme.test", "Acme")
    token.refresh_from_db()
    assert token.last_used_at is not None
    client.post(f"/api/tokens/{token.pk}/revoke/")
    assert Api(secret).get("me").status_code == 401


def test_it_chooses_the_session_organization_by_header(api_world, client):
    world = api_world.world
    from headway.org.models import Membership

    Membership.objects.create(organization=world.globex, user=world.alice, role=Role.VIEWER)
    client.force_login(world.alice)
    ambiguous = client.get("/api/v1/objectives")
    assert ambiguous.status_code == 400
    chosen = client.get("/api/v1/me", headers={"X-Headway-Organization": str(world.globex.pk)})
    assert chosen.json()["organization"] == "Globex"
    assert chosen.json()["role"] == "viewer"
    client.force_login(world.bob)
    other = client.get("/api/v1/me", headers={"X-Headway-Organization": str(world.globex.pk)})
    assert other.status_code == 404


def test_it_checks_csrf_for_session_writes(api_world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(api_world.world.alice)
    response = client.patch(
        "/api/v1/objectives/acme-grow", '{"title": "x"}', content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_it_lets_only_admins_manage_people_and_teams(api_world):
    alice, bob = api_world.alice, api_world.bob
    added = alice.post(
        "people", {"email": "erin@acme.test", "role": "lead", "team_ids": [api_world.acme.team.pk]}
    )
    assert added.status_code == 201, added.json()
    assert added.json()["team_ids"] == [api_world.acme.team.pk]
    assert bob.post("people", {"email": "x@acme.test"}).status_code == 403
    team = alice.post("teams", {"name": "Data", "parent_id": api_world.acme.company.pk})
    assert team.status_code == 201
    assert (
        bob.post("teams", {"name": "Ops", "parent_id": api_world.acme.company.pk}).status_code
        == 403
    )
    assert Team.objects.filter(organization=api_world.world.acme, name="Data").exists()
    last_admin = alice.patch(f"people/{api_world.world.alice.pk}", {"role": "member"})
    assert last_admin.status_code == 400
