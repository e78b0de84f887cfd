"""District priorities: set for the year, aligned goals shown with how they stand."""

import pytest
from django.urls import reverse

from leadership.models import AuditEntry, DistrictPriority
from leadership.services import priority_version
from tests.teams.factories import current_year

pytestmark = pytest.mark.django_db


def url(world) -> str:
    return reverse("district:district_priorities", kwargs={"slug": world.district.slug})


def test_a_district_admin_adds_a_priority(world, client_for):
    current_year(world.district)
    client = client_for(world.district_admin)
    response = client.post(url(world), {"title": "  Every student   reads ", "description": ""})
    assert response.status_code == 302
    priority = DistrictPriority.objects.get()
    assert priority.title == "Every student reads"
    assert AuditEntry.objects.filter(action="priority.create").exists()
    page = client.get(url(world)).content.decode()
    assert "Every student reads" in page
    assert "No school has aligned a goal to this priority yet." in page


def test_a_duplicate_or_empty_title_is_refused_and_the_input_kept(world, client_for):
    year = current_year(world.district)
    DistrictPriority.objects.create(district=world.district, school_year=year, title="Literacy")
    client = client_for(world.district_admin)
    response = client.post(url(world), {"title": "literacy", "description": "Kept text"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "already has a priority with that title" in page and "Kept text" in page
    assert "This field is required" in client.post(url(world), {"title": ""}).content.decode()
    partial = client.post(url(world), {"title": ""}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<form id="priority-form"')
    assert DistrictPriority.objects.count() == 1


def test_edit_a_priority(world, client_for):
    year = current_year(world.district)
    priority = DistrictPriority.objects.create(
        district=world.district, school_year=year, title="Literacy"
    )
    edit = reverse(
        "district:priority_edit", kwargs={"slug": world.district.slug, "pk": priority.pk}
    )
    client = client_for(world.district_admin)
    data = {"title": "Literacy for all", "description": "K-12"}
    data["version"] = priority_version(priority)
    assert client.post(edit, data).status_code == 302
    priority.refresh_from_db()
    assert (priority.title, priority.description) == ("Literacy for all", "K-12")


def test_another_districts_priority_is_not_found(world, client_for):
    from tests.leadership.factories import SchoolYearFactory

    year = SchoolYearFactory(district=world.other_district)
    theirs = DistrictPriority.objects.create(
        district=world.other_district, school_year=year, title="Theirs"
    )
    edit = reverse("district:priority_edit", kwargs={"slug": world.district.slug, "pk": theirs.pk})
    assert client_for(world.district_admin).get(edit).status_code == 404


def test_the_overview_shows_aligned_schools_and_their_goal_status(world, activity, client_for):
    page = client_for(world.district_admin).get(url(world)).content.decode()
    section = page.split(f'id="priority-{activity.priority.pk}"', 1)[1]
    assert "1 school has aligned goals." in section
    assert "Lincoln Elementary" in section
    assert "Reading rises" in section and "Math rises" in section
    assert "Attendance rises" not in section  # not aligned
    assert 'aria-label="Goals: 1 on track, 1 off track"' in section


def test_without_a_current_year_the_page_says_so(world, client_for):
    page = client_for(world.district_admin).get(url(world)).content.decode()
    assert "no current school year" in page


def test_the_database_refuses_a_duplicate_title_whatever_the_case(world):
    from django.db import IntegrityError, transaction

    year = current_year(world.district)
    DistrictPriority.objects.create(district=world.district, school_year=year, title="Literacy")
    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictPriority.objects.create(district=world.district, school_year=year, title="LITERACY")
