"""The signed-in person, read with their roles in one query on every request.

Django's AuthenticationMiddleware reads the user (one query), then every page reads the
person's memberships (leadership.permissions.roles_of: a second query) and the navigation
the names of their districts and schools (a third and a fourth). This middleware reads the
user and their active memberships, with those names, in a single query, and otherwise does
exactly what django.contrib.auth.get_user does: the backend named in the session must still
be configured, an inactive user is refused as the backend refuses them, and the session's
password hash is verified (with the fallback secrets) or the session is flushed.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from .models import District, Membership, School, Session, User
from .permissions import roles_from_rows


def _user_joins() -> tuple[str, str, list[str]]:
    """(columns, joins, attnames): the user's columns (table `u`) and their active
    memberships' ROLE_FIELDS (LEFT JOIN: a person without a role still signs in), built from
    the models' tables."""
    fields = User._meta.concrete_fields
    user_columns = ", ".join(f'u."{f.column}"' for f in fields)
    membership = Membership._meta
    m_user = membership.get_field("user").column
    m_district = membership.get_field("district").column
    m_school = membership.get_field("school").column
    columns = (
        f'{user_columns}, m."role", m."{m_district}", m."{m_school}", '
        'd."timezone", d."name", d."slug", sc."name", sc."slug"'
    )
    joins = (
        f'LEFT JOIN "{membership.db_table}" m ON m."{m_user}" = u."id" AND m."is_active" '
        f'LEFT JOIN "{District._meta.db_table}" d ON d."id" = m."{m_district}" '
        f'LEFT JOIN "{School._meta.db_table}" sc ON sc."id" = m."{m_school}" '
    )
    return columns, joins, [f.attname for f in fields]


@functools.cache
def _user_sql() -> tuple[str, list[str]]:
    """SELECT of the user of an id with their roles."""
    columns, joins, attnames = _user_joins()
    # Table and column names from the models' metadata only; the id is a parameter.
    sql = (
        f'SELECT {columns} FROM "{User._meta.db_table}" u {joins}'  # noqa: S608
        'WHERE u."id" = %s ORDER BY m."district_id", m."id"'
    )
    return sql, attnames


@functools.cache
def session_sql() -> str:
    """SELECT of a live session's data and its person's id (leadership.sessions), with the
    columns of `_user_sql` for that person (NULL when the row names nobody, or nobody who
    exists): one row per active membership. Parameters: the key and the time now."""
    session = Session._meta
    columns, joins, _attnames = _user_joins()
    return (
        f'SELECT s."session_data", s."user_id", {columns} '  # noqa: S608 (names from the models)
        f'FROM "{session.db_table}" s LEFT JOIN "{User._meta.db_table}" u ON u."id" = s."user_id" '
        f"{joins}"
        'WHERE s."session_key" = %s AND s."expire_date" > %s ORDER BY m."district_id", m."id"'
    )


def _user_from_rows(rows) -> User:
    """The user of `_user_sql`'s (or `session_sql`'s) rows, with their roles cached on them."""
    attnames = _user_sql()[1]
    width = len(attnames)
    user = User.from_db(connection.alias, attnames, rows[0][:width])
    user._accord_roles = roles_from_rows(row[width:] for row in rows if row[width] is not None)
    return user


def user_with_roles(user_id) -> User | None:
    """The user of this id with their roles cached on them (see roles_of), or None."""
    sql, _attnames = _user_sql()
    try:
        pk = User._meta.pk.to_python(user_id)
    except Exception:
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    return _user_from_rows(rows)


def _read_with_session(request, user_id) -> User | None:
    """The user the session's row named, read with it (leadership.sessions), when that is the
    user of `user_id` (the session's signed data): else None."""
    found = getattr(request.session, "user_rows", None)
    if found is None:
        return None
    try:
        pk = User._meta.pk.to_python(user_id)
    except Exception:
        return None
    return _user_from_rows(found[1]) if found[0] == pk else None


def _reads_user_as_model_backend(backend) -> bool:
    return isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user


def get_user(request):
    """django.contrib.auth.get_user, reading the user with their roles (see above)."""
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = load_backend(backend_path)
    if not _reads_user_as_model_backend(backend):
        return auth.get_user(request)
    user = _read_with_session(request, user_id) or user_with_roles(user_id)
    if user is None or not backend.user_can_authenticate(user):
        return AnonymousUser()
    session_hash = request.session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = session_auth_hash
        return user
    request.session.flush()
    return AnonymousUser()


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class UserWithRolesMiddleware(AuthenticationMiddleware):
    """AuthenticationMiddleware whose request.user comes with the person's roles."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))
