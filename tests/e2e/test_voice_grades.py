"""Surveys of chosen grades in the browser: the principal ticks grades in the settings, and a
family of another grade who opens the survey is told, in their language, that it is not for
them. axe on both pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leadership.models import FamilyGrade, Membership, Role
from tests.e2e.test_teams_meeting import sign_in
from tests.leadership.factories import person
from tests.voice.factories import add_question, draft_survey
from voice import services
from voice.models import Response, StaffAudience, Survey

pytestmark = pytest.mark.django_db(transaction=True)


def _family(world, email, grade, **user):
    account = person(Role.FAMILY, school=world.school, email=email, **user)
    membership = Membership.objects.get(user=account, school=world.school)
    FamilyGrade.objects.create(membership=membership, grade=grade)
    return account


def test_a_principal_chooses_grades_and_a_family_of_another_grade_is_told(
    world, page, browser, live_server, axe_check
):
    _family(world, "first@example.org", "01")
    outside = _family(world, "segundo@example.org", "02", preferred_language="es")
    survey = draft_survey(world, staff_audience=StaffAudience.NONE, families=True, students=False)
    add_question(world, survey)
    sign_in(page.context, live_server, world.principal)
    page.goto(f"{live_server.url}/schools/{world.school.slug}/surveys/{survey.pk}/settings/")
    grades = page.get_by_role("group", name="Only the families of students in these grades")
    grades.get_by_label("Grade 1").check()
    axe_check(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The survey's settings were saved.")).to_be_visible()
    assert Survey.objects.get(pk=survey.pk).family_grades == ["01"]
    services.survey_open(actor=world.principal, survey=survey)

    # The family's own browser: the page answers 403 (this survey is not theirs), which the
    # `page` fixture would take for a broken resource.
    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    page = context.new_page()
    sign_in(context, live_server, outside)
    page.goto(f"{live_server.url}/schools/{world.school.slug}/surveys/{survey.pk}/answer/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # The catalogue's Spanish, grade included (not gettext, which falls back to English).
    expected = (
        "Esta encuesta es para las familias de estudiantes de Grado 1. Esta vez no se "
        "consulta a su familia, así que aquí no se puede guardar nada."
    )
    expect(page.get_by_text(expected)).to_be_visible()
    axe_check(page)
    context.close()
    assert not Response.objects.exists()
