"""Rostering's pages: a district's imports, one import, its apply, its problems, the invitations."""

from django.urls import path

from . import views

app_name = "rostering"

urlpatterns: list = [
    path("districts/<slug:slug>/rostering/", views.roster_imports, name="imports"),
    path("districts/<slug:slug>/rostering/invite/", views.roster_invite, name="invite"),
    path("districts/<slug:slug>/rostering/sis/", views.sis_connection, name="sis"),
    path("districts/<slug:slug>/rostering/sis/sync/", views.sis_sync, name="sis_sync"),
    path(
        "districts/<slug:slug>/rostering/<int:pk>/",
        views.roster_import_detail,
        name="import_detail",
    ),
    path(
        "districts/<slug:slug>/rostering/<int:pk>/apply/",
        views.roster_import_apply,
        name="import_apply",
    ),
    path(
        "districts/<slug:slug>/rostering/<int:pk>/problems.csv",
        views.roster_import_problems,
        name="import_problems",
    ),
]
