"""The dashboard's one-query gate (`rollups.dashboard_gate`) restates `district_view`'s rule in
SQL for its hot path; this proves the two answer alike for every role and every district."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from district import rollups
from district.views import gate_answer
from leadership.models import Membership
from leadership.permissions import district_view
from tests.conftest import ROLES


@district_view()
def _probe(request, district):
    return HttpResponse(status=200)


def _status(call) -> int:
    try:
        return call().status_code
    except Http404:
        return 404
    except PermissionDenied:
        return 403


def _slugs(world):
    return {
        "own": world.district.slug,
        "other": world.other_district.slug,
        "missing": "no-such-district",
    }


@pytest.mark.parametrize("where", ["own", "other", "missing"])
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize("inactive", [False, True], ids=["active", "membership-ended"])
def test_the_gate_answers_as_district_view(world, role, where, inactive):
    user = getattr(world, role)
    if inactive:
        Membership.objects.filter(user=user).update(is_active=False)
    slug = _slugs(world)[where]
    request = RequestFactory().get("/")
    request.user = user

    expected = _status(lambda: _probe(request, slug=slug))
    gate = _status(lambda: gate_answer(rollups.dashboard_gate(slug, user.pk)))

    assert gate == expected
    # And the rule itself, so that both cannot drift together.
    admin_here = (role, where) in {("district_admin", "own"), ("other_district_admin", "other")}
    staff_here = where == "own" and role not in {"district_admin", "other_district_admin"}
    if inactive or where == "missing" or not (admin_here or staff_here):
        assert expected == 404
    else:
        assert expected == (200 if admin_here else 403)
