from django.urls import path

from headway.org import organization, people, teams, views

app_name = "org"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("organizations/new/", views.organization_create, name="create"),
    path("organizations/switch/", views.switch, name="switch"),
    path("settings/", organization.settings, name="settings"),
    path("team/", views.people, name="people"),
    path("team/teams/new/", views.team_create, name="team_create"),
    path("team/teams/<int:team_id>/", teams.team_detail, name="team"),
    path("team/teams/<int:team_id>/delete/", teams.team_delete, name="team_delete"),
    path("team/teams/<int:team_id>/members/", teams.member_add, name="team_member_add"),
    path(
        "team/teams/<int:team_id>/members/<int:person_id>/remove/",
        teams.member_remove,
        name="team_member_remove",
    ),
    path("team/invite/", views.invite, name="invite"),
    path("team/people/<int:person_id>/", people.person, name="person"),
    path("team/people/<int:person_id>/remove/", people.person_remove, name="person_remove"),
    path("team/people/<int:person_id>/resend/", people.invitation_resend, name="resend"),
    path("team/people/<int:person_id>/revoke/", people.invitation_revoke, name="revoke"),
    path("invitations/<str:uidb64>/<str:token>/", views.accept, name="accept"),
]
