"""Permission matrix of the voice pages: role x URL -> status."""

from tests.matrix import Row, check_row, parametrize
from tests.voice.factories import add_question, draft_survey, open_survey
from voice import services, tokens
from voice.models import StudentLink, Survey


def everyone(status: int, **overrides) -> dict[str, int]:
    from tests.conftest import ROLES

    return {role: overrides.get(role, status) for role in ROLES}


OUTSIDERS_404 = dict(other_school_principal=404, other_district_admin=404)
# Owners: the principal and the district's admins (and the ILT members the principal names).
OWNERS_200 = everyone(403, anonymous=302, principal=200, district_admin=200, **OUTSIDERS_404)
OWNERS_302 = everyone(403, anonymous=302, principal=302, district_admin=302, **OUTSIDERS_404)
# Asked to answer: the school's staff and families (a district admin is not asked).
AUDIENCE_200 = everyone(200, anonymous=302, district_admin=403, **OUTSIDERS_404)
# An answer sent by someone asked is saved and they go back to the page (302); the anonymous
# visitor is sent to sign in (302 too, and nothing saved: see test_views).
AUDIENCE_302 = everyone(302, district_admin=403, **OUTSIDERS_404)
# The respondent column: a survey for families only is answered by the school's families; its
# staff (the principal and teacher leader among them) are outside the audience.
FAMILIES_ONLY_302 = everyone(403, anonymous=302, family=302, **OUTSIDERS_404)
STAFF_ONLY_302 = {**AUDIENCE_302, "family": 403}


def _school(world):
    return {"slug": world.school.slug}


def _draft(world):
    return {"slug": world.school.slug, "pk": draft_survey(world).pk}


def _owned_by_leader(world):
    survey = draft_survey(world)
    survey.owners.add(world.teacher_leader)
    return {"slug": world.school.slug, "pk": survey.pk}


def _open(world):
    survey, _q = open_survey(world)
    return {"slug": world.school.slug, "pk": survey.pk}


def _question(world):
    survey = draft_survey(world)
    question = add_question(world, survey)
    return {"slug": world.school.slug, "pk": survey.pk, "question_pk": question.pk}


def _next_round(world):
    survey, _q = open_survey(world)
    spring = services.survey_next_round(
        actor=world.principal, survey=survey, title={"en": "Spring", "es": "Primavera"}
    )
    services.survey_open(actor=world.principal, survey=spring)
    return {"slug": world.school.slug, "pk": spring.pk}


def _spring_owned_by_leader(world):
    """A next round the teacher leader was named an owner of, when the earlier one is not
    theirs: they read this round's results but not the earlier round's, so nothing to
    compare with."""
    kwargs = _next_round(world)
    services.survey_owners_set(
        actor=world.principal,
        survey=Survey.objects.get(pk=kwargs["pk"]),
        owners=[world.teacher_leader],
    )
    return kwargs


def _open_owned_by_leader(world):
    survey, _q = open_survey(world)
    survey.owners.add(world.teacher_leader)
    return {"slug": world.school.slug, "pk": survey.pk}


def _open_question(world):
    survey, q = open_survey(world)
    return {"slug": world.school.slug, "pk": survey.pk, "question_pk": q["belong"].pk}


def _link(world):
    survey, _q = open_survey(world)
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    return {"slug": world.school.slug, "pk": survey.pk, "link_pk": link.pk}


def _families_only(world):
    survey, _q = open_survey(world, staff_audience="none", students=False)
    return {"slug": world.school.slug, "pk": survey.pk}


def _staff_only(world):
    survey, _q = open_survey(world, families=False, students=False)
    return {"slug": world.school.slug, "pk": survey.pk}


def _closed(world):
    survey, _q = open_survey(world)
    services.survey_close(actor=world.principal, survey=survey)
    return {"slug": world.school.slug, "pk": survey.pk}


def _answers(world):
    """A valid answer to the survey the row's kwargs just made (its one required question)."""
    from voice.models import Question

    question = Question.objects.filter(survey__school=world.school, required=True).latest("pk")
    return {f"q{question.pk}": "3", "lang": "en"}


def _withdrawn_link_token(world):
    kwargs = _link_token(world)
    StudentLink.objects.update(is_active=False)
    return kwargs


def _open_question_with_goal(world):
    from tests.teams.factories import current_year
    from tests.workplans.factories import GoalFactory, WorkPlanFactory

    kwargs = _open_question(world)
    survey = Survey.objects.get(pk=kwargs["pk"])
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    for option in [4] * 6 + [1] * 6:  # enough answers to share
        services.student_response_submit(
            link=link, values={kwargs["question_pk"]: option}, language="en"
        )
    plan = WorkPlanFactory(school=world.school, school_year=current_year(world.district))
    GoalFactory(plan=plan)
    return kwargs


def _evidence_form(world):
    from workplans.models import Goal

    goal = Goal.objects.filter(plan__school=world.school).latest("pk")
    return {"options": ["3", "4"], "group": "", "target": f"goal:{goal.pk}"}


def _session_form(world):
    from leadership import clock

    return {
        "kind": "focus_group",
        "held_on": clock.today_in(world.school).isoformat(),
        "title": "Grade 5",
        "students_heard": "8",
        "families_heard": "0",
        "staff_heard": "0",
        "community_heard": "0",
    }


def _link_token(world):
    survey, _q = open_survey(world)
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    return {"token": tokens.make_link_token(link)}


def _exchange(world, status="open", families=True):
    from voice.models import SurveyStatus

    exchange = services.exchange_create(
        actor=world.principal,
        school=world.school,
        question={"en": "One thing?", "es": "¿Una cosa?"},
        staff=True,
        families=families,
    )
    if status == "open":
        exchange = services.exchange_set_status(
            actor=world.principal, exchange=exchange, status=SurveyStatus.OPEN
        )
    return exchange


def _exchange_kwargs(world):
    return {"slug": world.school.slug, "pk": _exchange(world).pk}


def _staff_exchange(world):
    return {"slug": world.school.slug, "pk": _exchange(world, families=False).pk}


def _draft_exchange(world):
    return {"slug": world.school.slug, "pk": _exchange(world, status="draft").pk}


def _idea(world):
    exchange = _exchange(world)
    idea = services.idea_add(user=world.staff, exchange=exchange, text="Books")
    return {"slug": world.school.slug, "pk": exchange.pk, "idea_pk": idea.pk}


# Listening sessions: the school's staff and the district's admins; not families.
LISTENERS_200 = everyone(200, anonymous=302, family=403, **OUTSIDERS_404)
LISTENERS_302 = everyone(302, family=403, **OUTSIDERS_404)


def _session(world):
    from leadership import clock

    session = services.session_record(
        actor=world.staff,
        school=world.school,
        kind="focus_group",
        held_on=clock.today_in(world.school),
        title="Grade 5",
        students_heard=6,
    )
    return {"slug": world.school.slug, "pk": session.pk}


def _listening_theme(world):
    theme = services.listening_theme_add(actor=world.staff, school=world.school, name="Belonging")
    return {"slug": world.school.slug, "theme_pk": theme.pk}


def _idea_theme(world):
    exchange = _exchange(world)
    theme = services.theme_add(actor=world.principal, exchange=exchange, name="Books")
    return {"slug": world.school.slug, "pk": exchange.pk, "theme_pk": theme.pk}


MATRIX = [
    Row("voice:survey_list", everyone(200, anonymous=302, **OUTSIDERS_404), kwargs=_school),
    Row("voice:survey_create", OWNERS_200, kwargs=_school),
    Row("voice:survey_create", OWNERS_200, kwargs=_school, method="POST"),
    Row(
        "voice:survey_from_template",
        OWNERS_302,
        kwargs=_school,
        method="POST",
        data=lambda w: {"template": "student_voice"},
    ),
    Row("voice:survey_detail", OWNERS_200, kwargs=_draft),
    # An ILT member the principal names as an owner builds it too.
    Row("voice:survey_detail", {**OWNERS_200, "teacher_leader": 200}, kwargs=_owned_by_leader),
    Row("voice:survey_settings", OWNERS_200, kwargs=_draft),
    Row("voice:section_add", OWNERS_302, kwargs=_draft, method="POST"),
    Row("voice:question_add", OWNERS_200, kwargs=_draft),
    Row("voice:question_edit", OWNERS_200, kwargs=_question),
    Row("voice:question_delete", OWNERS_302, kwargs=_question, method="POST"),
    Row(
        "voice:question_move",
        OWNERS_302,
        kwargs=_question,
        method="POST",
        data=lambda w: {"direction": "up"},
    ),
    Row("voice:survey_open", OWNERS_302, kwargs=_draft, method="POST"),
    Row("voice:survey_close", OWNERS_302, kwargs=_open, method="POST"),
    Row("voice:survey_remind", OWNERS_302, kwargs=_open, method="POST"),
    Row(
        "voice:link_create",
        OWNERS_302,
        kwargs=_open,
        method="POST",
        data=lambda w: {"label": "Grade 3"},
    ),
    Row("voice:link_withdraw", OWNERS_302, kwargs=_link, method="POST"),
    Row("voice:link_qr", OWNERS_200, kwargs=_link),
    Row("voice:survey_answer", AUDIENCE_200, kwargs=_open),
    Row("voice:survey_answer", AUDIENCE_302, kwargs=_open, method="POST", data=_answers),
    Row(
        "voice:survey_answer",
        FAMILIES_ONLY_302,
        kwargs=_families_only,
        method="POST",
        data=_answers,
    ),
    Row("voice:survey_answer", STAFF_ONLY_302, kwargs=_staff_only, method="POST", data=_answers),
    # After closing, the people asked see the page again with "not saved" (200, no redirect).
    Row("voice:survey_answer", AUDIENCE_200, kwargs=_closed, method="POST", data=_answers),
    Row("voice:survey_results", OWNERS_200, kwargs=_open),
    Row("voice:survey_results_csv", OWNERS_200, kwargs=_open),
    Row("voice:evidence_attach", OWNERS_200, kwargs=_open_question),
    Row(
        "voice:evidence_attach",
        OWNERS_302,
        kwargs=_open_question_with_goal,
        method="POST",
        data=_evidence_form,
    ),
    Row("voice:survey_compare", OWNERS_200, kwargs=_next_round),
    Row(
        "voice:survey_results",
        {**OWNERS_200, "teacher_leader": 200},
        kwargs=_spring_owned_by_leader,
    ),
    Row(
        "voice:survey_compare",
        {**OWNERS_200, "teacher_leader": 404},
        kwargs=_spring_owned_by_leader,
    ),
    Row("voice:survey_next_round", OWNERS_200, kwargs=_open),
    # Starting a round makes a survey: an owner the principal named does not.
    Row("voice:survey_next_round", OWNERS_200, kwargs=_open_owned_by_leader),
    Row(
        "voice:survey_next_round",
        OWNERS_302,
        kwargs=_open,
        method="POST",
        data=lambda w: {"title_en": "Spring", "title_es": "Primavera"},
    ),
    # Tagging a survey with themes: its owners, an owner the principal named included.
    Row("voice:survey_themes", OWNERS_200, kwargs=_open),
    Row("voice:survey_themes", {**OWNERS_200, "teacher_leader": 200}, kwargs=_open_owned_by_leader),
    Row("voice:survey_themes", OWNERS_302, kwargs=_open, method="POST"),
    Row("voice:exchange_create", OWNERS_200, kwargs=_school),
    Row("voice:exchange_detail", OWNERS_200, kwargs=_exchange_kwargs),
    Row(
        "voice:exchange_status",
        OWNERS_302,
        kwargs=_draft_exchange,
        method="POST",
        data=lambda w: {"status": "open"},
    ),
    Row(
        "voice:theme_add",
        OWNERS_302,
        kwargs=_exchange_kwargs,
        method="POST",
        data=lambda w: {"name": "Books"},
    ),
    Row("voice:idea_theme", OWNERS_302, kwargs=_idea, method="POST"),
    Row(
        "voice:idea_hide",
        OWNERS_302,
        kwargs=_idea,
        method="POST",
        data=lambda w: {"reason": "Rude"},
    ),
    # Staff and families take part (the principal as staff); a district admin is not asked.
    Row("voice:exchange_take", AUDIENCE_200, kwargs=_exchange_kwargs),
    Row(
        "voice:exchange_take",
        AUDIENCE_302,
        kwargs=_exchange_kwargs,
        method="POST",
        data=lambda w: {"text": "More books"},
    ),
    Row(
        "voice:exchange_take",
        STAFF_ONLY_302,
        kwargs=_staff_exchange,
        method="POST",
        data=lambda w: {"text": "More books"},
    ),
    Row("voice:listening", LISTENERS_200, kwargs=_school),
    Row("voice:session_create", LISTENERS_200, kwargs=_school),
    Row("voice:session_create", LISTENERS_302, kwargs=_school, method="POST", data=_session_form),
    Row("voice:session_detail", LISTENERS_200, kwargs=_session),
    Row(
        "voice:listening_theme_add",
        LISTENERS_302,
        kwargs=_school,
        method="POST",
        data=lambda w: {"name": "Belonging"},
    ),
    # Themes into the plan: the people who put survey results into it.
    Row("voice:listening_theme_evidence", OWNERS_200, kwargs=_listening_theme),
    Row("voice:listening_theme_evidence", OWNERS_200, kwargs=_listening_theme, method="POST"),
    Row("voice:idea_theme_evidence", OWNERS_200, kwargs=_idea_theme),
    Row("voice:idea_theme_evidence", OWNERS_200, kwargs=_idea_theme, method="POST"),
    # The class link works without an account, for whoever holds it.
    Row("voice:student_answer", everyone(200), kwargs=_link_token),
    # Answering through it thanks the student on the page itself (200)...
    Row("voice:student_answer", everyone(200), kwargs=_link_token, method="POST", data=_answers),
    # ... until the owner withdraws it.
    Row(
        "voice:student_answer",
        everyone(404),
        kwargs=_withdrawn_link_token,
        method="POST",
        data=_answers,
    ),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)


def test_the_class_link_post_of_the_matrix_stores_an_answer_and_thanks(world, client):
    """The matrix reads only the status, and the class link answers 200 whether it thanks,
    shows an error or says the device has answered: here the same post stores one answer,
    and a second from the same browser stores nothing."""
    from django.urls import reverse

    from voice.models import Response

    url = reverse("voice:student_answer", kwargs=_link_token(world))
    client.get(url)
    page = client.post(url, _answers(world)).content.decode()
    assert "Thank you: your answers were saved." in page
    assert Response.objects.count() == 1
    again = client.post(url, _answers(world)).content.decode()
    assert "Thank you" not in again
    assert Response.objects.count() == 1
