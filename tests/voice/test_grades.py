"""Surveys for the families of chosen grades: who is asked (invitations, reminders, the
response rate), who may answer, and results by grade with small groups suppressed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership import grades as grade_codes
from leadership.models import FamilyGrade, Membership, Role
from tests.leadership.factories import person
from tests.voice.factories import add_question, draft_survey
from voice import results, selectors, services, tokens
from voice.models import Participation, Response, StaffAudience, StudentLink

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.SITE_URL = "http://testserver"
    settings.VOICE_SEND_BATCH = 2


def family(world, email: str, *grades: str, **user):
    account = person(Role.FAMILY, school=world.school, email=email, **user)
    membership = Membership.objects.get(user=account, school=world.school, role=Role.FAMILY)
    FamilyGrade.objects.bulk_create(FamilyGrade(membership=membership, grade=g) for g in grades)
    return account


def families_survey(world, grades, capture=None):
    survey = draft_survey(
        world,
        staff_audience=StaffAudience.NONE,
        families=True,
        students=False,
        family_grades=grades,
    )
    question = add_question(world, survey)
    if capture is None:
        services.survey_open(actor=world.principal, survey=survey)
    else:
        with capture(execute=True):
            services.survey_open(actor=world.principal, survey=survey)
    survey.refresh_from_db()
    return survey, question


def test_invitations_and_reminders_go_only_to_families_of_the_chosen_grades_once_each(
    world, client, django_capture_on_commit_callbacks
):
    first = family(world, "first@example.org", "01")
    second = family(world, "second@example.org", "02")
    both = family(world, "both@example.org", "01", "02")
    family(world, "fourth@example.org", "04")  # world.family has no grade at all
    survey, question = families_survey(world, ["02", "01"], django_capture_on_commit_callbacks)
    assert survey.family_grades == ["01", "02"]  # kept in school order
    assert survey.invited == selectors.audience_size(survey) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email, both.email])
    services.response_submit(survey=survey, user=first, values={question.pk: 3}, language="en")
    mail.outbox.clear()
    client.force_login(world.principal)
    url = reverse("voice:survey_remind", kwargs={"slug": world.school.slug, "pk": survey.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([second.email, both.email])


def test_no_grade_chosen_asks_every_family(world):
    family(world, "first@example.org", "01")
    survey, _q = families_survey(world, [])
    assert selectors.audience_size(survey) == 2


def test_a_family_outside_the_grades_cannot_answer_and_nothing_is_stored(world):
    survey, question = families_survey(world, ["01"])
    with pytest.raises(ValidationError) as error:
        services.response_submit(
            survey=survey, user=world.family, values={question.pk: 3}, language="en"
        )
    assert error.value.messages == [str(services.NOT_IN_AUDIENCE)]
    assert not Response.objects.filter(survey=survey).exists()
    assert not Participation.objects.filter(survey=survey).exists()


def test_a_family_outside_the_grades_is_told_so_in_their_language(world, client):
    outside = family(world, "fuera@example.org", "03", preferred_language="es")
    survey, question = families_survey(world, ["01", "KG"])
    client.force_login(outside)
    url = reverse("voice:survey_answer", kwargs={"slug": world.school.slug, "pk": survey.pk})
    # Spanish from the catalogue, grades included (gettext would fall back to English
    # for a message the catalogue lacks, and the test would not notice).
    expected = (
        "Esta encuesta es para las familias de estudiantes de Kínder, Grado 1. Esta vez no se "
        "consulta a su familia, así que aquí no se puede guardar nada."
    )
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="es"' in page
    assert expected in page
    response = client.post(url, {f"q{question.pk}": "3"})
    assert response.status_code == 403
    assert not Response.objects.filter(survey=survey).exists()
    # Staff, who are not families, see the usual page.
    client.force_login(world.staff)
    assert "nothing can be saved here" not in client.get(url).content.decode()


def test_the_settings_page_offers_the_schools_grades_as_checkboxes_in_a_fieldset(
    world, client, django_assert_num_queries
):
    world.school.grade_span = "K-2"
    world.school.save()
    family(world, "first@example.org", "04")
    survey = draft_survey(world)
    client.force_login(world.principal)
    url = reverse("voice:survey_settings", kwargs={"slug": world.school.slug, "pk": survey.pk})
    page = client.get(url).content.decode()
    legend = page.index("Only the families of students in these grades")
    assert page.rfind("<fieldset", 0, legend) > page.rfind("</fieldset>", 0, legend)
    for label in ("Kindergarten", "Grade 1", "Grade 2", "Grade 4"):
        assert f"{label}</label>" in page
    assert "Grade 3</label>" not in page
    data = {
        "version": services.survey_version(survey),
        "title_en": "Families",
        "title_es": "Familias",
        "staff_audience": StaffAudience.NONE,
        "families": "on",
        "family_grades": ["04", "KG"],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    survey.refresh_from_db()
    assert survey.family_grades == ["KG", "04"]
    # One query for the grades, however many families have them.
    client.get(url)
    before = len(_queries(client, url))
    for i in range(5):
        family(world, f"more{i}@example.org", "01", "02")
    with django_assert_num_queries(before):
        page = client.get(url).content.decode()
    assert "Grade 1</label>" in page


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return captured.captured_queries


def test_results_by_grade_suppress_small_groups_and_count_a_family_of_several_grades_once(
    world, client
):
    world.district.small_group_threshold = 2
    world.district.save()
    survey, question = families_survey(world, [])
    answers = [("01", 4), ("01", 4), ("02", 1), ("02", 1), ("01,02", 0), ("03", 0)]
    for i, (grades, option) in enumerate(answers):
        parent = family(world, f"p{i}@example.org", *grades.split(","))
        services.response_submit(
            survey=survey, user=parent, values={question.pk: option}, language="en"
        )
    assert sorted(Response.objects.filter(survey=survey).values_list("grade", flat=True)) == [
        "01",
        "01",
        "02",
        "02",
        "03",
        grade_codes.SEVERAL,
    ]
    # A grade is a group: a response still names nobody in an anonymous survey.
    assert not Response.objects.filter(survey=survey, respondent__isnull=False).exists()
    found = results.survey_results(
        survey=survey, language="en", dimension="grade", with_texts=False
    )
    groups = [(g.key, g.label, g.n, g.hidden) for g in found.questions[0].groups]
    assert groups == [
        ("01", "Grade 1", 2, False),
        ("02", "Grade 2", 2, False),
        ("03", "Grade 3", 1, True),
        (grade_codes.SEVERAL, "Several grades", 1, True),
    ]
    client.force_login(world.principal)
    url = reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": survey.pk})
    page = client.get(url, {"by": "grade"}).content.decode()
    assert 'Grade 1 <span class="muted">(n=2)</span>' in page
    assert page.count("Not shown (small group)") == 2 * 5


def test_a_family_answer_counts_only_the_grades_the_survey_asks(world):
    survey, question = families_survey(world, ["02"])
    parent = family(world, "p@example.org", "01", "02")
    services.response_submit(survey=survey, user=parent, values={question.pk: 2}, language="en")
    assert Response.objects.get(survey=survey).grade == "02"


def test_a_class_link_for_a_grade_groups_students_answers_by_it(world, client):
    survey = draft_survey(world)
    question = add_question(world, survey)
    client.force_login(world.principal)
    url = reverse("voice:link_create", kwargs={"slug": world.school.slug, "pk": survey.pk})
    client.post(url, {"label": "Room 12", "grade": "05"})
    link = StudentLink.objects.get(survey=survey)
    assert (link.label, link.grade) == ("Room 12", "05")
    page = client.get(survey.get_absolute_url()).content.decode()
    assert '<h3>Room 12</h3><p class="muted">Grade 5</p>' in page
    services.survey_open(actor=world.principal, survey=survey)
    survey.refresh_from_db()
    link = StudentLink.objects.create(
        survey=survey, label="Room 9", nonce=tokens.new_nonce(), grade="KG"
    )
    services.student_response_submit(link=link, values={question.pk: 1}, language="en")
    assert Response.objects.get(survey=survey).grade == "KG"


def test_the_results_page_by_grade_takes_the_same_queries_however_many_answers(
    world, client, django_assert_num_queries
):
    survey, question = families_survey(world, [])
    client.force_login(world.principal)
    url = reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": survey.pk})
    client.get(url)
    # 9: one choice question, so no number, ranking or free-text query; the owner's school
    # is the one the page already holds; the responses, who answered and the school's version
    # are one query, the people asked kept under that version.
    with django_assert_num_queries(8) as first:
        client.get(url, {"by": "grade"})
    # 6 the same again: the questions kept for this results version (an open anonymous
    # survey's in the process's memory); the response rate is read anew.
    with django_assert_num_queries(5):
        client.get(url, {"by": "grade"})
    for i in range(12):
        parent = family(world, f"p{i}@example.org", f"{i % 3 + 1:02d}")
        services.response_submit(
            survey=survey, user=parent, values={question.pk: i % 5}, language="en"
        )
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url, {"by": "grade"})
    with django_assert_num_queries(5):
        client.get(url, {"by": "grade"})
    services.survey_close(actor=world.principal, survey=survey)
    client.get(url, {"by": "grade"})
    # 8 once closed, its questions kept for this results version (the response rate is read
    # anew).
    with django_assert_num_queries(5):
        client.get(url, {"by": "grade"})


def test_my_work_tells_only_the_families_of_the_chosen_grades_to_answer(
    world, client, django_assert_num_queries
):
    from leadership import clock
    from voice import my_work

    first = family(world, "first@example.org", "01")
    mine, _q = families_survey(world, ["01"])
    other, _q = families_survey(world, ["02", "03"])
    everyone, _q = families_survey(world, [])

    def url(survey):
        return reverse("voice:survey_answer", kwargs={"slug": world.school.slug, "pk": survey.pk})

    client.force_login(first)
    page = client.get(reverse("leadership:my_work")).content.decode()
    assert url(mine) in page and url(everyone) in page
    assert url(other) not in page  # it would answer 403: not the family's grade
    # The weekly e-mail reads the same section. Its queries: roles, the open surveys not
    # answered (none asks a team: no team is read), and my grades at every school (one query
    # whatever the number of surveys that ask some grades).
    today = clock.today_in(world.district)
    first = type(first).objects.get(pk=first.pk)
    with django_assert_num_queries(3):
        section = my_work.surveys_to_answer(user=first, today=today)
    assert sorted(entry.url for entry in section.entries) == sorted([url(mine), url(everyone)])
    families_survey(world, ["04"])
    families_survey(world, ["01", "05"])
    first = type(first).objects.get(pk=first.pk)
    with django_assert_num_queries(3):
        section = my_work.surveys_to_answer(user=first, today=today)
    assert len(section.entries) == 3
    # Staff are not asked by these surveys: no grades are read for them.
    with django_assert_num_queries(2):
        assert my_work.surveys_to_answer(user=world.staff, today=today) is None


def test_the_grade_breakdown_is_of_families_only_and_class_links_have_their_own(world, client):
    """A group mixing families with staff (no grade) or with a class link's students (its
    grade) could be subtracted from the stakeholder breakdown to reveal a family's answer."""
    world.district.small_group_threshold = 2
    world.district.save()
    survey = draft_survey(world, family_grades=[])
    question = add_question(world, survey)
    services.survey_open(actor=world.principal, survey=survey)
    survey.refresh_from_db()
    for i in range(3):
        staff = person(Role.STAFF, school=world.school, email=f"s{i}@example.org")
        services.response_submit(survey=survey, user=staff, values={question.pk: 1}, language="en")
    # One family with no grade known, one in grade 3 among two families of grade 3.
    services.response_submit(
        survey=survey, user=world.family, values={question.pk: 4}, language="en"
    )
    for i in range(2):
        parent = family(world, f"p{i}@example.org", "03")
        services.response_submit(survey=survey, user=parent, values={question.pk: i}, language="en")
    link = StudentLink.objects.create(
        survey=survey, label="Room 9", nonce=tokens.new_nonce(), grade="03"
    )
    for option in (0, 2, 3):
        services.student_response_submit(link=link, values={question.pk: option}, language="en")

    def groups(dimension):
        found = results.survey_results(
            survey=survey, language="en", dimension=dimension, with_texts=False
        )
        return [(g.key, g.label, g.n, g.hidden) for g in found.questions[0].groups]

    # The one family with no grade is hidden, and so is the smallest shown group.
    assert groups("grade") == [
        ("03", "Grade 3", 2, True),
        ("", "No grade known", 1, True),
        ("staff", "Staff", 3, False),
        ("student", "Students", 3, False),
    ]
    assert groups("class_grade") == [
        ("03", "Grade 3", 3, False),
        ("staff", "Staff", 3, False),
        ("family", "Families", 3, False),
    ]
    client.force_login(world.principal)
    url = reverse("voice:survey_results_csv", kwargs={"slug": world.school.slug, "pk": survey.pk})
    body = client.get(url, {"by": "class_grade"}).content.decode()
    assert "Grade 3" in body and "Families" in body


def test_a_family_outside_the_grades_is_told_a_closed_survey_is_closed_and_sees_no_draft(
    world, client
):
    outside = family(world, "fuera@example.org", "03")
    draft = draft_survey(
        world,
        staff_audience=StaffAudience.NONE,
        families=True,
        students=False,
        family_grades=["01"],
    )
    add_question(world, draft)
    client.force_login(outside)

    def answer(survey):
        url = reverse("voice:survey_answer", kwargs={"slug": world.school.slug, "pk": survey.pk})
        return client.get(url)

    response = answer(draft)
    assert response.status_code == 403
    assert "Grade 1" not in response.content.decode()
    closed, _q = families_survey(world, ["01"])
    services.survey_close(actor=world.principal, survey=closed)
    response = answer(closed)
    page = response.content.decode()
    assert response.status_code == 403
    assert "This survey is closed, so nothing can be saved here." in page
    assert "This survey is for the families" not in page
