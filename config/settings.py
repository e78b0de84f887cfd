"""Accord settings: one module, read from the environment, with safe defaults for a fresh clone.

A fresh clone runs on SQLite, local-memory cache, console e-mail and eager Celery tasks.
DEBUG is off unless the environment turns it on (`make run` and the tests do, for themselves),
so a production host with a variable missing never serves debug pages. Production sets
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, CELERY_BROKER_URL and EMAIL_URL (see README).
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "django-insecure-accord-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured(
        "Set SECRET_KEY in the environment (or DEBUG=1 on a development machine)."
    )
ALLOWED_HOSTS = [
    host.strip() for host in env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
]
CSRF_TRUSTED_ORIGINS = [origin.strip() for origin in env.list("CSRF_TRUSTED_ORIGINS", default=[])]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "template_partials",
    "csp",
    "leadership",
    "teams",
    "workplans",
    "engagement",
    "community",
    "voice",
    "rostering",
    "district",
    "api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp's, with the site-wide policy built once (see the class).
    "leadership.middleware.ContentSecurityPolicyMiddleware",
    "leadership.middleware.SignOnFormActionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, reading the person's roles with them (one query).
    "leadership.auth.UserWithRolesMiddleware",
    "leadership.middleware.UserLanguageMiddleware",
    "leadership.middleware.DistrictTimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "leadership.middleware.SignOnFailureMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
# Pages whose layout is written in Python (leadership.page.render_template_page) rendered by
# their template as well, and compared: on in the test suite (tests/conftest.py), never in
# production, where it would render each such page twice.
PAGE_CHECK = False
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "leadership.context_processors.navigation",
                "leadership.context_processors.layout",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if not DEBUG else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
ON_POSTGRES = "postgresql" in DATABASES["default"]["ENGINE"]
if ON_POSTGRES:
    # Django's backend, whose health check polls the connection's socket rather than sending
    # SELECT 1 before every request's first query (leadership/postgres/base.py).
    DATABASES["default"]["ENGINE"] = "leadership.postgres"
    # An unreachable server fails the request (503, see leadership.errors) within seconds
    # instead of holding a worker until the operating system gives up on the connection.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
# Behind PgBouncer in transaction mode (DATABASE_POOL=pgbouncer; docs/deploy.md), a server
# connection passes to another client after every transaction, so nothing may outlive one:
# QuerySet.iterator() outside a transaction would open a cursor WITH HOLD on one server
# connection and fetch from another ("cursor ... does not exist"), and a prepared statement
# would be prepared on one server connection and run on another: parameters are bound on the
# client there, and nothing is prepared.
DATABASE_POOL = env.str("DATABASE_POOL", default="")
if DATABASE_POOL not in ("", "pgbouncer"):
    raise environ.ImproperlyConfigured("DATABASE_POOL is either empty or 'pgbouncer'.")
if DATABASE_POOL == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
elif ON_POSTGRES and env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # Parameters bound on the server, so that psycopg prepares a statement once a connection
    # has run it five times and PostgreSQL plans it once, not on every request: planning was
    # most of PostgreSQL's time on the busiest reads (0.3 ms for the person with their roles,
    # on every signed-in request, against 0.1 ms to run it; 0.8 ms for "my work"'s action
    # items; EXPLAIN's planning time). Both settings are needed: Django turns psycopg's
    # preparing off unless `prepare_threshold` is given, and psycopg prepares nothing whose
    # parameters are bound on the client.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # A cache, not a store: when Redis cannot be reached every read is a miss, every write
    # is dropped and a line is logged (django_redis.cache), and the page is built from the
    # database. The short timeouts keep a hung Redis from hanging the requests.
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="accord"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.25),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.25),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions live in the database alone. cached_db would save one query per page, but a
# session changed while Redis is unreachable (a sign-out, a sign-in, a new CSRF secret) is
# written to the database only, and the copy Redis kept would be served again once it
# answers: a sign-out undone. The database is the one place a session can be trusted.
# leadership.sessions is Django's database backend, reading a session with one plain query.
SESSION_ENGINE = "leadership.sessions"

AUTH_USER_MODEL = "leadership.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Sign-in (django-allauth). E-mail is the login; nobody signs up on their own: people
# arrive through an invitation (leadership.services.invitation_accept). Families sign
# in with a code e-mailed to them and never need a password.
ACCOUNT_ADAPTER = "leadership.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "leadership.forms.SignInForm",
    "request_login_code": "leadership.forms.RequestSignInCodeForm",
    "confirm_login_code": "leadership.forms.ConfirmSignInCodeForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Accord] "
# Who has an account stays private: an account here means a link to a school (a family's
# too), so an unknown address gets the same answer as a known one ("if this address has an
# account, a code is on its way") for sign-in by code and password reset, and its owner an
# e-mail saying no account uses it. The rate limits below count unknown addresses alike.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# The rate limits count per client address. Behind the TLS proxy every request comes from
# the proxy's address, so the limits would be shared by the whole district: trust the
# X-Forwarded-For entry the proxy adds (production runs behind exactly one by default).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)

# Single sign-on for staff (leadership.sso): each district configures its own Google
# Workspace, Microsoft Entra ID or OpenID Connect provider on its sign-in page; nothing of it
# lives in settings. A provider's client secret is entered there or set in the environment as
# SSO_SECRET_<DISTRICT>_<KIND> (docs/deploy.md). Nobody signs up through a provider.
SOCIALACCOUNT_ADAPTER = "leadership.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_TIMEOUT", default=5)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"OAUTH_PKCE_ENABLED": True},
}

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

LANGUAGE_CODE = "en"
# English first: the language the code is written in. Families are served in each of these;
# Vietnamese is among the home languages large US districts most often serve (see
# docs/architecture.md, "Languages").
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("vi", _("Vietnamese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "accord_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Request and upload limits. Every file streams through leadership.uploads.CappedUploadHandler,
# which stops keeping a file once it passes the cap of its kind (the view names the kind with
# @upload_limit), so a large upload costs neither memory nor disk; the form then says the limit.
MB = 1024 * 1024
# The fields of one request, files not counted (they have the caps below).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * MB)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 40  # a OneRoster export sent as its separate CSV files has up to 22
FILE_UPLOAD_MAX_MEMORY_SIZE = 1 * MB  # a larger upload is spooled to a temporary file, not RAM
FILE_UPLOAD_HANDLERS = [
    "leadership.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# OneRoster REST (rostering/sis.py): seconds to wait for one answer of the SIS, records per
# page, and optionally the client secrets kept in the environment instead of the database,
# as JSON of district slug -> secret.
ROSTER_SIS_TIMEOUT = env.float("ROSTER_SIS_TIMEOUT", default=30.0)
ROSTER_SIS_PAGE_SIZE = env.int("ROSTER_SIS_PAGE_SIZE", default=500)
ROSTER_SIS_SECRETS = env.json("ROSTER_SIS_SECRETS", default={})
ROSTER_MAX_UPLOAD_BYTES = env.int("ROSTER_MAX_UPLOAD_BYTES", default=200 * MB)
UPLOAD_MAX_BYTES = {  # one file, by kind of upload
    "default": 2 * MB,  # a view that names no kind
    "data_csv": env.int("DATA_CSV_MAX_UPLOAD_BYTES", default=2 * MB),  # a measure's data points
    "evidence": 10 * MB,  # each evidence file of a progress update
    "message_file": 10 * MB,  # each file attached to a message between a family and the school
    "roster": ROSTER_MAX_UPLOAD_BYTES,  # a district's OneRoster export (zip or CSV files)
}
DATA_CSV_MAX_ROWS = env.int("DATA_CSV_MAX_ROWS", default=20_000)
DATA_CSV_MAX_FIELD_CHARS = 200  # a date, a number, a group name: far below csv's own 128 KB
DATA_CSV_BATCH_ROWS = 1000

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Accord <no-reply@accord.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker in the environment tasks run eagerly in-process, so a fresh
# clone needs no Redis. Tasks are queued on commit and take ids.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Every task is idempotent (see DESIGN.md), so a task is acknowledged only once it has run,
# and one whose worker died mid-run (OOM, SIGKILL, a lost host) goes back to the queue
# instead of being dropped: acks_late alone acknowledges a task whose worker was lost.
# Redis redelivers a message not acknowledged within `visibility_timeout`, so it must be longer
# than the longest task (a district's roster apply: a few minutes) or a task still running
# would be handed to a second worker; 15 minutes leaves room and still bounds how long a task
# of a vanished worker waits.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"

# Security. The development server keeps plain HTTP; DEBUG=0 turns on everything
# `manage.py check --deploy` asks for. The proxy in front sets X-Forwarded-Proto.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie, but the admin's JS does
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The directive alone changes nothing until the domain is submitted to the preload list.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy: no inline script or style anywhere, no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The address people reach the portal at, for links in e-mails sent by background tasks.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# Periodic work (Celery beat). Each task is idempotent: running it twice sends nothing twice.
CELERY_BEAT_SCHEDULE = {
    # A proposal's outcome is stated at its deadline (or earlier, once everyone has answered).
    "teams-close-due-proposals": {
        "task": "teams.tasks.close_due_proposals",
        "schedule": 60,
    },
    "teams-send-upcoming-agendas": {
        "task": "teams.tasks.send_upcoming_agendas",
        "schedule": 15 * 60,
        "kwargs": {"hours": 48},
    },
    # Beat keeps UTC; 14:00 UTC is Monday morning (and the 1st of the month) in every US
    # district's zone, so the week and the month each task takes from the district's
    # calendar are the same everywhere.
    "workplans-weekly-step-reminders": {
        "task": "workplans.tasks.queue_step_reminders",
        "schedule": crontab(minute=0, hour=14, day_of_week="mon"),
    },
    # The same weekly hour as the step reminders: one list of each person's work.
    "leadership-my-work-weekly": {
        "task": "leadership.tasks.queue_my_work_weekly",
        "schedule": crontab(minute=0, hour=14, day_of_week="mon"),
    },
    "workplans-monthly-digest": {
        "task": "workplans.tasks.queue_monthly_digests",
        "schedule": crontab(minute=30, hour=14, day_of_month="1"),
    },
    "engagement-due-messages": {
        "task": "engagement.tasks.queue_due_messages",
        "schedule": 15 * 60,
    },
    # An announcement whose batch gave up (the mail server down past its retries) goes on.
    "community-resume-announcements": {
        "task": "community.tasks.resume_announcements",
        "schedule": 15 * 60,
    },
    # Work recorded in the outbox whose hand-over to the broker failed at commit.
    "leadership-sweep-outbox": {
        "task": "leadership.tasks.sweep_outbox",
        "schedule": 60,
    },
    # Who answered an anonymous survey, kept apart from the answers until a batch of at least
    # the district's threshold can be written (voice.pending).
    "voice-flush-participations": {
        "task": "voice.tasks.flush_participations",
        "schedule": 60,
        # A flush that waited past the next one is dropped, not run beside it.
        "options": {"expires": 55},
    },
    "district-refresh-dashboards": {
        "task": "district.tasks.refresh_dashboards",
        "schedule": crontab(minute=5),
    },
    # Each night, what changed in each connected district's information system (09:15 UTC
    # is 1:15 to 5:15 a.m. across the US zones, after the SIS's own nightly jobs).
    "rostering-sync-nightly": {
        "task": "rostering.tasks.sync_rosters_nightly",
        "schedule": crontab(minute=15, hour=9),
    },
    # Expired sessions' rows, each night (an expired session is already a signed-out one).
    "leadership-clear-expired-sessions": {
        "task": "leadership.tasks.clear_expired_sessions",
        "schedule": crontab(minute=45, hour=9),
    },
    # A roster apply whose worker vanished is shown failed (and can be applied again).
    "rostering-sweep-stalled-imports": {
        "task": "rostering.tasks.sweep_stalled_roster_imports",
        "schedule": 60,
    },
}
# How old an undispatched outbox row is before the sweep queues it (seconds).
OUTBOX_OVERDUE_SECONDS = env.int("OUTBOX_OVERDUE_SECONDS", default=60)
# Requests one API token may make per minute (api.api._count_request); then 429.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)
ENGAGEMENT_REMINDER_HOURS = env.int("ENGAGEMENT_REMINDER_HOURS", default=48)
ENGAGEMENT_RSVP_LINK_MAX_AGE = env.int("ENGAGEMENT_RSVP_LINK_MAX_AGE", default=14 * 24 * 3600)
# Messages between families and the school: how long the e-mailed link to a conversation
# opens it, and how many messages one person may send in an hour (each may e-mail someone).
COMMUNITY_THREAD_LINK_MAX_AGE = env.int("COMMUNITY_THREAD_LINK_MAX_AGE", default=30 * 24 * 3600)
COMMUNITY_MESSAGES_PER_HOUR = env.int("COMMUNITY_MESSAGES_PER_HOUR", default=30)
COMMUNITY_ANNOUNCEMENTS_PER_DAY = env.int("COMMUNITY_ANNOUNCEMENTS_PER_DAY", default=10)
