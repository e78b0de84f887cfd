from django.urls import path

from . import views

app_name = "engagement"

event = "schools/<slug:slug>/events/<int:pk>/"

urlpatterns = [
    path("family/", views.family_home, name="family_home"),
    path("schools/<slug:slug>/events/", views.event_list, name="event_list"),
    path("schools/<slug:slug>/events/new/", views.event_create, name="event_create"),
    path(event, views.event_detail, name="event_detail"),
    path(event + "edit/", views.event_edit, name="event_edit"),
    path(event + "publish/", views.event_publish, name="event_publish"),
    path(event + "cancel/", views.event_cancel, name="event_cancel"),
    path(event + "rsvp/", views.rsvp_submit, name="rsvp_submit"),
    path(event + "rsvp/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path(event + "calendar.ics", views.event_ics, name="event_ics"),
    path(event + "rsvps/", views.rsvp_list, name="rsvp_list"),
    path(event + "rsvps.csv", views.rsvp_csv, name="rsvp_csv"),
    path(event + "door/", views.check_in, name="check_in"),
    path(event + "door/<int:rsvp_pk>/", views.check_in_mark, name="check_in_mark"),
    path(event + "door/walk-in/", views.walk_in, name="walk_in"),
    path(event + "feedback/", views.feedback, name="feedback"),
    path("rsvp/<str:token>/", views.rsvp_link, name="rsvp_link"),
    path("calendars/<str:token>.ics", views.school_feed, name="school_feed"),
    path(
        "schools/<slug:slug>/calendar-link/replace/",
        views.calendar_feed_rotate,
        name="calendar_feed_rotate",
    ),
    path(
        "schools/<slug:slug>/calendar-link/mine/replace/",
        views.my_calendar_feed_rotate,
        name="my_calendar_feed_rotate",
    ),
]
