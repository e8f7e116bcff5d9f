from django.urls import URLPattern, URLResolver, include, path

from headway.feeds import hooks

urlpatterns: list[URLPattern | URLResolver] = [
    path("kpi/<str:token>/", hooks.kpi_hook, name="kpi-hook"),
    # The feed pages; the lead may mount headway.feeds.pages_urls elsewhere (e.g. /feeds/).
    path("", include("headway.feeds.pages_urls")),
]
