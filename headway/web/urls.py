from django.contrib.auth import views as auth_views
from django.urls import include, path

from headway.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("favicon.ico", views.favicon),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="web/password_reset.html",
            email_template_name="web/password_reset_email.txt",
            subject_template_name="web/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="web/password_set.html"),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="web/password_reset_done.html"),
        name="password_reset_complete",
    ),
    path("charts/kr/<slug:ref>.svg", views.kr_chart, name="kr_chart"),
    path("charts/kpi/<slug:ref>.svg", views.kpi_chart, name="kpi_chart"),
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/<slug:slug>/copy/", views.gallery_copy, name="gallery_copy"),
    path("", include("headway.org.urls")),
    path("objectives/", include("headway.okrs.urls")),
    path("kpis/", include("headway.kpis.urls")),
]
