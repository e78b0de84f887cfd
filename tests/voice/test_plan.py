"""Into the plan: a question's result, for everyone or a group big enough to show, becomes a
goal's evidence or a measure's data point; the plan page says where it came from."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from district import rollups
from district.models import SchoolRollup
from leadership import clock
from tests.teams.factories import current_year
from tests.voice.factories import open_survey
from tests.workplans.factories import GoalFactory, MeasureFactory, WorkPlanFactory
from voice import services, tokens
from voice.models import PlanEvidence, StudentLink
from workplans import charts, selectors
from workplans import services as workplan_services
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


def _feed(world, survey, question, measure, **group):
    return services.evidence_attach(
        actor=world.principal,
        survey=survey,
        question=question,
        options=[4],
        measure_id=measure.pk,
        **group,
    )


def test_a_groups_result_keeps_its_group_beside_everyones_of_the_same_day(world, answered, goal):
    survey, q = answered
    measure = MeasureFactory(goal=goal)
    _feed(world, survey, q["belong"], measure)
    _feed(world, survey, q["belong"], measure, dimension="group_label", group_key="Grade 3")
    points = {p.group: (p.value, p.n) for p in DataPoint.objects.filter(measure=measure)}
    assert points == {
        "": (Decimal("32.00"), 25),
        "Class or grade: Grade 3": (Decimal("66.70"), 12),
    }


def test_the_same_result_fed_twice_is_refused_with_a_message(world, client, answered, goal):
    survey, q = answered
    measure = MeasureFactory(goal=goal)
    group = {"dimension": "group_label", "group_key": "Grade 3"}
    _feed(world, survey, q["belong"], measure, **group)
    with pytest.raises(ValidationError) as error:
        _feed(world, survey, q["belong"], measure, **group)
    day = services.results_date(survey).isoformat()
    expected = (
        f"This measure already has a value for {day} (Class or grade: Grade 3): the result is "
        "already in the plan. Nothing was added."
    )
    assert error.value.messages == [expected]
    client.force_login(world.principal)
    url = reverse(
        "voice:evidence_attach",
        kwargs={"slug": world.school.slug, "pk": survey.pk, "question_pk": q["belong"].pk},
    )
    response = client.post(
        url, {"options": ["4"], "group": "group_label:Grade 3", "target": f"measure:{measure.pk}"}
    )
    assert response.status_code == 200
    assert expected in html.unescape(response.content.decode())
    assert DataPoint.objects.filter(measure=measure).count() == 1
    assert PlanEvidence.objects.count() == 1


def test_a_result_is_dated_by_its_latest_answer_while_open_and_its_closing_after(
    world, answered, goal
):
    survey, q = answered
    measure = MeasureFactory(goal=goal)
    answered_on = clock.today_in(world.school)
    later = timezone.now() + timedelta(days=9)
    with time_machine.travel(later, tick=False):
        _feed(world, survey, q["belong"], measure)
        services.survey_close(actor=world.principal, survey=survey)
    closed_on = clock.today_in(world.school, now=later)
    with time_machine.travel(later + timedelta(days=20), tick=False):
        survey.refresh_from_db()
        evidence = _feed(
            world, survey, q["belong"], measure, dimension="group_label", group_key="Grade 3"
        )
    dates = dict(DataPoint.objects.filter(measure=measure).values_list("group", "date"))
    assert dates == {"": answered_on, "Class or grade: Grade 3": closed_on}
    assert evidence.taken_on == closed_on


def test_a_small_groups_point_is_suppressed_on_the_plan_like_any_other(world, answered, goal):
    """A group's point goes by the plan's rule for small groups: with a higher threshold
    later, the Grade 3 point (n=12) is hidden, everyone's (no group) is not."""
    survey, q = answered
    measure = MeasureFactory(goal=goal)
    _feed(world, survey, q["belong"], measure, dimension="group_label", group_key="Grade 3")
    measure = type(measure).objects.prefetch_related("data_points").get(pk=measure.pk)
    [point] = charts.visible_points(measure, threshold=13)
    assert point.suppressed and point.group == "Class or grade: Grade 3"


def test_one_result_is_one_point_whoever_attaches_it_in_whichever_language(
    world, client, answered, goal
):
    """The group a point keeps is written in the school's language, not in the language of the
    person attaching it: a principal reading Spanish and a leader reading English who attach
    the same group's result name the same group, so the second is refused."""
    survey, q = answered
    survey.owners.add(world.teacher_leader)
    measure = MeasureFactory(goal=goal)
    type(world.principal).objects.filter(pk=world.principal.pk).update(preferred_language="es")
    type(world.teacher_leader).objects.filter(pk=world.teacher_leader.pk).update(
        preferred_language="en"
    )
    url = reverse(
        "voice:evidence_attach",
        kwargs={"slug": world.school.slug, "pk": survey.pk, "question_pk": q["belong"].pk},
    )
    data = {"options": ["4"], "group": "group_label:Grade 3", "target": f"measure:{measure.pk}"}
    client.force_login(world.principal)
    assert "Clase o grado: Grade 3" in client.get(url).content.decode()  # read in Spanish
    assert client.post(url, data).status_code == 302
    client.force_login(world.teacher_leader)
    response = client.post(url, data)
    assert response.status_code == 200
    day = services.results_date(survey).isoformat()
    assert (
        f"This measure already has a value for {day} (Class or grade: Grade 3): the result is "
        "already in the plan. Nothing was added."
    ) in html.unescape(response.content.decode())
    assert list(DataPoint.objects.filter(measure=measure).values_list("group", flat=True)) == [
        "Class or grade: Grade 3"
    ]
    assert PlanEvidence.objects.count() == 1


def test_a_groups_point_beside_everyones_does_not_move_the_measures_status(
    world, client, answered, goal
):
    """Everyone's 32% and Grade 3's 66.7% of the same day: the measure follows everyone, so its
    status, its goal's and the district dashboard's all read 32% (off track), and the Grade 3
    point is in the data table, not on the chart's line."""
    survey, q = answered
    WorkPlan.objects.filter(pk=goal.plan_id).update(status=WorkPlan.Status.ACTIVE)
    day = services.results_date(survey)
    # On the straight path from 40 to 60, the result's day expects 43.3: 32 is off track,
    # 66.7 would be on track.
    measure = MeasureFactory(
        goal=goal,
        baseline=Decimal("40"),
        baseline_date=day - timedelta(days=60),
        target=Decimal("60"),
        target_date=day + timedelta(days=300),
    )
    workplan_services.datapoint_create(
        measure=measure, actor=world.principal, date=day - timedelta(days=30), value="41"
    )
    _feed(world, survey, q["belong"], measure)
    _feed(world, survey, q["belong"], measure, dimension="group_label", group_key="Grade 3")
    assert DataPoint.objects.filter(measure=measure, date=day).count() == 2

    [decorated] = [g for g in selectors.goals_of(goal.plan) if g.pk == goal.pk]
    [view] = decorated.measure_views
    assert view.status == charts.Status.OFF_TRACK
    assert decorated.status == charts.Status.OFF_TRACK
    assert [p.group for p in view.points if p.date == day] == ["", "Class or grade: Grade 3"]
    assert "2 values shown" in view.svg
    assert "1 value of another group is in the table, not on the chart." in view.svg

    rollups.fresh_rollups(world.district)
    row = SchoolRollup.objects.get(school=world.school)
    assert row.goal_statuses == [[goal.pk, goal.district_priority_id, "off_track"]]
    assert (row.goals_on_track, row.goals_off_track) == (0, 1)

    client.force_login(world.principal)
    page = client.get(
        reverse("workplans:plan_detail", kwargs={"slug": world.school.slug, "pk": goal.plan.pk})
    ).content.decode()
    assert f'badge-bad wp-goal-status-{goal.pk}">Off track</span>' in page
    assert '<span class="badge badge-bad">Off track</span>' in page  # the measure's
    assert '">On track</span>' not in page
    assert "66.70%" in page and "Class or grade: Grade 3" in page  # still in the table
