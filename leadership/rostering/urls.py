from django.urls import path  # noqa: F401

# Included by leadership/urls.py without a namespace of its own: names live in "leadership:".
urlpatterns: list = []
