from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("family/", views.family_home, name="family_home"),
]
