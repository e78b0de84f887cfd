"""Django's PostgreSQL backend, with a health check that asks the socket, not the server.

CONN_HEALTH_CHECKS keeps a persistent connection that died between two requests (a server
restarted or a backend terminated) from failing the next request: before a request's first
query Django asks `is_usable()`, which for PostgreSQL sends `SELECT 1`, a round trip on
every request that reads the database, the signed-in path included. A connection that the
server ended is told so on its socket: PostgreSQL writes its FATAL message ("terminating
connection ...") and closes, and the socket of an idle connection, readable at no other
time, becomes readable. So the check here is a poll of that socket, with no wait: anything
to read, an error or a hang-up is "not usable" (Django then opens a new connection). A
connection that psycopg already knows to be closed or broken is not usable either.

What it cannot see, `SELECT 1` could not have answered sooner: a peer that vanished without
a word (a cable cut) is found by the first query, as before, within the timeouts the
settings give (connect_timeout, the keepalives of the operating system).
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base

_READY = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), _READY)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
