"""Sessions in the database alone (see SESSION_ENGINE in config/settings.py), read with the
signed-in person in one plain query.

Django's database backend reads a session through the ORM, which compiles the same SELECT on
every signed-in request, and the person is then read by a second query. This backend is that
one, with two changes: its rows (leadership.models.Session) carry the signed-in person's id
beside the signed data, written from the data whenever the session is saved; and the row is
read with the statement written out, joined to that person and their roles
(leadership.auth.session_sql), so that `leadership.auth.get_user` need not read them again.
The same expiry rule and the same answer otherwise (a missing or expired session is a new,
empty one); writes, the key's rotation and clearing stay Django's.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    # (the person's id on the row, the rows of that person and their roles), as read with
    # the session; None when the row names nobody.
    user_rows = None

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        try:
            obj.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            obj.user_id = None
        return obj

    def load(self):
        from .auth import session_sql

        self.user_rows = None
        key = self.session_key
        if not key:
            self._session_key = None
            return {}
        using = router.db_for_read(self.model)
        with connections[using].cursor() as cursor:
            cursor.execute(session_sql(), [key, timezone.now()])
            rows = cursor.fetchall()
        if not rows:
            self._session_key = None
            return {}
        data, user_id = rows[0][0], rows[0][1]
        if user_id is not None and rows[0][2] is not None:
            self.user_rows = (user_id, [row[2:] for row in rows])
        return self.decode(data)
