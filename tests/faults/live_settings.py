"""Settings of the app that the PostgreSQL fault test runs in a process of its own: the
project's settings with DEBUG off, so errors go through handler500 as in production, over
plain HTTP and with static files served uncollected."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

DEBUG = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
