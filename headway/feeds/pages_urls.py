from django.urls import URLPattern, URLResolver, path

from headway.alerts import views as alert_views
from headway.feeds import views

app_name = "feeds"
urlpatterns: list[URLPattern | URLResolver] = [
    path("upload/", views.upload, name="upload"),
    path("upload/<int:pk>/", views.preview, name="preview"),
    path("kpis/<slug:ref>/", views.kpi_feeds, name="kpi"),
    path("kpis/<slug:ref>/sources/new/", views.source_edit, name="source_new"),
    path("kpis/<slug:ref>/sources/<int:pk>/", views.source_edit, name="source_edit"),
    path("kpis/<slug:ref>/sources/<int:pk>/sync/", views.source_sync, name="source_sync"),
    path("kpis/<slug:ref>/sources/<int:pk>/delete/", views.source_delete, name="source_delete"),
    path("kpis/<slug:ref>/webhook/", views.webhook, name="webhook"),
    path("kpis/<slug:ref>/recover/", views.recover, name="recover"),
    path("kpis/<slug:ref>/alerts/", alert_views.preferences, name="alerts"),
]
