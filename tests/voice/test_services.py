"""The survey builder, what keeps a survey from opening, and answers (signed in)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from leadership.models import AuditEntry
from tests.voice.factories import YES_NO, add_question, draft_survey, open_survey
from voice import pending, services
from voice.models import Answer, Participation, QuestionKind, Response, StaffAudience, SurveyStatus

pytestmark = pytest.mark.django_db


def test_a_survey_without_questions_cannot_open(world):
    survey = draft_survey(world)
    with pytest.raises(ValidationError) as error:
        services.survey_open(actor=world.principal, survey=survey)
    assert "The survey has no questions." in error.value.messages
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT


def test_a_missing_translation_is_flagged_and_keeps_it_closed(world):
    survey = draft_survey(world)
    add_question(world, survey, text={"en": "I belong here.", "es": ""})
    with pytest.raises(ValidationError) as error:
        services.survey_open(actor=world.principal, survey=survey)
    assert "Missing in Spanish: question 1." in error.value.messages
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT


def test_missing_option_translations_are_flagged(world):
    survey = draft_survey(world)
    add_question(
        world, survey, QuestionKind.SINGLE, options=[{"en": "Yes", "es": "Sí"}, {"en": "No"}]
    )
    with pytest.raises(ValidationError) as error:
        services.survey_open(actor=world.principal, survey=survey)
    assert "Missing in Spanish: the options of question 1." in error.value.messages


def test_a_survey_without_audience_cannot_open(world):
    survey = draft_survey(world, staff_audience=StaffAudience.NONE, families=False, students=False)
    add_question(world, survey)
    with pytest.raises(ValidationError) as error:
        services.survey_open(actor=world.principal, survey=survey)
    assert "The survey has no audience: choose staff, families or students." in (
        error.value.messages
    )


def test_a_ranking_has_at_most_seven_options(world):
    survey = draft_survey(world)
    options = [{"en": f"O{i}", "es": f"O{i}"} for i in range(8)]
    with pytest.raises(ValidationError) as error:
        add_question(world, survey, QuestionKind.RANKING, options=options)
    assert "A ranking has at most 7 options." in error.value.messages
    assert not survey.questions.exists()


def test_show_if_must_name_an_earlier_choice_question(world):
    survey = draft_survey(world)
    text = add_question(world, survey, QuestionKind.SHORT_TEXT)
    with pytest.raises(ValidationError) as error:
        add_question(world, survey, show_if=text, show_if_option=0)
    assert "The question it depends on must come earlier and offer choices." in (
        error.value.messages
    )


def test_an_open_survey_cannot_be_changed(world):
    survey, _q = open_survey(world)
    with pytest.raises(ValidationError):
        add_question(world, survey)


def test_a_named_answer_is_kept_with_the_person_and_can_be_changed(world):
    survey, q = open_survey(world, anonymous=False)
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 3}, language="en"
    )
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 1}, language="en"
    )
    response = Response.objects.get(survey=survey)
    assert response.respondent == world.staff
    assert list(response.answers.values_list("option", flat=True)) == [1]


def test_an_anonymous_answer_names_nobody_and_participation_is_apart(world):
    survey, q = open_survey(world)
    response, key = services.response_submit(
        survey=survey,
        user=world.staff,
        values={q["belong"].pk: 4, q["wish"].pk: "More coaching"},
        language="en",
    )
    assert key
    response.refresh_from_db()
    assert response.respondent is None
    # That they answered is pending apart from the database, to be written in a batch.
    assert not Participation.objects.filter(survey=survey, user=world.staff).exists()
    assert pending.members(survey.pk) == {world.staff.pk}
    # Nothing in the audit trail mentions the response or its answers.
    assert not AuditEntry.objects.filter(object_type__in=["voice.response", "voice.answer"])
    # With the key kept in the browser, the same person changes their answers.
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 0}, language="en", edit_key=key
    )
    assert Response.objects.filter(survey=survey).count() == 1
    assert list(Answer.objects.filter(question=q["belong"]).values_list("option", flat=True)) == [0]


def test_a_second_anonymous_answer_without_the_key_is_refused(world):
    survey, q = open_survey(world)
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 4}, language="en"
    )
    with pytest.raises(ValidationError) as error:
        services.response_submit(
            survey=survey, user=world.staff, values={q["belong"].pk: 0}, language="en"
        )
    assert services.ALREADY_ANSWERED in error.value.messages
    assert Response.objects.filter(survey=survey).count() == 1


def test_an_answer_to_a_question_not_shown_is_refused(world):
    survey, q = open_survey(world)
    with pytest.raises(ValidationError) as error:
        services.response_submit(
            survey=survey,
            user=world.staff,
            values={q["belong"].pk: 4, q["teach"].pk: 1, q["grades"].pk: [0]},
            language="en",
        )
    assert error.value.message_dict[f"q{q['grades'].pk}"] == [str(services.NOT_SHOWN)]
    assert not Response.objects.exists()
    assert not Participation.objects.exists()


def test_required_over_long_and_bad_rankings_store_nothing(world):
    survey, q = open_survey(world)
    with pytest.raises(ValidationError) as error:
        services.response_submit(
            survey=survey,
            user=world.staff,
            values={q["wish"].pk: "x" * 2001, q["rank"].pk: {0: 1, 1: 1}},
            language="en",
        )
    errors = error.value.message_dict
    assert errors[f"q{q['belong'].pk}"] == ["Please answer this question."]
    assert errors[f"q{q['wish'].pk}"] == ["Please keep this answer to 2000 characters."]
    assert errors[f"q{q['rank'].pk}"] == ["Give each option a different rank."]
    assert not Response.objects.exists()


def test_an_answer_after_closing_is_refused(world):
    survey, q = open_survey(world)
    services.survey_close(actor=world.principal, survey=survey)
    with pytest.raises(ValidationError) as error:
        services.response_submit(
            survey=survey, user=world.staff, values={q["belong"].pk: 4}, language="en"
        )
    assert services.NOT_OPEN in error.value.messages
    assert not Response.objects.exists()


def test_people_outside_the_audience_cannot_answer(world):
    survey, q = open_survey(world, families=False)
    with pytest.raises(ValidationError):
        services.response_submit(
            survey=survey, user=world.family, values={q["belong"].pk: 4}, language="es"
        )
    assert not Response.objects.exists()


def test_staff_by_role_and_by_team(world):
    from tests.teams.factories import ilt_for
    from voice.selectors import audience

    survey = draft_survey(
        world, staff_audience=StaffAudience.ROLES, staff_roles=["staff"], families=False
    )
    assert set(audience(survey)) == {world.staff}
    ilt = ilt_for(world)
    survey = services.survey_update(
        actor=world.principal, survey=survey, staff_audience=StaffAudience.TEAMS, teams=[ilt.team]
    )
    members = set(audience(survey))
    assert world.principal in members and world.teacher_leader in members
    assert world.staff not in members


AUDIENCES = [
    {"staff_audience": StaffAudience.ALL, "families": False},
    {"staff_audience": StaffAudience.ALL, "families": True},
    {"staff_audience": StaffAudience.ROLES, "staff_roles": ["staff"], "families": False},
    {"staff_audience": StaffAudience.ROLES, "staff_roles": ["principal"], "families": True},
    {"staff_audience": StaffAudience.ROLES, "staff_roles": [], "families": False},
    {"staff_audience": StaffAudience.NONE, "families": True},
    {"staff_audience": StaffAudience.NONE, "families": True, "family_grades": ["03"]},
    {"staff_audience": StaffAudience.NONE, "families": False, "students": True},
    {"staff_audience": StaffAudience.TEAMS, "families": False},
]


@pytest.mark.parametrize("asks", AUDIENCES)
def test_asked_by_role_is_the_audience_of_those_roles(world, asks):
    """The answer page reads who is asked by role from the memberships loaded with the person:
    never someone the audience leaves out, and everyone it asks by a role they hold."""
    from leadership.models import Membership, User
    from tests.teams.factories import ilt_for
    from voice.selectors import is_asked_by_role, is_in_audience

    asks = dict(asks)
    if asks["staff_audience"] == StaffAudience.TEAMS:
        asks["teams"] = [ilt_for(world).team]
    survey = draft_survey(world, **asks)
    people = [
        world.principal,
        world.teacher_leader,
        world.staff,
        world.family,
        world.district_admin,
        world.other_school_principal,
    ]
    left_to_the_query = survey.staff_audience == StaffAudience.TEAMS or survey.family_grades
    for person in people:
        person = User.objects.get(pk=person.pk)  # roles read afresh, as each request reads them
        by_role, asked = is_asked_by_role(person, survey), is_in_audience(person, survey)
        assert asked or not by_role, person
        if not left_to_the_query:
            assert by_role == asked, person
    # A membership ended, or a person made inactive, is asked no more.
    Membership.objects.filter(user=world.staff).update(is_active=False)
    world.principal.is_active = False
    world.principal.save()
    for person in (world.staff, world.principal):
        assert not is_asked_by_role(User.objects.get(pk=person.pk), survey)


def test_show_if_question_answered_when_shown(world):
    survey, q = open_survey(world)
    services.response_submit(
        survey=survey,
        user=world.staff,
        values={q["belong"].pk: 4, q["teach"].pk: 0, q["grades"].pk: [0, 1]},
        language="en",
    )
    assert sorted(Answer.objects.filter(question=q["grades"]).values_list("option", flat=True)) == [
        0,
        1,
    ]


def test_options_translate_together(world):
    survey = draft_survey(world)
    question = add_question(world, survey, QuestionKind.SINGLE, options=YES_NO)
    assert question.option_labels("es") == ["Sí", "No"]
