from django.urls import path, re_path

from . import views
from .api import api

app_name = "api"

urlpatterns = [
    path("districts/<slug:slug>/api-tokens/", views.tokens, name="tokens"),
    path(
        "districts/<slug:slug>/api-tokens/<int:pk>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
]

# Included at the top level (not under app_name): the API's own routes and its 404.
api_urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", views.not_found, name="api_not_found"),
]
