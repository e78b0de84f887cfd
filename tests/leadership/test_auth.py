"""The signed-in person is read with their roles in one query (leadership.auth), and is
refused exactly as Django refuses them: a deactivated account, a changed password, a
session whose backend is no longer configured."""

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
    assert "leadership_membership" in users[0]
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
