"""Top-level URLs: the apps, sign-in (allauth) and the admin site."""

from django.contrib import admin
from django.urls import include, path

from leadership import views as leadership_views

urlpatterns = [
    path("", leadership_views.home, name="home"),
    path("healthz", leadership_views.healthz, name="healthz"),
    path("", include("leadership.urls")),
    path("", include("teams.urls")),
    path("", include("workplans.urls")),
    path("", include("engagement.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "leadership.errors.bad_request"
