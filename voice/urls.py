from django.urls import path

from . import views

app_name = "voice"

survey = "schools/<slug:slug>/surveys/<int:pk>/"
question = survey + "questions/<int:question_pk>/"
link = survey + "links/<int:link_pk>/"
exchange = "schools/<slug:slug>/ideas/<int:pk>/"
idea = exchange + "<int:idea_pk>/"

urlpatterns = [
    path("schools/<slug:slug>/surveys/", views.survey_list, name="survey_list"),
    path("schools/<slug:slug>/surveys/new/", views.survey_create, name="survey_create"),
    path(
        "schools/<slug:slug>/surveys/from-template/",
        views.survey_from_template,
        name="survey_from_template",
    ),
    path(survey, views.survey_detail, name="survey_detail"),
    path(survey + "settings/", views.survey_settings, name="survey_settings"),
    path(survey + "sections/", views.section_add, name="section_add"),
    path(survey + "questions/new/", views.question_form, name="question_add"),
    path(question, views.question_form, name="question_edit"),
    path(question + "delete/", views.question_delete, name="question_delete"),
    path(question + "move/", views.question_move, name="question_move"),
    path(survey + "open/", views.survey_open, name="survey_open"),
    path(survey + "close/", views.survey_close, name="survey_close"),
    path(survey + "remind/", views.survey_remind, name="survey_remind"),
    path(survey + "links/", views.link_create, name="link_create"),
    path(link + "withdraw/", views.link_withdraw, name="link_withdraw"),
    path(link + "qr.svg", views.link_qr, name="link_qr"),
    path(survey + "answer/", views.survey_answer, name="survey_answer"),
    path(survey + "results/", views.survey_results_page, name="survey_results"),
    path(survey + "results/compare/", views.survey_compare, name="survey_compare"),
    path(survey + "next-round/", views.survey_next_round, name="survey_next_round"),
    path(survey + "themes/", views.survey_themes, name="survey_themes"),
    path(survey + "results.csv", views.survey_results_csv, name="survey_results_csv"),
    path(question + "to-plan/", views.evidence_attach, name="evidence_attach"),
    path("s/<str:token>/", views.student_answer, name="student_answer"),
    path("schools/<slug:slug>/ideas/new/", views.exchange_create, name="exchange_create"),
    path(exchange, views.exchange_detail, name="exchange_detail"),
    path(exchange + "status/", views.exchange_status, name="exchange_status"),
    path(exchange + "themes/", views.theme_add, name="theme_add"),
    path(exchange + "take/", views.exchange_take, name="exchange_take"),
    path(
        exchange + "themes/<int:theme_pk>/to-plan/",
        views.idea_theme_evidence,
        name="idea_theme_evidence",
    ),
    path(idea + "theme/", views.idea_theme, name="idea_theme"),
    path(idea + "hide/", views.idea_hide, name="idea_hide"),
    path("schools/<slug:slug>/listening/", views.listening, name="listening"),
    path("schools/<slug:slug>/listening/new/", views.session_create, name="session_create"),
    path("schools/<slug:slug>/listening/<int:pk>/", views.session_detail, name="session_detail"),
    path(
        "schools/<slug:slug>/listening/themes/",
        views.listening_theme_add,
        name="listening_theme_add",
    ),
    path(
        "schools/<slug:slug>/listening/themes/<int:theme_pk>/to-plan/",
        views.listening_theme_evidence,
        name="listening_theme_evidence",
    ),
]
