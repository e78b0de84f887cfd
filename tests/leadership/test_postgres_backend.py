"""The database backend's health check (leadership/postgres/base.py) polls the connection's
socket instead of sending SELECT 1 before each request's first query: a live connection
passes without a statement sent, one that the server ended fails, and the next query opens a
new connection."""

from __future__ import annotations

import time
from unittest import mock

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the backend is PostgreSQL's"
)


@pytest.mark.django_db(transaction=True)
def test_a_live_connection_is_usable_without_a_statement_sent():
    connection.ensure_connection()
    assert connection.settings_dict["ENGINE"] == "leadership.postgres"
    with mock.patch.object(psycopg.Connection, "cursor", side_effect=AssertionError("a query")):
        assert connection.is_usable()


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_not_usable_and_is_opened_again():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    assert connection.is_usable()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's FATAL message is on its way
    assert not connection.is_usable()
    # As at a request's first query: the health check fails, a new connection is made.
    connection.health_check_done = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


@pytest.mark.django_db(transaction=True)
def test_a_connection_idle_for_a_while_is_asked_with_select_1(monkeypatch):
    """A peer gone without a word (a failover, a forgotten NAT entry) leaves nothing on the
    socket: a connection not checked for POLL_SECONDS gets Django's round trip instead."""
    from django.db.backends.postgresql.base import DatabaseWrapper as Django

    from leadership.postgres import base

    connection.ensure_connection()
    asked = []
    monkeypatch.setattr(Django, "is_usable", lambda self: asked.append(1) or True)
    assert connection.is_usable() and asked == []  # just connected: the poll
    monkeypatch.setattr(connection, "_checked_at", time.monotonic() - base.POLL_SECONDS - 1)
    assert connection.is_usable() and asked == [1]  # idle too long: SELECT 1
    assert connection.is_usable() and asked == [1]  # checked a moment ago: the poll again
