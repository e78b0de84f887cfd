from django.urls import path

from . import views

app_name = "leadership"

urlpatterns = [
    path("my/work/", views.my_work, name="my_work"),
    path("districts/<slug:slug>/", views.district_detail, name="district_detail"),
    path("districts/<slug:slug>/invite/", views.district_invite, name="district_invite"),
    path("schools/<slug:slug>/", views.school_detail, name="school_detail"),
    path("schools/<slug:slug>/vision/", views.school_vision_edit, name="school_vision_edit"),
    path("schools/<slug:slug>/people/", views.school_people, name="school_people"),
    path("schools/<slug:slug>/people/invite/", views.school_invite, name="school_invite"),
    path(
        "schools/<slug:slug>/people/<int:pk>/grades/",
        views.family_grades_edit,
        name="family_grades_edit",
    ),
    path("invitations/<int:pk>/withdraw/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("language/", views.language_set, name="language_set"),
    path("sign-in/<slug:slug>/<slug:kind>/", views.sign_on_start, name="sign_on_start"),
]
