from django.urls import path

from headway.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
