"""District surveys: built once, copied into every active school on opening (refused while a
school's language is missing), closed everywhere at once, and read added up over the schools,
by school with small schools suppressed, in a fixed number of queries."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leadership.models import AuditEntry, OutboxTask, Role
from tests.leadership.factories import MembershipFactory, SchoolFactory, person
from tests.voice.factories import add_question, district_survey
from voice import results as survey_results
from voice import selectors, services
from voice.models import (
    Answer,
    Question,
    QuestionKind,
    Response,
    SendRound,
    Survey,
    SurveyStatus,
)

pytestmark = pytest.mark.django_db


def _copies(survey):
    return {c.school_id: c for c in Survey.objects.filter(copied_from=survey)}


# --- services ---------------------------------------------------------------------------------


def test_opening_copies_the_survey_into_every_active_school(world):
    closed_school = SchoolFactory(district=world.district, slug="shut", is_active=False)
    vietnamese = SchoolFactory(district=world.district, slug="vi-only", languages=["vi"])
    survey = district_survey(world)
    assert survey.school_id is None
    # The builder writes in every language a school of the district uses.
    assert services.selectors.languages_of(survey) == ["en", "es", "vi"]
    Question.objects.filter(survey=survey).update(
        text={"en": "I belong here.", "es": "Pertenezco aquí.", "vi": "Tôi thuộc về nơi này."}
    )
    Survey.objects.filter(pk=survey.pk).update(
        title={"en": "Climate", "es": "Clima", "vi": "Khí hậu"}
    )
    single = survey.questions.get(kind="single")
    Question.objects.filter(pk=single.pk).update(
        options=[{"en": "Yes", "es": "Sí", "vi": "Có"}, {"en": "No", "es": "No", "vi": "Không"}]
    )
    services.district_survey_open(actor=world.district_admin, survey=survey)

    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    copies = _copies(survey)
    assert set(copies) == {world.school.pk, world.other_school.pk, vietnamese.pk}
    assert closed_school.pk not in copies
    lincoln = copies[world.school.pk]
    assert lincoln.status == SurveyStatus.OPEN and lincoln.opened_at is not None
    assert lincoln.title == {"en": "Climate", "es": "Clima"}
    assert copies[vietnamese.pk].title == {"vi": "Khí hậu"}
    masters = list(survey.questions.order_by("position"))
    copied = list(lincoln.questions.order_by("position"))
    assert [q.copied_from_id for q in copied] == [q.pk for q in masters]
    assert copied[1].options == [{"en": "Yes", "es": "Sí"}, {"en": "No", "es": "No"}]
    # Each school's invitations go out as its own round, in batches through the outbox.
    assert SendRound.objects.filter(survey__copied_from=survey, number=0).count() == 3
    assert OutboxTask.objects.filter(task="voice.tasks.fan_out").count() == 3
    assert survey.invited == sum(c.invited for c in copies.values())


def test_a_missing_translation_blocks_opening_naming_the_school_and_language(world):
    world.other_school.languages = ["en", "vi"]
    world.other_school.save()
    survey = district_survey(world)
    with pytest.raises(ValidationError) as error:
        services.district_survey_open(actor=world.district_admin, survey=survey)
    text = " ".join(error.value.messages)
    assert "Roosevelt High" in text and "Vietnamese" in text
    assert "Lincoln Elementary" not in text
    assert not Survey.objects.filter(copied_from=survey).exists()
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.DRAFT


def test_closing_closes_every_copy(world):
    survey = district_survey(world, open_it=True)
    services.district_survey_close(actor=world.district_admin, survey=survey)
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.CLOSED
    assert {c.status for c in _copies(survey).values()} == {SurveyStatus.CLOSED}


def test_a_school_cannot_change_or_close_its_copy(world):
    survey = district_survey(world, open_it=True)
    copy = _copies(survey)[world.school.pk]
    question = copy.questions.first()
    with pytest.raises(ValidationError, match="set by the district"):
        services.question_save(
            actor=world.principal, survey=copy, question=question, text={"en": "Changed"}
        )
    with pytest.raises(ValidationError, match="set by the district"):
        add_question(world, copy)
    with pytest.raises(ValidationError, match="set by the district"):
        services.question_delete(actor=world.principal, question=question)
    with pytest.raises(ValidationError, match="set by the district"):
        services.survey_update(actor=world.principal, survey=copy, families=False)
    with pytest.raises(ValidationError, match="The district closes its survey in every school"):
        services.survey_close(actor=world.principal, survey=copy)
    # Class links are the school's own.
    link = services.link_create(actor=world.principal, survey=copy, label="Grade 4")
    assert link.survey_id == copy.pk


def test_an_anonymous_district_survey_stays_anonymous_in_every_school(world):
    survey = district_survey(world, open_it=True)
    copy = _copies(survey)[world.school.pk]
    question = copy.questions.order_by("position").first()
    services.response_submit(survey=copy, user=world.staff, values={question.pk: 3}, language="en")
    assert not Response.objects.filter(survey=copy, respondent__isnull=False).exists()


# --- pages ------------------------------------------------------------------------------------


def test_a_district_admin_builds_and_opens_a_survey_and_the_principal_sees_the_copy(world, client):
    client.force_login(world.district_admin)
    slug = world.district.slug
    response = client.post(
        reverse("district:survey_create", kwargs={"slug": slug}),
        {
            "title_en": "Climate",
            "title_es": "Clima",
            "is_anonymous": "on",
            "staff_audience": "all",
            "families": "on",
        },
    )
    survey = Survey.objects.get(district=world.district)
    assert response.status_code == 302 and response.url == survey.get_absolute_url()
    client.post(
        reverse("district:survey_question_add", kwargs={"slug": slug, "pk": survey.pk}),
        {"kind": "agreement", "text_en": "I feel safe.", "text_es": "Me siento seguro."},
    )
    assert survey.questions.count() == 1
    page = client.get(survey.get_absolute_url())
    assert page.status_code == 200
    assert "Open the survey in every school" in page.content.decode()
    client.post(reverse("district:survey_open", kwargs={"slug": slug, "pk": survey.pk}))
    assert len(_copies(survey)) == 2
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "Roosevelt High" in page and "e-mails sent" in page
    listing = client.get(reverse("district:surveys", kwargs={"slug": slug})).content.decode()
    assert "Climate" in listing

    client.force_login(world.principal)
    listing = client.get(reverse("voice:survey_list", kwargs={"slug": world.school.slug}))
    text = listing.content.decode()
    assert "Climate" in text and "District survey" in text
    copy = _copies(survey)[world.school.pk]
    detail = client.get(copy.get_absolute_url()).content.decode()
    assert "The district wrote this survey" in detail
    assert "Close the survey" not in detail
    results = client.get(
        reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": copy.pk})
    )
    assert results.status_code == 200
    # The principal cannot reach the district's pages.
    assert client.get(survey.get_absolute_url()).status_code == 403


def test_a_district_survey_from_a_template(world, client):
    client.force_login(world.district_admin)
    client.post(
        reverse("district:survey_from_template", kwargs={"slug": world.district.slug}),
        {"template": "ilt_self_assessment"},
    )
    survey = Survey.objects.get(district=world.district)
    assert survey.template_key == "ilt_self_assessment"
    assert survey.questions.exists()
    assert survey.staff_audience == "all"


def _answers(copy, n, option):
    question = copy.questions.order_by("position").first()
    today = copy.opened_at.date()
    responses = Response.objects.bulk_create(
        Response(survey=copy, stakeholder="staff", language="en", submitted_on=today)
        for _ in range(n)
    )
    Answer.objects.bulk_create(
        Answer(response=r, question=question, option=option) for r in responses
    )


def _third_school(world):
    return SchoolFactory(district=world.district, slug="washington", name="Washington Middle")


def test_results_by_school_suppress_a_small_school_and_its_complement(world, client):
    third = _third_school(world)
    survey = district_survey(world, open_it=True)
    copies = _copies(survey)
    _answers(copies[world.school.pk], 12, 4)  # Lincoln Elementary: 12
    _answers(copies[world.other_school.pk], 3, 0)  # Roosevelt High: 3, under 10
    _answers(copies[third.pk], 15, 3)  # Washington Middle: 15
    client.force_login(world.district_admin)
    url = reverse("district:survey_results", kwargs={"slug": world.district.slug, "pk": survey.pk})
    page = client.get(url, {"by": "school"}).content.decode()
    # Roosevelt (small) and Lincoln (the smallest shown, which would give it away by
    # subtraction) are hidden in each of the five agreement rows; Washington is shown.
    assert page.count("Not shown (small group)") == 5 * 2
    assert 'Washington Middle <span class="muted">(n=15)</span>' in page
    assert "30 answers" in page
    assert "<svg" in page and "<table" in page

    csv_response = client.get(
        reverse(
            "district:survey_results_csv", kwargs={"slug": world.district.slug, "pk": survey.pk}
        ),
        {"by": "school"},
    )
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    cells = {(r[1], r[2]): r for r in rows if len(r) == 5 and r[0] == "I belong here."}
    assert cells[("Agree", "Washington Middle")][3] == "15"
    assert cells[("Strongly agree", "Lincoln Elementary")][4] == "suppressed (small group)"
    assert cells[("Strongly disagree", "Roosevelt High")][4] == "suppressed (small group)"
    assert cells[("Strongly agree", "Everyone")][3] == "12"
    assert any(r[:1] == ["All schools (invitations added up)"] for r in rows)


def _results_queries(world, client, django_assert_num_queries, survey, expected):
    client.force_login(world.district_admin)
    url = reverse("district:survey_results", kwargs={"slug": world.district.slug, "pk": survey.pk})
    for by in ("", "school", "stakeholder"):
        with django_assert_num_queries(expected):
            assert client.get(url, {"by": by}).status_code == 200


# 15: the people asked in every school, counted now in one grouped query; the signed-in
# person, their roles and menu are read in one query; only the kinds of question the survey
# has are counted (no ranking, number or free-text query for a survey without them).
QUERIES = 11


def test_results_take_the_same_queries_for_two_schools_and_few_answers(
    world, client, django_assert_num_queries
):
    survey = district_survey(world, open_it=True)
    for copy in _copies(survey).values():
        _answers(copy, 2, 1)
    _results_queries(world, client, django_assert_num_queries, survey, QUERIES)


def test_results_take_the_same_queries_for_many_schools_and_answers(
    world, client, django_assert_num_queries
):
    for n in range(8):
        SchoolFactory(district=world.district, slug=f"school-{n}", name=f"School {n}")
    survey = district_survey(world, open_it=True)
    for index, copy in enumerate(_copies(survey).values()):
        _answers(copy, 20 + index, index % 5)
    _results_queries(world, client, django_assert_num_queries, survey, QUERIES)


def test_the_dashboard_links_to_the_district_surveys(world, client):
    client.force_login(world.district_admin)
    page = client.get(reverse("district:district_dashboard", kwargs={"slug": world.district.slug}))
    assert reverse("district:surveys", kwargs={"slug": world.district.slug}) in (
        page.content.decode()
    )


def test_family_of_the_district_is_refused(world, client):
    person(Role.FAMILY, school=world.other_school, email="fam2@example.org")
    client.force_login(world.family)
    assert (
        client.get(reverse("district:surveys", kwargs={"slug": world.district.slug})).status_code
        == 403
    )


# --- review fixes -----------------------------------------------------------------------------


def _answer_all(copy):
    """Everyone the copy asks now answers it (participations, as the answer form makes)."""
    question = copy.questions.order_by("position").first()
    for user in selectors.audience(copy):
        services.response_submit(survey=copy, user=user, values={question.pk: 3}, language="en")


def test_staff_added_after_opening_keep_the_rate_at_most_100_and_both_pages_agree(world, client):
    survey = district_survey(world, open_it=True)
    copy = _copies(survey)[world.school.pk]
    opened_with = copy.invited
    for n in range(4):
        person(Role.STAFF, school=world.school, email=f"new{n}@example.org")
    _answer_all(copy)
    found = survey_results.district_results(
        survey=survey, language="en", dimension=None, with_texts=False
    )
    row = next(r for r in found.schools if r.school_id == world.school.pk)
    school_page = survey_results.survey_results(
        survey=copy, language="en", dimension=None, with_texts=False
    )
    assert row.participated == opened_with + 4
    assert row.invited == school_page.invited == opened_with + 4
    assert row.rate == school_page.rate == 100
    assert found.rate is not None and found.rate <= 100
    client.force_login(world.district_admin)
    page = client.get(
        reverse("district:survey_results", kwargs={"slug": world.district.slug, "pk": survey.pk})
    ).content.decode()
    assert "100%" in page and "101%" not in page and "200%" not in page


def test_someone_in_two_schools_counts_as_two_invitations_and_the_page_says_so(world, client):
    both = person(Role.STAFF, school=world.school, email="both@example.org")
    MembershipFactory(
        user=both, role=Role.STAFF, school=world.other_school, district=world.district
    )
    survey = district_survey(world, open_it=True)
    found = survey_results.district_results(
        survey=survey, language="en", dimension=None, with_texts=False
    )
    asked = {r.school_id: r.invited for r in found.schools}
    assert found.invited == asked[world.school.pk] + asked[world.other_school.pk]
    client.force_login(world.district_admin)
    page = client.get(
        reverse("district:survey_results", kwargs={"slug": world.district.slug, "pk": survey.pk})
    ).content.decode()
    assert "invitations: the people asked in each school, added up" in page
    assert "All schools (invitations added up)" in page


def _schools(world, n):
    for index in range(n - 2):
        SchoolFactory(district=world.district, slug=f"extra-{index}", name=f"Extra {index}")


def _master_with_sections(world):
    survey = district_survey(world)
    section = services.section_add(
        actor=world.district_admin, survey=survey, title={"en": "About you", "es": "Sobre usted"}
    )
    single = survey.questions.get(kind="single")
    add_question(
        world,
        survey,
        QuestionKind.MULTIPLE,
        text={"en": "Which grades?", "es": "¿Qué grados?"},
        options=[{"en": "K-2", "es": "K-2"}, {"en": "3-5", "es": "3-5"}],
        show_if=single,
        show_if_option=0,
        section=section,
    )
    return survey


def _opening_queries(world, schools):
    _schools(world, schools)
    survey = _master_with_sections(world)
    with CaptureQueriesContext(connection) as queries:
        services.district_survey_open(actor=world.district_admin, survey=survey)
    return survey, len(queries)


@pytest.mark.parametrize("schools", [2, 6])
def test_opening_takes_a_fixed_number_of_statements_plus_one_outbox_row_per_school(world, schools):
    survey, count = _opening_queries(world, schools)
    # One outbox row per school: each school's invitations are its own task, retried and
    # sent on their own; every other statement is the same for any number of schools.
    assert count == OPENING_QUERIES + schools
    copies = _copies(survey)
    assert len(copies) == schools
    for copy in copies.values():
        shown = copy.questions.get(kind="multiple")
        assert shown.show_if.survey_id == copy.pk and shown.show_if.kind == "single"
        assert shown.section.survey_id == copy.pk
        assert AuditEntry.objects.filter(
            action="voice.survey_open", object_id=str(copy.pk), school_id=copy.school_id
        ).exists()
    assert OutboxTask.objects.filter(task="voice.tasks.fan_out").count() == schools


OPENING_QUERIES = 17


def _detail_queries(world, client, django_assert_num_queries, survey, expected):
    client.force_login(world.district_admin)
    with django_assert_num_queries(expected):
        assert client.get(survey.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("questions", [1, 6])
def test_the_draft_page_takes_the_same_queries_for_any_number_of_questions(
    world, client, django_assert_num_queries, questions
):
    survey = _master_with_sections(world)
    section = survey.sections.get()
    for _ in range(questions):
        add_question(world, survey, section=section)
    _detail_queries(world, client, django_assert_num_queries, survey, DRAFT_PAGE_QUERIES)


DRAFT_PAGE_QUERIES = 11  # the person with their roles and menu in one query


@pytest.mark.parametrize("schools", [2, 6])
def test_the_open_survey_page_takes_the_same_queries_for_any_number_of_schools(
    world, client, django_assert_num_queries, schools
):
    _schools(world, schools)
    survey = services.district_survey_open(
        actor=world.district_admin, survey=_master_with_sections(world)
    )
    _detail_queries(world, client, django_assert_num_queries, survey, OPEN_PAGE_QUERIES)


OPEN_PAGE_QUERIES = 11


@pytest.mark.parametrize("surveys", [1, 5])
def test_the_list_takes_the_same_queries_for_any_number_of_surveys(
    world, client, django_assert_num_queries, surveys
):
    for index in range(surveys):
        district_survey(world, open_it=index % 2 == 0)
    client.force_login(world.district_admin)
    url = reverse("district:surveys", kwargs={"slug": world.district.slug})
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url).status_code == 200


LIST_QUERIES = 3


def test_the_database_keeps_one_copy_of_a_district_survey_per_school(world):
    survey = district_survey(world, open_it=True)
    copy = _copies(survey)[world.school.pk]
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.create(
            school=world.school, copied_from=survey, from_district=True, title={"en": "Again"}
        )
    # A school's own next rounds may follow the same survey twice (not district copies).
    services.district_survey_close(actor=world.district_admin, survey=survey)
    first = services.survey_next_round(actor=world.principal, survey=copy, title={"en": "A"})
    second = services.survey_next_round(actor=world.principal, survey=copy, title={"en": "B"})
    assert first.copied_from_id == second.copied_from_id == copy.pk
    assert not first.from_district and not services.is_district_copy(first)


def test_a_school_that_joins_after_opening_is_added_with_its_invitations(world, client):
    survey = district_survey(world, open_it=True)
    late = SchoolFactory(district=world.district, slug="late", name="Late Elementary")
    person(Role.STAFF, school=late, email="late@example.org")
    client.force_login(world.district_admin)
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "Late Elementary" in page and "Add the schools that joined since" in page
    response = client.post(
        reverse(
            "district:survey_add_schools", kwargs={"slug": world.district.slug, "pk": survey.pk}
        )
    )
    assert response.status_code == 302
    copies = _copies(survey)
    assert set(copies) == {world.school.pk, world.other_school.pk, late.pk}
    assert copies[late.pk].status == SurveyStatus.OPEN and copies[late.pk].invited == 1
    assert SendRound.objects.filter(survey=copies[late.pk], number=0).exists()
    assert (
        "Add the schools that joined since"
        not in client.get(survey.get_absolute_url()).content.decode()
    )
    with pytest.raises(ValidationError, match="Every active school already has the survey"):
        services.district_survey_add_schools(actor=world.district_admin, survey=survey)


def test_closing_records_the_closing_of_each_school_copy(world):
    survey = district_survey(world, open_it=True)
    services.district_survey_close(actor=world.district_admin, survey=survey)
    entries = AuditEntry.objects.filter(action="voice.survey_close")
    assert {(e.object_id, e.school_id) for e in entries} == {
        (str(c.pk), school_id) for school_id, c in _copies(survey).items()
    }
    assert all(e.actor_id == world.district_admin.pk for e in entries)


def test_the_migration_going_back_deletes_only_the_district_own_surveys(world):
    module = importlib.import_module("voice.migrations.0008_district_surveys")
    last = module.Migration.operations[-1]
    assert last.reversible and last.reverse_code is module.delete_district_surveys
    survey = district_survey(world, open_it=True)
    copies = set(_copies(survey))
    with connection.schema_editor(atomic=False) as editor:
        module.delete_district_surveys(django_apps, editor)
    assert not Survey.objects.filter(school__isnull=True).exists()
    # The copies stay as the schools' own surveys.
    assert set(Survey.objects.filter(school__isnull=False).values_list("school_id", flat=True)) >= (
        copies
    )


def test_a_school_without_languages_is_written_for_in_the_default_language(world):
    world.school.languages = ["es"]
    world.school.save()
    world.other_school.languages = []
    world.other_school.save()
    assert set(selectors.district_languages(world.district)) == {"en", "es"}
    survey = district_survey(world)
    assert services.district_survey_problems(survey, [world.school, world.other_school]) == []


def test_the_district_own_survey_asks_nobody_itself(world, django_assert_num_queries):
    survey = district_survey(world)
    # No school: no condition on a school that district-level memberships would match.
    with django_assert_num_queries(0):
        assert list(selectors.audience(survey)) == []
    assert selectors.has_audience(survey)


def test_a_principal_opening_the_forms_of_a_copy_is_told_the_district_sets_them(world, client):
    survey = district_survey(world, open_it=True)
    copy = _copies(survey)[world.school.pk]
    question = copy.questions.order_by("position").first()
    client.force_login(world.principal)
    slug = world.school.slug
    for url in (
        reverse("voice:survey_settings", kwargs={"slug": slug, "pk": copy.pk}),
        reverse("voice:question_add", kwargs={"slug": slug, "pk": copy.pk}),
        reverse(
            "voice:question_edit",
            kwargs={"slug": slug, "pk": copy.pk, "question_pk": question.pk},
        ),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(copy.get_absolute_url(), 302)]
        assert "set by the district" in response.content.decode()


def test_an_intro_missing_in_a_schools_language_blocks_opening_and_is_named(world, client):
    """Roosevelt's Vietnamese families would read an English intro above Vietnamese
    questions: the district's page names the school, the language and the intro."""
    world.other_school.languages = ["en", "vi"]
    world.other_school.save()
    survey = district_survey(world)
    for question in survey.questions.all():
        services.question_save(
            actor=world.district_admin,
            survey=survey,
            question=question,
            text={**question.text, "vi": "Câu hỏi"},
            options=[{**o, "vi": "Có"} for o in question.options],
        )
    Survey.objects.filter(pk=survey.pk).update(
        title={**survey.title, "vi": "Khí hậu"}, intro={"en": "Five minutes.", "es": "Cinco."}
    )
    client.force_login(world.district_admin)
    url = reverse("district:survey_detail", kwargs={"slug": world.district.slug, "pk": survey.pk})
    page = client.get(url).content.decode()
    assert "Roosevelt High needs the survey in Vietnamese: missing the introduction." in page
    assert "Lincoln Elementary needs" not in page
    response = client.post(
        reverse("district:survey_open", kwargs={"slug": world.district.slug, "pk": survey.pk}),
        follow=True,
    )
    assert "Roosevelt High needs the survey in Vietnamese: missing the introduction." in (
        response.content.decode()
    )
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.DRAFT
    assert not Survey.objects.filter(copied_from=survey).exists()

    Survey.objects.filter(pk=survey.pk).update(
        intro={"en": "Five minutes.", "es": "Cinco.", "vi": "Năm phút."}
    )
    services.district_survey_open(actor=world.district_admin, survey=survey)
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN
