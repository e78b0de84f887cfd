"""Top-level URLs: the apps, sign-in (allauth) and the admin site."""

from django.contrib import admin
from django.urls import include, path

from api.urls import api_urlpatterns
from config.routing import indexed
from leadership import health
from leadership import views as leadership_views

handler500 = "leadership.health.server_error"

# In the order Django tries them; `indexed` groups them for a quicker look-up (config/routing.py).
patterns = [
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
urlpatterns = indexed(patterns)

handler400 = "leadership.errors.bad_request"
