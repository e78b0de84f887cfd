"""Goals and steps that belong to a team: its members enter data and update steps; the team's
page shows its goals, steps and decisions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership import clock
from teams.models import Decision, DecisionRule, Meeting, MeetingStatus, Team, TeamMember
from tests.teams.factories import ilt_for
from tests.workplans.factories import ActionStepFactory, DataPointFactory
from workplans import services
from workplans.models import ActionStep, DataPoint, Goal, StepStatus


def url(name, **kwargs):
    return reverse(f"workplans:{name}", kwargs=kwargs)


@pytest.fixture
def grade3(world, plan):
    return Team.objects.create(
        school=world.school, school_year=plan.school_year, kind="grade_level", name="Grade 3"
    )


@pytest.fixture
def lead(world, grade3):
    """The world's teacher leader leads the grade-3 team (and edits no plan)."""
    TeamMember.objects.create(
        team=grade3, user=world.teacher_leader, stakeholder_group="teacher", role="facilitator"
    )
    return world.teacher_leader


def _owned(goal, team):
    Goal.objects.filter(pk=goal.pk).update(team=team)
    goal.refresh_from_db()
    return goal


def test_a_team_member_enters_data_for_the_teams_goal_and_its_status_changes(
    client_for, world, goal, measure, grade3, lead
):
    today = clock.today_in(world.district)
    DataPointFactory(measure=measure, date=today - timedelta(days=50), value=Decimal("45"))
    add_url = url("datapoint_create", slug=world.school.slug, pk=measure.pk)
    client = client_for(lead)
    assert client.post(add_url, {"date": today.isoformat(), "value": "50"}).status_code == 403

    _owned(goal, grade3)
    client = client_for(lead)
    page = client.get(url("plan_detail", slug=world.school.slug, pk=goal.plan_id))
    assert add_url in page.content.decode()  # the lead sees "Add a value" on the team's goal
    assert "Not enough data" in page.content.decode()
    response = client.post(add_url, {"date": today.isoformat(), "value": "30"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The value was added."]
    assert DataPoint.objects.get(date=today).value == Decimal("30")
    page = client.get(url("plan_detail", slug=world.school.slug, pk=goal.plan_id)).content.decode()
    assert f'wp-goal-status-{goal.pk}">Off track' in page
    # The lead still cannot change the measure itself.
    edit = url("measure_edit", slug=world.school.slug, pk=measure.pk)
    assert client.get(edit).status_code == 403
    assert edit not in page


def test_a_family_member_of_the_team_and_other_staff_cannot_enter_data(
    client_for, world, goal, measure, grade3
):
    _owned(goal, grade3)
    TeamMember.objects.create(team=grade3, user=world.family, stakeholder_group="family")
    add_url = url("datapoint_create", slug=world.school.slug, pk=measure.pk)
    data = {"date": clock.today_in(world.district).isoformat(), "value": "50"}
    assert client_for(world.family).post(add_url, data).status_code == 403
    assert client_for(world.staff).post(add_url, data).status_code == 403
    assert not DataPoint.objects.exists()


def test_members_of_the_goals_team_or_the_steps_team_update_the_step(
    client_for, world, goal, grade3, lead
):
    step = ActionStepFactory(
        goal=goal,
        owner=world.principal,
        start=clock.today_in(world.district) - timedelta(days=5),
        due=clock.today_in(world.district) + timedelta(days=5),
    )
    update_url = url("step_progress", slug=world.school.slug, pk=step.pk)
    data = {"status": "on_track", "narrative": "Half the classes done."}
    assert client_for(lead).post(update_url, data).status_code == 403
    ActionStep.objects.filter(pk=step.pk).update(team=grade3)
    assert client_for(lead).post(update_url, data).status_code == 302
    step.refresh_from_db()
    assert step.status == StepStatus.ON_TRACK
    ActionStep.objects.filter(pk=step.pk).update(team=None)
    _owned(goal, grade3)
    data = {"status": "done", "narrative": "All done."}
    assert client_for(lead).post(update_url, data).status_code == 302
    step.refresh_from_db()
    assert step.status == StepStatus.DONE


def test_a_team_of_another_school_is_refused_and_nothing_changes(world, goal, plan):
    other = Team.objects.create(
        school=world.other_school, school_year=plan.school_year, kind="subject", name="Math"
    )
    with pytest.raises(ValidationError) as refused:
        services.goal_update(goal=goal, actor=world.principal, team=other)
    assert refused.value.message_dict == {"team": [str(services.TEAM_OF_OTHER_SCHOOL)]}
    goal.refresh_from_db()
    assert goal.team is None
    with pytest.raises(ValidationError):
        services.step_create(
            goal=goal,
            actor=world.principal,
            title="Visit",
            owner=world.teacher_leader,
            team=other,
            start=plan.school_year.start,
            due=plan.school_year.start,
        )
    assert not ActionStep.objects.exists()


def test_the_step_form_links_a_team_and_drops_the_text(client_for, world, goal, grade3):
    today = clock.today_in(world.district)
    response = client_for(world.principal).post(
        url("step_create", slug=world.school.slug, pk=goal.pk),
        {
            "title": "Run the data cycle",
            "owner": world.teacher_leader.pk,
            "team": grade3.pk,
            "team_name": "grade three",
            "start": today.isoformat(),
            "due": (today + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    step = ActionStep.objects.get()
    assert (step.team, step.team_name) == (grade3, "")


def test_the_team_page_shows_its_goals_steps_and_decisions(client_for, world, goal, grade3, lead):
    _owned(goal, grade3)
    today = clock.today_in(world.district)
    ActionStepFactory(
        goal=goal, title="Team step", owner=lead, start=today - timedelta(days=9), due=today
    )
    other_goal = Goal.objects.create(plan=goal.plan, focus_area="culture", smart_statement="x")
    ActionStepFactory(
        goal=other_goal,
        title="Borrowed step",
        owner=lead,
        team=grade3,
        start=today - timedelta(days=9),
        due=today - timedelta(days=1),
    )
    ActionStepFactory(goal=other_goal, title="Not ours", owner=lead, start=today, due=today)
    rule = DecisionRule.objects.create(
        team=grade3, area="Schedule", model="majority", who_decides="All"
    )
    meeting = Meeting.objects.create(
        team=grade3, starts_at=clock.now_in(world.district), status=MeetingStatus.HELD
    )
    item = meeting.items.create(title="Block schedule")
    Decision.objects.create(
        item=item,
        meeting=meeting,
        rule=rule,
        model_used="majority",
        text="Keep the block",
        outcome="adopted",
    )
    html = client_for(lead).get(grade3.get_absolute_url()).content.decode()
    assert "Reading at grade level rises to 60%." in html
    assert "Team step" in html and "Borrowed step" in html and "Not ours" not in html
    assert "Keep the block" in html
    # A member who is a family reads no plan (plans are for staff) and no draft minutes.
    TeamMember.objects.create(team=grade3, user=world.family, stakeholder_group="family")
    html = client_for(world.family).get(grade3.get_absolute_url()).content.decode()
    assert "Team step" not in html and "No goal of a work plan belongs to this team." in html


def test_the_ilt_page_keeps_working_without_plans(client_for, world):
    ilt = ilt_for(world)
    html = client_for(world.principal).get(ilt.team.get_absolute_url()).content.decode()
    assert "No goal of a work plan belongs to this team." in html


def test_the_team_page_reads_its_work_in_fixed_queries(
    client_for, world, goal, grade3, lead, django_assert_num_queries
):
    from tests.workplans.factories import GoalFactory, MeasureFactory

    today = clock.today_in(world.district)
    for n in range(6):
        owned = GoalFactory(plan=goal.plan, team=grade3, smart_statement=f"Team goal {n}")
        measure = MeasureFactory(
            goal=owned,
            baseline_date=today - timedelta(days=100),
            target_date=today + timedelta(days=100),
        )
        DataPointFactory(measure=measure, date=today - timedelta(days=3), value=Decimal("41"))
        DataPointFactory(measure=measure, date=today, value=Decimal("42"))
        for k in range(3):
            ActionStepFactory(goal=owned, title=f"Step {n}.{k}", owner=lead, start=today, due=today)
    client = client_for(lead)
    # 22 for the team and its work-plan section, and 6 for the team page's own sections
    # since (proposals between meetings, items put forward, former members).
    with django_assert_num_queries(25):
        html = client.get(grade3.get_absolute_url()).content.decode()
    assert "Team goal 5" in html and "Step 5.2" in html
