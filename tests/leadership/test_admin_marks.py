"""Django's admin is a writer like the services: a membership or a person changed or deleted
there moves the version of every school they were or are in, so that what those schools'
pages keep (who is asked, who is named) shows the change at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leadership import versions
from leadership.models import Membership, Role
from tests.leadership.factories import UserFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    versions.track([world.school.pk, world.other_school.pk])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def moved(world, django_capture_on_commit_callbacks, write) -> set[str]:
    """Which of the two schools' versions the write moved (its marks run at commit)."""
    schools = {"school": world.school.pk, "other": world.other_school.pk}
    before = versions.versions_of(schools.values())
    with django_capture_on_commit_callbacks(execute=True):
        write()
    after = versions.versions_of(schools.values())
    return {name for name, pk in schools.items() if before[pk] != after[pk]}


def test_a_membership_moved_to_another_school_in_the_admin_marks_both(
    world, admin_client, django_capture_on_commit_callbacks
):
    teacher = person(Role.STAFF, school=world.school, email="t@example.org")
    membership = Membership.objects.get(user=teacher)
    url = reverse("admin:leadership_membership_change", args=[membership.pk])

    def write():
        answer = admin_client.post(
            url,
            {
                "user": teacher.pk,
                "role": Role.STAFF,
                "district": world.other_school.district_id,
                "school": world.other_school.pk,
                "is_active": "on",
            },
        )
        assert answer.status_code == 302, answer.content.decode()[:3000]

    assert moved(world, django_capture_on_commit_callbacks, write) == {"school", "other"}
    assert Membership.objects.get(pk=membership.pk).school_id == world.other_school.pk


def test_a_membership_deleted_in_the_admin_marks_its_school(
    world, admin_client, django_capture_on_commit_callbacks
):
    teacher = person(Role.STAFF, school=world.school, email="t@example.org")
    membership = Membership.objects.get(user=teacher)
    url = reverse("admin:leadership_membership_delete", args=[membership.pk])

    def write():
        assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert moved(world, django_capture_on_commit_callbacks, write) == {"school"}
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_person_deleted_in_the_admin_marks_the_schools_they_were_in(
    world, admin_client, django_capture_on_commit_callbacks
):
    teacher = person(Role.STAFF, school=world.school, email="t@example.org")
    url = reverse("admin:leadership_user_delete", args=[teacher.pk])

    def write():
        assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert moved(world, django_capture_on_commit_callbacks, write) == {"school"}
