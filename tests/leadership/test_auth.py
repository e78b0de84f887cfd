"""The signed-in person is read with their roles and their session in one query
(leadership.sessions, leadership.auth), and is refused exactly as Django refuses them: a
deactivated account, a changed password, a session whose backend is no longer configured."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leadership.models import Membership, Role

pytestmark = pytest.mark.django_db

HEALTHZ = "/healthz"
MY_WORK = reverse("leadership:my_work")


def test_the_user_and_roles_are_one_query(world, client_for):
    client = client_for(world.principal)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(MY_WORK)
    assert response.status_code == 200
    reads = [q["sql"] for q in queries.captured_queries]
    users = [sql for sql in reads if "leadership_user" in sql]
    assert len(users) == 1
    assert "leadership_membership" in users[0] and "leadership_session" in users[0]
    assert sum("leadership_session" in sql for sql in reads) == 1
    assert not any(sql.startswith('SELECT "leadership_membership"') for sql in reads)
    # The navigation names the school without reading it.
    assert world.school.name in response.content.decode()
    assert not any('FROM "leadership_school"' in sql for sql in reads)


def test_a_person_without_a_role_is_still_signed_in(world, client_for):
    Membership.objects.filter(user=world.principal).update(is_active=False)
    client = client_for(world.principal)
    response = client.get(MY_WORK)
    assert response.status_code == 200
    assert response.wsgi_request.user == world.principal


def test_a_deactivated_account_is_signed_out(world, client_for):
    client = client_for(world.principal)
    world.principal.is_active = False
    world.principal.save(update_fields=["is_active"])
    assert client.get(HEALTHZ).wsgi_request.user.is_authenticated is False


def test_a_changed_password_ends_other_sessions(world, client_for):
    client = client_for(world.principal)
    world.principal.set_password("a whole new password 42")
    world.principal.save()
    response = client.get(MY_WORK)
    assert response.status_code == 302
    assert not client.session.get("_auth_user_id")


def test_a_backend_no_longer_configured_signs_out(world, client_for, settings):
    client = client_for(world.principal)
    session = client.session
    session[BACKEND_SESSION_KEY] = "some.removed.Backend"
    session.save()
    assert client.get(HEALTHZ).wsgi_request.user.is_authenticated is False


def test_roles_read_with_the_user_match_roles_of(world, client_for):
    from leadership.permissions import forget_roles, roles_of

    client = client_for(world.principal)
    user = client.get(MY_WORK).wsgi_request.user
    merged = roles_of(user)
    forget_roles(user)
    assert roles_of(user) == merged
    assert Role.PRINCIPAL in merged.at(world.school)


def test_the_session_row_names_whoever_signs_in_and_out(world, client):
    from leadership.models import Session

    client.force_login(world.principal)
    assert Session.objects.get(session_key=client.session.session_key).user_id == (
        world.principal.pk
    )
    client.force_login(world.staff)  # another person on the same browser
    row = Session.objects.get(session_key=client.session.session_key)
    assert row.user_id == world.staff.pk
    assert client.get(MY_WORK).wsgi_request.user == world.staff
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(user_id=world.staff.pk).exists()


def test_a_row_naming_someone_else_than_its_signed_data_is_not_trusted(world, client_for):
    """The person read with the session is taken only when the row and the signed data agree
    (a row written otherwise, by hand or by a restore): the data's person is read instead."""
    from leadership.models import Session

    client = client_for(world.principal)
    Session.objects.filter(session_key=client.session.session_key).update(
        user_id=world.district_admin.pk
    )
    with CaptureQueriesContext(connection) as queries:
        user = client.get(MY_WORK).wsgi_request.user
    assert user == world.principal and user.pk != world.district_admin.pk
    assert Role.PRINCIPAL in user._accord_roles.at(world.school)
    reads = [q["sql"] for q in queries.captured_queries]
    assert sum("leadership_user" in sql for sql in reads) == 2  # with the session, then alone


def _begun_before_the_upgrade(client, user):
    """Sign `user` in on `client`, then move the session to Django's own table, where
    sessions begun before leadership.sessions are."""
    from django.contrib.sessions.models import Session as DjangoSession

    from leadership.models import Session

    client.force_login(user)
    key = client.session.session_key
    row = Session.objects.get(session_key=key)
    Session.objects.filter(session_key=key).delete()
    DjangoSession.objects.create(
        session_key=key, session_data=row.session_data, expire_date=row.expire_date
    )
    return key


def test_a_session_begun_before_the_upgrade_is_carried_over_once(world, client):
    """Nobody is signed out by the upgrade that gave sessions their person's id: a session
    of Django's table is moved to this one on its first request."""
    from django.contrib.sessions.models import Session as DjangoSession

    from leadership.models import Session

    key = _begun_before_the_upgrade(client, world.principal)
    assert client.get(MY_WORK).wsgi_request.user == world.principal
    assert not DjangoSession.objects.exists()
    assert Session.objects.get(session_key=key).user_id == world.principal.pk
    with CaptureQueriesContext(connection) as queries:
        assert client.get(MY_WORK).wsgi_request.user == world.principal
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)


def test_a_session_signed_out_on_the_old_code_stays_signed_out(world, client):
    """Signed out while the upgrade ran (its row gone from Django's table), or never
    readable: nothing of it is carried over."""
    from django.contrib.sessions.models import Session as DjangoSession

    from leadership.models import Session

    key = _begun_before_the_upgrade(client, world.principal)
    DjangoSession.objects.filter(session_key=key).delete()
    assert client.get(MY_WORK).status_code == 302
    _begun_before_the_upgrade(client, world.principal)
    DjangoSession.objects.update(session_data="tampered")
    assert client.get(MY_WORK).status_code == 302
    assert not Session.objects.filter(user_id=world.principal.pk).exists()


def test_expired_sessions_are_cleared_each_night_in_batches(world, client_for, monkeypatch):
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.sessions.models import Session as DjangoSession
    from django.utils import timezone

    from leadership import tasks
    from leadership.models import Session

    live = client_for(world.principal)
    past = timezone.now() - timedelta(seconds=1)
    Session.objects.bulk_create(
        Session(session_key=f"{n:032d}", session_data="", expire_date=past) for n in range(7)
    )
    DjangoSession.objects.create(session_key="d" * 32, session_data="", expire_date=past)
    monkeypatch.setattr(tasks, "SESSIONS_CLEARED_AT_ONCE", 3)
    assert tasks.clear_expired_sessions.delay().get() == 8
    assert not DjangoSession.objects.exists()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session.session_key]
    assert live.get(MY_WORK).status_code == 200
    entry = settings.CELERY_BEAT_SCHEDULE["leadership-clear-expired-sessions"]
    assert entry["task"] == tasks.clear_expired_sessions.name
