from django.urls import path

from . import views

app_name = "teams"

S = "schools/<slug:slug>"
M = f"{S}/meetings/<int:pk>"
P = f"{S}/teams/<int:pk>/proposals/<int:proposal_pk>"
D = f"{S}/proposals/<int:pk>"

urlpatterns = [
    path(f"{S}/teams/", views.team_list, name="team_list"),
    path(f"{S}/teams/<int:pk>/", views.team_detail, name="team_detail"),
    path(f"{S}/teams/<int:pk>/meetings/", views.meeting_schedule, name="meeting_schedule"),
    path(f"{S}/decisions/", views.decision_log, name="decision_log"),
    path(f"{M}/", views.meeting_detail, name="meeting_detail"),
    path(f"{M}/live/", views.meeting_live, name="meeting_live"),
    path(f"{M}/start/", views.meeting_start, name="meeting_start"),
    path(f"{M}/close/", views.meeting_close, name="meeting_close"),
    path(f"{M}/reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path(f"{M}/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(f"{M}/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path(f"{M}/items/", views.agenda_item_add, name="agenda_item_add"),
    path(f"{M}/items/<int:item_pk>/move/", views.agenda_item_move, name="agenda_item_move"),
    path(
        f"{M}/items/<int:item_pk>/current/", views.agenda_item_current, name="agenda_item_current"
    ),
    path(f"{M}/items/<int:item_pk>/minutes/", views.minutes_save, name="minutes_save"),
    path(f"{M}/approve/", views.minutes_approve, name="minutes_approve"),
    path(f"{M}/send-agenda/", views.agenda_send, name="agenda_send"),
    path(f"{M}/polls/", views.poll_open, name="poll_open"),
    path(f"{M}/polls/<int:poll_pk>/vote/", views.poll_vote, name="poll_vote"),
    path(f"{M}/polls/<int:poll_pk>/close/", views.poll_close, name="poll_close"),
    path(f"{M}/decisions/", views.decision_record, name="decision_record"),
    path(f"{M}/actions/", views.action_item_create, name="action_item_create"),
    path(f"{M}/actions/<int:action_pk>/done/", views.action_item_done, name="action_item_done"),
    path(f"{M}/actions/<int:action_pk>/edit/", views.action_item_edit, name="action_item_edit"),
    path(f"{M}/meeting.ics", views.meeting_ics_file, name="meeting_ics"),
    path(f"{M}/print/", views.meeting_print, name="meeting_print"),
]

urlpatterns += [
    path(f"{S}/teams/new/", views.team_create, name="team_create"),
    path(f"{S}/teams/<int:pk>/members/", views.member_add, name="member_add"),
    path(
        f"{S}/teams/<int:pk>/members/<int:member_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(f"{S}/teams/<int:pk>/minutes-rule/", views.minutes_rule_set, name="minutes_rule_set"),
    path(f"{S}/teams/<int:pk>/charter/", views.rule_save, name="rule_save"),
    path(f"{S}/teams/<int:pk>/seats/", views.seat_set, name="seat_set"),
    path(f"{S}/teams/<int:pk>/proposals/", views.proposal_create, name="proposal_create"),
    path(
        f"{P}/accept/",
        views.proposal_accept,
        name="proposal_accept",
    ),
    path(f"{P}/decline/", views.proposal_decline, name="proposal_decline"),
    path(f"{P}/file/", views.proposal_file, name="proposal_file"),
    path(f"{S}/teams/<int:pk>/decide/", views.proposal_open, name="proposal_open"),
    path(f"{D}/", views.proposal_detail, name="proposal_detail"),
    path(f"{D}/answer/", views.proposal_answer, name="proposal_answer"),
    path(f"{D}/amend/", views.proposal_amend, name="proposal_amend"),
    path(f"{D}/decide/", views.proposal_decide, name="proposal_decide"),
]
