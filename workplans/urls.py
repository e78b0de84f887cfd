"""URLs of the workplans app: school-scoped pages under schools/<slug>/, and my action steps."""

from django.urls import path

from . import views

app_name = "workplans"

S = "schools/<slug:slug>/"

urlpatterns = [
    path("my/steps/", views.my_steps, name="my_steps"),
    path(S + "plans/", views.plan_list, name="plan_list"),
    path(S + "plans/new/", views.plan_create, name="plan_create"),
    path(S + "plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path(S + "plans/<int:pk>/print/", views.plan_print, name="plan_print"),
    path(S + "plans/<int:pk>/export.csv", views.plan_export, name="plan_export"),
    path(S + "plans/<int:pk>/status/", views.plan_status, name="plan_status"),
    path(S + "plans/<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path(S + "goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path(S + "goals/<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path(S + "goals/<int:pk>/steps/new/", views.step_create, name="step_create"),
    path(S + "steps/<int:pk>/edit/", views.step_edit, name="step_edit"),
    path(S + "measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path(S + "goals/<int:pk>/learning/new/", views.learning_create, name="learning_create"),
    path(S + "measures/<int:pk>/data/new/", views.datapoint_create, name="datapoint_create"),
    path(S + "measures/<int:pk>/data/upload/", views.datapoint_upload, name="datapoint_upload"),
    path(S + "steps/<int:pk>/update/", views.step_progress, name="step_progress"),
    path(S + "evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path(S + "meetings/<int:pk>/plan-links/", views.agenda_link_add, name="agenda_link_add"),
    path(S + "plan-links/<int:pk>/remove/", views.agenda_link_remove, name="agenda_link_remove"),
    path(S + "meetings/<int:pk>/monitor-plan/", views.plan_monitor, name="plan_monitor"),
    path(S + "decisions/<int:pk>/goal/", views.decision_goal, name="decision_goal"),
    path(S + "plans/<int:pk>/coaching/", views.coaching, name="coaching"),
    path(S + "plans/<int:pk>/deleted/", views.plan_deleted, name="plan_deleted"),
    path(
        S + "goals/<int:pk>/delete/", views.plan_item_delete, {"kind": "goal"}, name="goal_delete"
    ),
    path(
        S + "measures/<int:pk>/delete/",
        views.plan_item_delete,
        {"kind": "measure"},
        name="measure_delete",
    ),
    path(
        S + "steps/<int:pk>/delete/", views.plan_item_delete, {"kind": "step"}, name="step_delete"
    ),
    path(S + "coaching/<int:pk>/reply/", views.coaching_reply, name="coaching_reply"),
    path(S + "coaching/<int:pk>/close/", views.coaching_close, name="coaching_close"),
]
