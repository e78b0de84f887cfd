"""Django's PostgreSQL backend, with a health check that asks the socket, not the server, of a
connection in use a moment ago.

CONN_HEALTH_CHECKS keeps a persistent connection that died between two requests (a server
restarted or a backend terminated) from failing the next request: before a request's first
query Django asks `is_usable()`, which for PostgreSQL sends `SELECT 1`, a round trip on
every request that reads the database, the signed-in path included. A connection that the
server ended is told so on its socket: PostgreSQL writes its FATAL message ("terminating
connection ...") and closes, and the socket of an idle connection, readable at no other
time, becomes readable. So a connection checked less than `POLL_SECONDS` ago, as every
connection of a busy worker is, is checked by a poll of that socket, with no wait: anything
to read, an error or a hang-up is "not usable" (Django then opens a new connection).

What a poll cannot see is a peer gone without a word: a failover that moved the server's
address, or a firewall or NAT that forgot the connection. `SELECT 1` finds those at once
(the packet is answered by a reset) where a poll finds them only at the first real query, a
failed request. So a connection idle for longer than that, as a quiet worker's is, gets
Django's `SELECT 1` as before; and one that psycopg knows to be closed or broken, or that is
not idle between transactions, is not usable.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

_READY = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL
POLL_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    _checked_at: float | None = None

    def connect(self):
        super().connect()
        self._checked_at = time.monotonic()

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        now = time.monotonic()
        recent = self._checked_at is not None and now - self._checked_at < POLL_SECONDS
        self._checked_at = now
        if not recent:
            return super().is_usable()
        try:
            if connection.info.transaction_status != TransactionStatus.IDLE:
                return False
            poller = select.poll()
            poller.register(connection.fileno(), _READY)
            return not poller.poll(0)
        except (OSError, ValueError, base.Database.Error):
            return False
