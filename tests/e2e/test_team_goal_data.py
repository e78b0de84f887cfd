"""A grade-level team lead enters data for the team's goal and sees its status change."""

from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from leadership import clock
from teams.models import Team, TeamMember
from tests.e2e.test_teams_meeting import sign_in
from tests.leadership.factories import SchoolYearFactory
from tests.teams import factories as f
from tests.workplans.factories import (
    ActionStepFactory,
    DataPointFactory,
    GoalFactory,
    MeasureFactory,
    WorkPlanFactory,
)
from workplans import services
from workplans.models import DataPoint


def test_a_grade_level_lead_enters_data_for_the_teams_goal(page, axe_check, live_server, world):
    today = clock.today_in(world.district)
    year = SchoolYearFactory(district=world.district)
    plan = WorkPlanFactory(school=world.school, school_year=year)
    team = Team.objects.create(
        school=world.school, school_year=year, kind="grade_level", name="Grade 3 team"
    )
    TeamMember.objects.create(
        team=team, user=world.teacher_leader, stakeholder_group="teacher", role="facilitator"
    )
    goal = GoalFactory(
        plan=plan, order=1, team=team, smart_statement="Third graders read at grade level."
    )
    measure = MeasureFactory(
        goal=goal,
        name="Grade 3 reading",
        unit="%",
        baseline=Decimal(40),
        target=Decimal(60),
        baseline_date=today - timedelta(days=100),
        target_date=today + timedelta(days=100),
    )
    DataPointFactory(measure=measure, date=today - timedelta(days=50), value=Decimal(45))

    sign_in(page.context, live_server, world.teacher_leader)
    page.goto(team.get_absolute_url())
    section = page.locator("section", has=page.get_by_role("heading", name="The team's goals"))
    expect(section.get_by_text("Third graders read at grade level.")).to_be_visible()
    expect(section.get_by_text("Not enough data")).to_be_visible()
    axe_check(page)

    section.get_by_role("link", name="Goal 1 (" + year.label + ")").click()
    status = page.locator(f".wp-goal-status-{goal.pk}")
    expect(status).to_have_text("Not enough data")
    page.get_by_role("link", name="Add a value to Grade 3 reading").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grade 3 reading")
    axe_check(page)
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Value").fill("41")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("The value was added.")).to_be_visible()
    expect(page.locator(f".wp-goal-status-{goal.pk}")).to_have_text("Off track")
    axe_check(page)
    assert DataPoint.objects.filter(measure=measure, date=today).get().value == Decimal(41)


def test_the_facilitator_links_a_goal_to_an_agenda_item_and_monitors_the_plan(
    page, axe_check, live_server, world
):
    today = clock.today_in(world.district)
    ilt = f.ilt_for(world)
    plan = WorkPlanFactory(school=world.school, school_year=ilt.year)
    goal = GoalFactory(plan=plan, order=1, smart_statement="Attendance rises to 95%.")
    measure = MeasureFactory(
        goal=goal,
        name="Attendance",
        baseline=Decimal(80),
        target=Decimal(95),
        baseline_date=today - timedelta(days=100),
        target_date=today + timedelta(days=100),
    )
    DataPointFactory(measure=measure, date=today - timedelta(days=30), value=Decimal(80))
    DataPointFactory(measure=measure, date=today, value=Decimal(79))
    meeting = f.live_meeting(ilt)
    item = meeting.items.get()

    sign_in(page.context, live_server, world.principal)
    page.goto(meeting.get_absolute_url())
    page.get_by_label(f"Link “{item.title}” to").select_option(f"goal:{goal.pk}")
    page.get_by_role("button", name="Link to the plan").click()
    expect(page.get_by_text("The item now links to the plan.")).to_be_visible()
    panel = page.locator("section.plan-panel").first
    goal_line = panel.locator(".plan-panel-goal p").first
    expect(goal_line).to_contain_text("Attendance rises to 95%.")
    expect(goal_line).to_contain_text("Off track")
    expect(panel.locator("svg.wp-chart")).to_have_count(1)
    axe_check(page)

    page.get_by_role("button", name="Add “Monitor the plan”").click()
    expect(page.get_by_text("“Monitor the plan” was added with 1 goals and steps")).to_be_visible()
    agenda = page.locator(".agenda-list")
    expect(agenda.get_by_role("heading", level=3, name="Monitor the plan")).to_be_visible()
    axe_check(page)


def test_a_coach_asks_the_school_answers_and_my_work_lists_the_step(
    page, axe_check, live_server, world
):
    today = clock.today_in(world.district)
    year = SchoolYearFactory(district=world.district)
    plan = WorkPlanFactory(school=world.school, school_year=year)
    goal = GoalFactory(plan=plan, order=1, smart_statement="Families join every conference.")
    ActionStepFactory(
        goal=goal,
        owner=world.teacher_leader,
        title="Call every family",
        start=today - timedelta(days=10),
        due=today - timedelta(days=1),
    )
    services.coaching_thread_open(
        actor=world.district_admin, plan=plan, goal=goal, text="How will you reach them?"
    )

    sign_in(page.context, live_server, world.teacher_leader)
    page.goto("/my/work/")
    steps = page.locator("section", has=page.get_by_role("heading", name="Action steps"))
    expect(steps.get_by_role("link", name="Call every family")).to_be_visible()
    expect(steps.get_by_text("Overdue")).to_be_visible()
    axe_check(page)

    page.goto(f"/schools/{world.school.slug}/plans/{plan.pk}/coaching/")
    expect(page.get_by_text("How will you reach them?")).to_be_visible()
    page.get_by_label("Your answer").fill("By phone, in their language.")
    page.get_by_role("button", name="Answer").click()
    expect(page.get_by_text("Your answer was posted.")).to_be_visible()
    expect(page.get_by_text("By phone, in their language.")).to_be_visible()
    axe_check(page)
