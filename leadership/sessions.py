"""Sessions in the database alone (see SESSION_ENGINE in config/settings.py), read with one
plain query.

Django's database backend reads a session through the ORM, which compiles the same SELECT on
every signed-in request. This backend is that one, reading the row with the statement
written out: the same table, the same expiry rule, the same answer (a missing or expired
session is a new, empty one). Writes, the key's rotation and clearing stay Django's.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        key = self.session_key
        if not key:
            self._session_key = None
            return {}
        model = self.model
        table = model._meta.db_table
        using = router.db_for_read(model)
        with connections[using].cursor() as cursor:
            cursor.execute(
                f'SELECT "session_data" FROM "{table}" '  # noqa: S608  (the model's table name)
                'WHERE "session_key" = %s AND "expire_date" > %s',
                [key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
