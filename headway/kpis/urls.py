from django.urls import path

import headway.kpis.views as views

app_name = "kpis"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.kpi_create, name="create"),
    path("<slug:ref>/", views.kpi_detail, name="detail"),
    path("<slug:ref>/edit/", views.kpi_edit, name="edit"),
    path("<slug:ref>/delete/", views.kpi_delete, name="kpi_delete"),
    path("<slug:ref>/measurements/", views.measurement_add, name="measure"),
    path("<slug:ref>/measurements/<int:pk>/", views.measurement_correct, name="correct"),
    path("<slug:ref>/measurements/<int:pk>/delete/", views.measurement_delete, name="delete"),
]
