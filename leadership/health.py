"""Health of the site: liveness, readiness, and the page people see while the database is down."""

from __future__ import annotations

import logging
import secrets
import sys

from celery import current_app
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Each dependency gets this long to answer a readiness probe (seconds). The database's own
# bound is its connect_timeout (settings), the cache's its socket timeouts.
CHECK_TIMEOUT = 1.0
RETRY_AFTER_SECONDS = 60


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No database, no cache: a restart would not cure them."""
    return HttpResponse("ok", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    # The cache fails soft (a miss, not an error), so only a value read back proves it works.
    key, token = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token, 10)
    answer = cache.get(key)
    cache.delete(key)
    if answer != token:
        raise ConnectionError("the cache did not keep a value")


def _broker() -> None:
    # The project's app (config.celery), reached without importing the layer above.
    with current_app.connection_for_write() as broker:
        broker.transport_options.update(
            socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT
        )
        broker.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _state(name: str) -> str:
    try:
        CHECKS[name]()
    except Exception:
        logger.warning("readyz: %s is down", name, exc_info=True)
        return "down"
    return "ok"


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: each dependency ok or down. 503 only without the database.

    Without Redis the site still serves every page (sessions are in the database, the cache
    fails soft); Redis is shared by every web instance, so a 503 for it would take all of
    them out of the load balancer at once, for an outage the site rides through. It is
    reported, for monitoring, not acted on.
    """
    states = {name: _state(name) for name in CHECKS}
    status = 200 if states["database"] == "ok" else 503
    return JsonResponse(states, status=status)


# --- the page for a database outage ------------------------------------------------------

DATABASE_DOWN_TEMPLATE = "503.html"


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 in the person's language, from the language cookie or Accept-Language: their
    account, which holds their preference, cannot be read. Rendered without the request, so
    no context processor reaches for the database."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = loader.render_to_string(
            DATABASE_DOWN_TEMPLATE, {"LANGUAGE_CODE": translation.get_language()}
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


def _is_database_outage(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, (OperationalError, InterfaceError)):
            return True
        error = error.__cause__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django calls it while handling the exception, from a view or from any
    middleware (the session and the user are loaded there), so the exception is at hand."""
    if _is_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)
