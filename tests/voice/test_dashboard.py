"""The district dashboard shows each school's latest survey response rate, kept fresh."""

from __future__ import annotations

import pytest
from django.urls import reverse

from district.models import SchoolRollup
from tests.voice.factories import open_survey
from voice import services

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_latest_response_rate_per_school(
    world, client, django_capture_on_commit_callbacks
):
    survey, q = open_survey(world)  # principal, teacher leader, staff and one family asked
    client.force_login(world.district_admin)
    url = reverse("district:district_dashboard", kwargs={"slug": world.district.slug})
    page = client.get(url).content.decode()
    assert "Latest survey&#x27;s response rate" in page
    assert SchoolRollup.objects.get(school=world.school).survey_response_rate == 0
    assert SchoolRollup.objects.get(school=world.other_school).survey_response_rate is None
    with django_capture_on_commit_callbacks(execute=True):  # the answer moves the version
        services.response_submit(
            survey=survey, user=world.staff, values={q["belong"].pk: 3}, language="en"
        )
    client.get(url)
    assert SchoolRollup.objects.get(school=world.school).survey_response_rate == 25
    csv_url = reverse("district:district_dashboard_csv", kwargs={"slug": world.district.slug})
    lines = client.get(csv_url).content.decode().splitlines()
    assert lines[0].endswith(",latest_survey_response_rate_pct")
    assert any(line.startswith("Lincoln Elementary,") and line.endswith(",25") for line in lines)
