"""The page where a person creates and revokes API tokens (the secret is shown once)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from headway.api import actions
from headway.api.ratelimit import rate_limited
from headway.org.models import Team
from headway.web.decorators import OrgRequest, org_required


@org_required
@require_http_methods(["GET", "POST"])
@rate_limited("token", limit=20, per=3600)
def tokens(request: OrgRequest) -> HttpResponse:
    actor = request.actor
    secret = None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        team = None
        team_id = request.POST.get("team", "")
        if team_id:
            team = Team.objects.filter(
                organization=request.org, pk=int(team_id) if team_id.isdigit() else 0
            ).first()
            if team is None:
                errors["team"] = ["no such team"]
        if not errors:
            try:
                _token, secret = actions.create_token(
                    actor,
                    name=request.POST.get("name", ""),
                    read_only=request.POST.get("read_only") == "on",
                    team=team,
                )
            except ValidationError as e:
                errors = e.message_dict
            except PermissionDenied as e:
                errors = {"team": [str(e)]}
    teams = [
        t
        for t in Team.objects.filter(organization=request.org)
        if actor.can_write and actor.leads(t.pk)
    ]
    context = {
        "title": "API tokens",
        "tokens": actions.tokens_for(actor).select_related("team"),
        "secret": secret,
        "errors": errors,
        "teams": teams,
        "hide_as_of": True,
    }
    return render(request, "api/tokens.html", context, status=400 if errors else 200)


@org_required
@require_POST
@rate_limited("token", limit=20, per=3600)
def revoke(request: OrgRequest, token_id: int) -> HttpResponse:
    token = actions.tokens_for(request.actor).filter(pk=token_id).first()
    if token is None:
        raise Http404("no such token")
    actions.revoke_token(request.actor, token)
    return redirect("api-tokens")
