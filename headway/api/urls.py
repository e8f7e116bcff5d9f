from django.urls import URLPattern, URLResolver, path

from headway.api import views as token_views
from headway.api.main import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", api.urls),
    path("tokens/", token_views.tokens, name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", token_views.revoke, name="api-token-revoke"),
]
