"""The API root: /api/v1, its authentication, parser, error shape and every domain's router."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from headway.api import errors
from headway.api.auth import default_auth
from headway.api.tokens_api import router as tokens_router
from headway.audit.api import router as audit_router
from headway.kpis.api import router as kpis_router
from headway.okrs.api import router as okrs_router
from headway.org.api import router as org_router

api = NinjaAPI(
    title="Headway API",
    version="1",
    description="OKRs and KPIs. Authenticate with `Authorization: Bearer hw_...` "
    "(a personal token) or a signed-in session. See docs/api.md.",
    auth=default_auth(),
    parser=errors.DecimalParser(),
    # "ninja" is an installed app, so the docs load Swagger UI from our own static files.
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    urls_namespace="api-v1",
)
errors.install(api)

api.add_router("", org_router)
api.add_router("", okrs_router)
api.add_router("", kpis_router)
api.add_router("", audit_router)
api.add_router("", tokens_router)
