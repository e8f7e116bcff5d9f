from django.urls import path

import headway.okrs.views as views
from headway.okrs import cycles

app_name = "okrs"
urlpatterns = [
    path("", views.objective_list, name="list"),
    path("map/", views.alignment_map, name="map"),
    path("new/", views.objective_create, name="create"),
    path("cycles/", cycles.cycle_list, name="cycles"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:cycle_id>/edit/", cycles.cycle_edit, name="cycle_edit"),
    path("cycles/<int:cycle_id>/delete/", cycles.cycle_delete, name="cycle_delete"),
    path("key-results/validate/", views.kr_validate, name="kr_validate"),
    path("key-results/<slug:ref>/edit/", views.kr_edit, name="kr_edit"),
    path("key-results/<slug:ref>/move/", views.kr_move, name="kr_move"),
    path("key-results/<slug:ref>/initiatives/", views.initiative_add, name="initiative_add"),
    path("<slug:ref>/", views.objective_detail, name="detail"),
    path("<slug:ref>/edit/", views.objective_edit, name="edit"),
    path("<slug:ref>/duplicate/", views.objective_duplicate, name="duplicate"),
    path("<slug:ref>/key-results/new/", views.kr_create, name="kr_create"),
]
