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

Sessions begun before this table existed are in Django's (django_session). A key not found
here is looked for there once, and a live session found there is moved here (`_carry_over`):
so nobody is signed out by the upgrade, and a session signed out on the old code while the
upgrade ran (its row deleted from Django's table) stays signed out.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router, transaction
from django.utils import timezone


def _user_id_of(data) -> int | None:
    try:
        return int(data.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None


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
        obj.user_id = _user_id_of(data)
        return obj

    async def acreate_model_instance(self, data):
        obj = await super().acreate_model_instance(data)
        obj.user_id = _user_id_of(data)
        return obj

    def _read(self, using: str, key: str) -> list[tuple]:
        from .auth import session_sql

        with connections[using].cursor() as cursor:
            cursor.execute(session_sql(), [key, timezone.now()])
            return cursor.fetchall()

    def load(self):
        self.user_rows = None
        key = self.session_key
        if not key:
            self._session_key = None
            return {}
        using = router.db_for_read(self.model)
        rows = self._read(using, key)
        if not rows and self._carry_over(key):
            rows = self._read(using, key)
        if not rows:
            self._session_key = None
            return {}
        data, user_id = rows[0][0], rows[0][1]
        if user_id is not None and rows[0][2] is not None:
            self.user_rows = (user_id, [row[2:] for row in rows])
        return self.decode(data)

    def _carry_over(self, key: str) -> bool:
        """Move the live session of this key from Django's table to this one, if it is there
        (begun before this table existed): True if it was."""
        from django.contrib.sessions.models import Session as DjangoSession

        using = router.db_for_write(self.model)
        old = (
            DjangoSession.objects.using(using)
            .filter(session_key=key, expire_date__gt=timezone.now())
            .first()
        )
        if old is None:
            return False
        data = self.decode(old.session_data)
        if not data:  # unreadable (tampered, or signed with a retired secret): a new session
            return False
        with transaction.atomic(using=using):
            # Two first requests at once both move it: the second finds it here already.
            self.model.objects.using(using).bulk_create(
                [
                    self.model(
                        session_key=key,
                        session_data=old.session_data,
                        expire_date=old.expire_date,
                        user_id=_user_id_of(data),
                    )
                ],
                ignore_conflicts=True,
            )
            DjangoSession.objects.using(using).filter(session_key=key).delete()
        return True
