"""Into the plan: a question's result, for everyone or a group big enough to show, becomes a
goal's evidence or a measure's data point; the plan page says where it came from."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.teams.factories import current_year
from tests.voice.factories import open_survey
from tests.workplans.factories import GoalFactory, MeasureFactory, WorkPlanFactory
from voice import services, tokens
from voice.models import PlanEvidence, StudentLink
from workplans.models import DataPoint, WorkPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(world):
    survey, q = open_survey(world)
    classes = (("Grade 3", [4] * 8 + [1] * 4), ("Grade 4", [3, 0]), ("Grade 5", [1] * 11))
    for label, answers in classes:
        link = StudentLink.objects.create(survey=survey, label=label, nonce=tokens.new_nonce())
        for option in answers:
            services.student_response_submit(
                link=link, values={q["belong"].pk: option}, language="en"
            )
    return survey, q


@pytest.fixture
def goal(world):
    plan = WorkPlanFactory(school=world.school, school_year=current_year(world.district))
    return GoalFactory(plan=plan)


def test_a_result_becomes_evidence_shown_on_the_plan(world, client, answered, goal):
    survey, q = answered
    client.force_login(world.principal)
    url = reverse(
        "voice:evidence_attach",
        kwargs={"slug": world.school.slug, "pk": survey.pk, "question_pk": q["belong"].pk},
    )
    page = client.get(url).content.decode()
    assert "Class or grade: Grade 3 (n=12)" in page
    assert "Grade 4" not in page  # too small to offer
    assert "Grade 5" not in page  # would give Grade 4 away by subtraction
    response = client.post(url, {"options": ["3", "4"], "group": "", "target": f"goal:{goal.pk}"})
    assert response.status_code == 302
    evidence = PlanEvidence.objects.get()
    assert (evidence.value, evidence.n, evidence.goal_id) == (Decimal("36.0"), 25, goal.pk)
    plan_page = client.get(
        reverse("workplans:plan_detail", kwargs={"slug": world.school.slug, "pk": goal.plan.pk})
    ).content.decode()
    assert "36.0%" in plan_page and "Where it came from" in plan_page
    assert "I belong here." in plan_page
    printed = client.get(
        reverse("workplans:plan_print", kwargs={"slug": world.school.slug, "pk": goal.plan.pk})
    ).content.decode()
    assert "What people said" in printed and "36.0%" in printed


def test_a_suppressed_group_cannot_go_into_the_plan(world, answered, goal):
    survey, q = answered
    with pytest.raises(ValidationError) as error:
        services.evidence_attach(
            actor=world.principal,
            survey=survey,
            question=q["belong"],
            options=[3, 4],
            dimension="group_label",
            group_key="Grade 4",
            goal_id=goal.pk,
        )
    assert error.value.message_dict["group"] == [
        "Fewer than 10 people in this group answered: the result is too small to share."
    ]
    assert not PlanEvidence.objects.exists()


def test_a_result_feeds_a_measure_as_a_data_point_with_its_n(world, answered, goal):
    survey, q = answered
    measure = MeasureFactory(goal=goal)
    services.evidence_attach(
        actor=world.principal,
        survey=survey,
        question=q["belong"],
        options=[4],
        dimension="group_label",
        group_key="Grade 3",
        measure_id=measure.pk,
    )
    point = DataPoint.objects.get(measure=measure)
    assert (point.value, point.n) == (Decimal("66.67"), 12) or (point.value, point.n) == (
        Decimal("66.70"),
        12,
    )
    assert point.source == "Survey “Staff voice”"


def test_a_closed_plan_takes_nothing(world, answered, goal):
    survey, q = answered
    WorkPlan.objects.filter(pk=goal.plan_id).update(status=WorkPlan.Status.CLOSED)
    with pytest.raises(ValidationError):
        services.evidence_attach(
            actor=world.principal, survey=survey, question=q["belong"], options=[4], goal_id=goal.pk
        )
    assert not PlanEvidence.objects.exists()
