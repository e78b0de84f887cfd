"""A family's grades set by hand on the people page, shown there, and their display."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leadership import grades as grade_codes
from leadership import services
from leadership.models import AuditEntry, FamilyGrade, Membership, Role
from tests.leadership.factories import person

pytestmark = pytest.mark.django_db


def _membership(world, user=None, school=None):
    return Membership.objects.get(user=user or world.family, school=school or world.school)


def test_grade_codes_are_read_as_rosters_and_people_write_them():
    assert grade_codes.parse_list("3, k,12, PK, 3, 14, x") == (
        ["PK", "KG", "03", "12"],
        ["14", "x"],
    )
    assert grade_codes.in_span("K-5") == ["KG", "01", "02", "03", "04", "05"]
    assert grade_codes.in_span("9\u201312") == ["09", "10", "11", "12"]
    assert (
        grade_codes.in_span("Pre-K\u20135")
        == grade_codes.in_span("pre-k - 5")
        == ["PK", "TK", "KG", "01", "02", "03", "04", "05"]
    )
    assert grade_codes.in_span("Pre-Kindergarten to 2") == ["PK", "TK", "KG", "01", "02"]
    assert grade_codes.in_span("5-K") == grade_codes.in_span("elementary") == []
    assert grade_codes.labels(["02", "KG"]) == "Kindergarten, Grade 2"
    # Digits that are not ASCII decimal digits are not grades (int() would fail on them).
    assert grade_codes.normalize("\u00b2") is None
    assert grade_codes.normalize("\u0663") is None
    assert grade_codes.parse_list("3,\u00b2") == (["03"], ["\u00b2"])


def test_a_principal_sets_a_familys_grades_and_the_people_page_shows_them(world, client):
    world.school.grade_span = "K-3"
    world.school.save()
    client.force_login(world.principal)
    url = reverse(
        "leadership:family_grades_edit",
        kwargs={"slug": world.school.slug, "pk": _membership(world).pk},
    )
    page = client.get(url).content.decode()
    assert "<fieldset" in page and "<legend" in page and "Grade 3</label>" in page
    response = client.post(url, {"grades": ["02", "KG"]})
    assert response.status_code == 302
    assert sorted(_membership(world).grades.values_list("grade", flat=True)) == ["02", "KG"]
    entry = AuditEntry.objects.get(action="membership.family_grades_set")
    assert (entry.before, entry.after) == ({"grades": []}, {"grades": ["KG", "02"]})
    client.post(url, {"grades": ["03"]})
    assert list(_membership(world).grades.values_list("grade", flat=True)) == ["03"]
    people = client.get(response.url).content.decode()
    assert "Grade 3" in people


def test_grades_are_for_families_only_and_another_schools_family_is_not_found(world, client):
    with pytest.raises(Exception) as error:
        services.family_grades_set(
            actor=world.principal, membership=_membership(world, world.staff), grades=["01"]
        )
    assert str(services.NOT_A_FAMILY) in str(error.value)
    elsewhere = person(Role.FAMILY, school=world.other_school, email="else@example.org")
    client.force_login(world.principal)
    url = reverse(
        "leadership:family_grades_edit",
        kwargs={
            "slug": world.school.slug,
            "pk": _membership(world, elsewhere, world.other_school).pk,
        },
    )
    assert client.get(url).status_code == 404
    assert client.post(url, {"grades": ["01"]}).status_code == 404
    assert not FamilyGrade.objects.exists()


def test_the_people_page_reads_grades_in_one_query_however_many_families(
    world, client, django_assert_num_queries
):
    client.force_login(world.principal)
    url = reverse("leadership:school_people", kwargs={"slug": world.school.slug})
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for i in range(6):
        parent = person(Role.FAMILY, school=world.school, email=f"p{i}@example.org")
        services.family_grades_set(
            actor=world.principal, membership=_membership(world, parent), grades=["01", "04"]
        )
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Grade 1, Grade 4") == 6
