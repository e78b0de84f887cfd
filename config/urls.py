"""Top-level URLs: the apps, sign-in (allauth) and the admin site."""

from django.contrib import admin
from django.urls import include, path

from api.urls import api_urlpatterns
from leadership import health
from leadership import views as leadership_views

handler500 = "leadership.health.server_error"

urlpatterns = [
    path("", leadership_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("leadership.urls")),
    path("", include("teams.urls")),
    path("", include("workplans.urls")),
    path("", include("engagement.urls")),
    path("", include("community.urls")),
    path("", include("voice.urls")),
    path("", include("rostering.urls")),
    path("", include("district.urls")),
    path("", include("api.urls")),
    *api_urlpatterns,
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "leadership.errors.bad_request"
