"""Too few answers: under the district's small-group threshold, no count, share, average or
rank of a survey's answers is shown (the page, the CSV, the comparison of rounds, the plan),
only how many answered; from the threshold on, everything is. The same for a school's own
survey and for its copy of the district's survey, whoever reads it."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.teams.factories import current_year
from tests.voice.factories import add_question, district_survey, draft_survey
from tests.workplans.factories import GoalFactory, WorkPlanFactory
from voice import rounds, services, tokens
from voice.models import Answer, PlanEvidence, QuestionKind, Response, StudentLink, Survey

pytestmark = pytest.mark.django_db

TOO_FEW = "Fewer than 10 people have answered: results are shown once 10 have."


def _school_survey(world):
    survey = draft_survey(world)
    q = {"belong": add_question(world, survey, required=True)}
    q["hours"] = add_question(
        world, survey, QuestionKind.NUMBER, text={"en": "Hours of PD?", "es": "¿Horas?"}
    )
    q["wish"] = add_question(
        world, survey, QuestionKind.LONG_TEXT, text={"en": "What would help?", "es": "¿Qué?"}
    )
    services.survey_open(actor=world.principal, survey=survey)
    survey.refresh_from_db()
    return survey, q


def _answer(survey, n, values):
    link = StudentLink.objects.create(survey=survey, label="Grade 3", nonce=tokens.new_nonce())
    for _ in range(n):
        services.student_response_submit(link=link, values=values, language="en")


def _csv(client, url, **params):
    body = client.get(url, params).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _urls(survey):
    kwargs = {"slug": survey.school.slug, "pk": survey.pk}
    return (
        reverse("voice:survey_results", kwargs=kwargs),
        reverse("voice:survey_results_csv", kwargs=kwargs),
    )


def test_three_answers_to_a_school_survey_show_how_many_but_no_figure(world, client):
    survey, q = _school_survey(world)
    _answer(survey, 3, {q["belong"].pk: 4, q["hours"].pk: 7, q["wish"].pk: "More time"})
    client.force_login(world.principal)
    page_url, csv_url = _urls(survey)
    page = client.get(page_url).content.decode()
    assert TOO_FEW in page
    assert '<span class="stat">3</span> responses' in page and "3 answers" in page
    assert "100% (3)" not in page and "<svg" not in page and "Average 7" not in page
    assert "Put this result into the plan" not in page
    # Free text stays with the owners, as it always has (never by group).
    assert "More time" in page
    by_group = client.get(page_url, {"by": "group_label"}).content.decode()
    assert "100% (3)" not in by_group and "(n=3)" not in by_group
    rows = _csv(client, csv_url)
    belong = [r for r in rows if r[0] == "I belong here."]
    assert belong == [
        [
            "I belong here.",
            "",
            "Everyone",
            "3",
            "Fewer than 10 people have answered this question: its results are shown once 10 have.",
        ]
    ]
    assert not any(r[0] == "Hours of PD?" and r[1] == "Average" for r in rows)
    assert ["What would help?", "More time", "", "", ""] in rows


def test_at_the_threshold_the_results_show(world, client):
    survey, q = _school_survey(world)
    _answer(survey, 10, {q["belong"].pk: 4, q["hours"].pk: 7})
    client.force_login(world.principal)
    page_url, csv_url = _urls(survey)
    page = client.get(page_url).content.decode()
    assert "Fewer than 10" not in page
    assert "<td>100% (10)</td>" in page and "Average 7" in page and "<svg" in page
    assert "Put this result into the plan" in page
    rows = _csv(client, csv_url)
    assert ["I belong here.", "Strongly agree", "Everyone", "10", "100"] in rows


def test_the_threshold_is_the_districts_setting(world, client):
    world.district.small_group_threshold = 3
    world.district.save(update_fields=["small_group_threshold"])
    survey, q = _school_survey(world)
    _answer(survey, 3, {q["belong"].pk: 4})
    client.force_login(world.principal)
    page = client.get(_urls(survey)[0]).content.decode()
    assert "<td>100% (3)</td>" in page and "Fewer than 3 people have answered:" not in page


def test_a_question_too_few_answered_is_hidden_while_the_others_show(world, client):
    survey, q = _school_survey(world)
    _answer(survey, 10, {q["belong"].pk: 4})
    _answer(survey, 2, {q["belong"].pk: 4, q["hours"].pk: 7})
    client.force_login(world.principal)
    page = client.get(_urls(survey)[0]).content.decode()
    assert TOO_FEW not in page
    assert "<td>100% (12)</td>" in page
    assert "Fewer than 10 people have answered this question" in page and "Average 7" not in page


def test_too_few_answers_put_nothing_into_the_plan(world):
    plan = WorkPlanFactory(school=world.school, school_year=current_year(world.district))
    goal = GoalFactory(plan=plan)
    survey, q = _school_survey(world)
    _answer(survey, 3, {q["belong"].pk: 4})
    with pytest.raises(ValidationError) as error:
        services.evidence_attach(
            actor=world.principal, survey=survey, question=q["belong"], options=[4], goal_id=goal.pk
        )
    assert "Fewer than 10 people" in str(error.value)
    assert not PlanEvidence.objects.exists()


def _district_copy(world, n):
    survey = district_survey(world, open_it=True)
    copy = Survey.objects.get(copied_from=survey, school=world.school)
    question = copy.questions.order_by("position").first()
    responses = Response.objects.bulk_create(
        Response(
            survey=copy, stakeholder="staff", language="en", submitted_on=copy.opened_at.date()
        )
        for _ in range(n)
    )
    Answer.objects.bulk_create(Answer(response=r, question=question, option=4) for r in responses)
    return survey, copy


@pytest.mark.parametrize("reader", ["district_admin", "principal"])
def test_a_schools_copy_of_the_district_survey_hides_three_answers(world, client, reader):
    """The district's by-school view hides the school; its own page does not give it away."""
    survey, copy = _district_copy(world, 3)
    client.force_login(getattr(world, reader))
    page_url, csv_url = _urls(copy)
    page = client.get(page_url).content.decode()
    assert TOO_FEW in page and "100% (3)" not in page and "3 answers" in page
    assert not any(r[3:5] == ["3", "100"] for r in _csv(client, csv_url))
    if reader == "district_admin":
        district_page = client.get(
            reverse(
                "district:survey_results", kwargs={"slug": world.district.slug, "pk": survey.pk}
            ),
            {"by": "school"},
        ).content.decode()
        assert TOO_FEW in district_page and "100% (3)" not in district_page


def test_a_schools_copy_shows_its_results_at_the_threshold(world, client):
    _survey, copy = _district_copy(world, 10)
    client.force_login(world.principal)
    assert "<td>100% (10)</td>" in client.get(_urls(copy)[0]).content.decode()


def test_the_comparison_shows_no_figure_of_a_round_too_few_answered(world, client):
    fall, q = _school_survey(world)
    _answer(fall, 3, {q["belong"].pk: 4})
    services.survey_close(actor=world.principal, survey=fall)
    spring = services.survey_next_round(
        actor=world.principal, survey=fall, title={"en": "Spring", "es": "Primavera"}
    )
    services.survey_open(actor=world.principal, survey=spring)
    belong = spring.questions.get(copied_from=q["belong"]).pk
    _answer(spring, 10, {belong: 3})
    found = rounds.compare_rounds(earlier=fall, later=spring, language="en", dimension=None)
    agree = found.questions[0].measures[0]
    assert (agree.before, agree.after, agree.delta) == (None, rounds.Decimal("100.0"), None)
    assert found.questions[0].hidden_before and not found.questions[0].hidden_after
    assert (found.questions[0].n_before, found.questions[0].n_after) == (3, 10)
    client.force_login(world.principal)
    url = reverse("voice:survey_compare", kwargs={"slug": world.school.slug, "pk": spring.pk})
    page = client.get(url, {"by": "group_label"}).content.decode()
    assert "Staff voice: fewer than 10 people have answered, so its results are not shown." in page
    assert "(3 answers)" in page and "100.0%" in page  # spring's share, with 10 answers
    # Spring's "agree or strongly agree" and "agree", in its table and its chart: fall's
    # 3 "strongly agree" (100.0% twice over) show nowhere.
    assert page.count("100.0%") == 4
    assert "Grade 3" not in page  # no group of a round too few answered
