from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("headway.api.urls")),
    path("hooks/", include("headway.feeds.urls")),
    path("feeds/", include("headway.feeds.pages_urls")),
    path("", include("headway.web.urls")),
]
