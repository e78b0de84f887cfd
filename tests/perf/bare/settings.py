"""Settings of the anchor site (see __init__.py): Django's defaults minus everything stateful."""

from pathlib import Path

SECRET_KEY = "bench-anchor-not-secret"  # signs nothing: no sessions, no forms
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.perf.bare.urls"
WSGI_APPLICATION = "tests.perf.bare.wsgi.application"
INSTALLED_APPS: list[str] = []
DATABASES: dict = {}
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [],
            # As in production: compiled templates kept in memory.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader"],
                )
            ],
        },
    }
]
USE_TZ = True
USE_I18N = False
LOGGING_CONFIG = None
