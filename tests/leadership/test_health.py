"""Liveness, readiness and the page shown while the database is unreachable."""

import socket

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import path
from django.utils import translation

from leadership import health
from leadership.sessions import SessionStore  # the SESSION_ENGINE of the settings

DOWN_TITLE = "Accord is briefly unavailable"
DOWN_MESSAGE = "We cannot reach our records right now. Please try again in a minute."


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_without_the_database(client):
    # No django_db mark: a query would raise here.
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_without_the_database(client, monkeypatch):
    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_readyz_stays_200_with_the_cache_and_broker_down(client, settings):
    from config.celery import app

    nowhere = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": nowhere,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }
    # What the web app publishes to. The raw setting is put back (not the URL it resolved
    # to), or every later test would publish to this broker whatever it configures.
    unset = app.conf.get("broker_write_url")
    app.conf.broker_write_url = nowhere
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_write_url = unset
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "down", "broker": "down"}


@pytest.fixture
def session_cannot_load(monkeypatch, client):
    """The session, read by the middleware before any view, meets an unreachable database."""

    def load(self):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    monkeypatch.setattr(SessionStore, "load", load)
    client.cookies["sessionid"] = "a" * 32
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}, "es"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US"}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US", "HTTP_COOKIE": "accord_language=es"}, "es"),
    ],
)
def test_a_database_outage_answers_503_in_the_persons_language(
    session_cannot_load, headers, language
):
    cookie = headers.pop("HTTP_COOKIE", None)
    if cookie:
        name, value = cookie.split("=")
        session_cannot_load.cookies[name] = value
    response = session_cannot_load.get("/schools/lincoln/", **headers)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert translation.gettext(DOWN_MESSAGE) in html
        assert translation.gettext(DOWN_TITLE) in html


def _lost_connection(request):
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError as error:
        raise RuntimeError("while saving the RSVP") from error


urlpatterns = [path("lost", _lost_connection)]
handler500 = "leadership.health.server_error"


def test_a_view_that_loses_its_connection_answers_503(client, settings):
    settings.ROOT_URLCONF = __name__  # this module: one view, and the project's handler500
    client.raise_request_exception = False
    response = client.get("/lost", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 503
    assert '<html lang="es">' in response.content.decode()
    assert "Accord no está disponible por un momento" in response.content.decode()


def test_other_errors_keep_the_500_page(session_cannot_load, monkeypatch):
    def broken(self):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(SessionStore, "load", broken)
    response = session_cannot_load.get("/schools/lincoln/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
