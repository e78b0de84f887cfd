from django.urls import path

from . import views

app_name = "district"

D = "districts/<slug:slug>/"

urlpatterns = [
    path(D + "dashboard/", views.dashboard, name="district_dashboard"),
    path(D + "dashboard.csv", views.dashboard_csv, name="district_dashboard_csv"),
    path(D + "dashboard/schools/<slug:school>/", views.school_drilldown, name="school_drilldown"),
    path(D + "priorities/", views.priorities, name="district_priorities"),
    path(D + "priorities/<int:pk>/", views.priority_edit, name="priority_edit"),
    path(D + "sign-in/", views.sign_on, name="sign_on"),
    path(D + "sign-in/providers/new/", views.sign_on_provider_edit, name="sign_on_provider_add"),
    path(D + "sign-in/providers/<int:pk>/", views.sign_on_provider_edit, name="sign_on_provider"),
    path(
        D + "sign-in/providers/<int:pk>/remove/",
        views.sign_on_provider_delete,
        name="sign_on_provider_delete",
    ),
    path("schools/<slug:slug>/dashboard/", views.school_dashboard, name="school_dashboard"),
]
