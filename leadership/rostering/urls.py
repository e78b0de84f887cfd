"""Rostering: import schools and people from a OneRoster CSV export, and keep them in sync."""

from django.urls import path

from . import views

# Included by leadership/urls.py without a namespace of its own: names live in "leadership:".
urlpatterns: list = [
    path("districts/<slug:slug>/rostering/", views.roster_imports, name="roster_imports"),
    path(
        "districts/<slug:slug>/rostering/invite/",
        views.roster_invite,
        name="roster_invite",
    ),
    path(
        "districts/<slug:slug>/rostering/<int:pk>/",
        views.roster_import_detail,
        name="roster_import_detail",
    ),
    path(
        "districts/<slug:slug>/rostering/<int:pk>/apply/",
        views.roster_import_apply,
        name="roster_import_apply",
    ),
    path(
        "districts/<slug:slug>/rostering/<int:pk>/problems.csv",
        views.roster_import_problems,
        name="roster_import_problems",
    ),
]
