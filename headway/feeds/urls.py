"""Inbound webhooks, mounted at /hooks/. The feed pages are in pages_urls, at /feeds/."""

from django.urls import URLPattern, URLResolver, path

from headway.feeds import hooks

urlpatterns: list[URLPattern | URLResolver] = [
    path("kpi/<str:token>/", hooks.kpi_hook, name="kpi-hook"),
]
