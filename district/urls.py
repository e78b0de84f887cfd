from django.urls import path

from . import surveys, views

app_name = "district"

D = "districts/<slug:slug>/"
S = D + "surveys/<int:pk>/"
Q = S + "questions/<int:question_pk>/"

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
    path(D + "surveys/", surveys.survey_list, name="surveys"),
    path(D + "surveys/new/", surveys.survey_create, name="survey_create"),
    path(D + "surveys/from-template/", surveys.survey_from_template, name="survey_from_template"),
    path(S, surveys.survey_detail, name="survey_detail"),
    path(S + "settings/", surveys.survey_settings, name="survey_settings"),
    path(S + "sections/", surveys.section_add, name="survey_section_add"),
    path(S + "questions/new/", surveys.question_form, name="survey_question_add"),
    path(Q, surveys.question_form, name="survey_question_edit"),
    path(Q + "delete/", surveys.question_delete, name="survey_question_delete"),
    path(Q + "move/", surveys.question_move, name="survey_question_move"),
    path(S + "open/", surveys.survey_open, name="survey_open"),
    path(S + "close/", surveys.survey_close, name="survey_close"),
    path(S + "add-schools/", surveys.survey_add_schools, name="survey_add_schools"),
    path(S + "results/", surveys.survey_results_page, name="survey_results"),
    path(S + "results.csv", surveys.survey_results_csv, name="survey_results_csv"),
    path(S + "results/compare/", surveys.survey_compare, name="survey_compare"),
    path(S + "next-round/", surveys.survey_next_round, name="survey_next_round"),
    path("schools/<slug:slug>/dashboard/", views.school_dashboard, name="school_dashboard"),
]
