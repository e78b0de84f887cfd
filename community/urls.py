from django.urls import path

from . import views

app_name = "community"

messages = "schools/<slug:slug>/messages/"

urlpatterns = [
    path(messages, views.conversation_list, name="conversation_list"),
    path(messages + "<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path(messages + "<int:pk>/close/", views.conversation_close, name="conversation_close"),
    path(messages + "files/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("schools/<slug:slug>/inbox/", views.inbox, name="inbox"),
    path("schools/<slug:slug>/inbox/response-times/", views.response_times, name="response_times"),
    path("schools/<slug:slug>/announcements/", views.announcement_list, name="announcement_list"),
    path(
        "schools/<slug:slug>/announcements/new/",
        views.announcement_create,
        name="announcement_create",
    ),
    path(
        "schools/<slug:slug>/announcements/<int:pk>/",
        views.announcement_detail,
        name="announcement_detail",
    ),
    path("schools/<slug:slug>/announcements/writers/", views.announcers, name="announcers"),
    path("schools/<slug:slug>/partners/", views.directory, name="directory"),
    path("schools/<slug:slug>/partners/new/", views.partner_create, name="partner_create"),
    path(
        "schools/<slug:slug>/partners/<int:pk>/edit/",
        views.partner_edit,
        name="partner_edit",
    ),
    path(
        "schools/<slug:slug>/partners/<int:pk>/remove/",
        views.partner_remove,
        name="partner_remove",
    ),
    path("schools/<slug:slug>/coordinators/", views.coordinators, name="coordinators"),
    path("schools/<slug:slug>/help/", views.help_request_create, name="help_request_create"),
    path("schools/<slug:slug>/help/requests/", views.help_inbox, name="help_inbox"),
    path(
        "schools/<slug:slug>/help/requests/<int:pk>/",
        views.help_request_detail,
        name="help_request_detail",
    ),
    path("messages/<str:token>/", views.thread_link, name="thread_link"),
    path("messages/<str:token>/files/<int:pk>/", views.thread_link_file, name="thread_link_file"),
]
