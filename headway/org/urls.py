from django.urls import path

from headway.org import views

app_name = "org"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("organizations/new/", views.organization_create, name="create"),
    path("organizations/switch/", views.switch, name="switch"),
    path("team/", views.people, name="people"),
    path("team/teams/new/", views.team_create, name="team_create"),
    path("team/invite/", views.invite, name="invite"),
    path("invitations/<str:uidb64>/<str:token>/", views.accept, name="accept"),
]
