"""The loader of an object of a school: 404 outside the school, 403 without the right, the
district's zone switched on; its single-query form answers exactly as the two-query one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from leadership.models import Invitation
from leadership.permissions import is_principal, roles_of, school_object_view
from tests.conftest import ROLES

from .factories import InvitationFactory

ZONE = "Pacific/Auckland"  # far from the server's zone, so a missed switch shows


def _principal_of(user, invitation: Invitation) -> bool:
    return is_principal(user, invitation.school)


def _seen(request, invitation: Invitation) -> HttpResponse:
    return HttpResponse(f"{invitation.pk} {timezone.get_current_timezone_name()}")


VIEWS = {
    "two queries": school_object_view(Invitation.objects.all(), "school", _principal_of)(_seen),
    "one query": school_object_view(
        Invitation.objects.all(), "school", _principal_of, one_query=True
    )(_seen),
}

# role -> what it gets for an invitation of its school named under that school's slug
EXPECTED = {
    "anonymous": 404,
    "district_admin": 403,
    "principal": 200,
    "teacher_leader": 403,
    "staff": 403,
    "family": 403,
    "other_school_principal": 404,
    "other_district_admin": 404,
}


def _answer(view, user, slug: str, pk: int) -> int | str:
    request = RequestFactory().get("/")
    request.user = user if user is not None else AnonymousUser()
    try:
        return view(request, slug=slug, pk=pk).content.decode()
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    finally:
        timezone.deactivate()


@pytest.mark.parametrize("form", list(VIEWS))
@pytest.mark.parametrize("role", ROLES)
def test_an_object_of_the_school_answers_by_role_in_both_forms(world, role, form):
    world.district.timezone = ZONE
    world.district.save()
    invitation = InvitationFactory(school=world.school)
    answer = _answer(VIEWS[form], world.user(role), world.school.slug, invitation.pk)
    expected = EXPECTED[role]
    if expected == 200:
        assert answer == f"{invitation.pk} {ZONE}"
    else:
        assert answer == expected


@pytest.mark.parametrize("form", list(VIEWS))
def test_another_schools_object_under_this_schools_slug_is_404(world, form):
    elsewhere = InvitationFactory(school=world.other_school)
    assert _answer(VIEWS[form], world.principal, world.school.slug, elsewhere.pk) == 404
    assert _answer(VIEWS[form], world.principal, "no-such-school", elsewhere.pk) == 404


def test_one_query_form_reads_once(world, django_assert_num_queries):
    invitation = InvitationFactory(school=world.school)
    roles_of(world.principal)  # read once per request and kept on the user: not counted here
    with django_assert_num_queries(1):
        answer = _answer(VIEWS["one query"], world.principal, world.school.slug, invitation.pk)
    assert answer == f"{invitation.pk} {world.district.timezone}"
