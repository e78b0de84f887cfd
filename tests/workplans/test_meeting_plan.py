"""Agenda items link goals, measures and steps; the meeting page shows them beside the item;
"Monitor the plan" adds every off-track goal and overdue step; decisions tie to goals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership import clock
from leadership.models import AuditEntry
from teams import services as teams
from teams.models import AgendaItem, MeetingStatus
from tests.teams import factories as f
from tests.workplans.factories import (
    ActionStepFactory,
    DataPointFactory,
    GoalFactory,
    MeasureFactory,
    WorkPlanFactory,
)
from workplans import services
from workplans.models import AgendaLink, GoalDecision, WorkPlan


def url(name, **kwargs):
    return reverse(f"workplans:{name}", kwargs=kwargs)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def ilt(world):
    return f.ilt_for(world)


@pytest.fixture
def live(ilt):
    return f.live_meeting(ilt)


def _off_track_goal(plan, n=1):
    today = clock.today_in(plan.school.district)
    goal = GoalFactory(plan=plan, order=n, smart_statement=f"Attendance goal {n}")
    measure = MeasureFactory(
        goal=goal,
        name=f"Attendance {n}",
        baseline=Decimal("80"),
        target=Decimal("95"),
        baseline_date=today - timedelta(days=100),
        target_date=today + timedelta(days=100),
    )
    DataPointFactory(measure=measure, date=today - timedelta(days=30), value=Decimal("80"))
    DataPointFactory(measure=measure, date=today, value=Decimal("79"))
    return goal


def _overdue_step(goal, owner, title="Call the families"):
    today = clock.today_in(goal.plan.school.district)
    return ActionStepFactory(
        goal=goal,
        title=title,
        owner=owner,
        start=today - timedelta(days=20),
        due=today - timedelta(days=3),
    )


def test_the_facilitator_links_a_goal_and_the_page_shows_it_beside_the_item(
    client_for, world, plan, live
):
    goal = _off_track_goal(plan)
    _overdue_step(goal, world.teacher_leader)
    item = live.items.get()
    client = client_for(world.principal)
    response = client.post(
        url("agenda_link_add", slug=world.school.slug, pk=live.pk),
        {"item": item.pk, "target": f"goal:{goal.pk}"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert _messages(response) == ["The item now links to the plan."]
    assert AgendaLink.objects.get().goal == goal
    assert AuditEntry.objects.filter(action="agenda_item.plan_link").exists()
    page = client.get(live.get_absolute_url()).content.decode()
    panel = page[page.index(f'id="item-{item.pk}-plan-heading"') :]
    assert "Attendance goal 1" in panel and "Off track" in panel
    assert f'id="item-{item.pk}-chart-' in panel  # the measure's chart
    assert "Call the families" in panel and "Overdue" in panel


def test_a_member_who_does_not_run_the_meeting_sees_the_panel_but_cannot_link(
    client_for, world, plan, live, ilt
):
    goal = _off_track_goal(plan)
    item = live.items.get()
    services.agenda_link_add(actor=world.principal, item=item, goal=goal)
    client = client_for(world.teacher_leader)
    page = client.get(live.get_absolute_url()).content.decode()
    assert "Attendance goal 1" in page
    assert url("agenda_link_add", slug=world.school.slug, pk=live.pk) not in page
    response = client.post(
        url("agenda_link_add", slug=world.school.slug, pk=live.pk),
        {"item": item.pk, "target": f"goal:{goal.pk}"},
    )
    assert response.status_code == 403
    # A family on the team reads no plan: nothing of it beside the item.
    page = client_for(world.family).get(live.get_absolute_url()).content.decode()
    assert "Attendance goal 1" not in page


def test_links_to_a_draft_plan_another_schools_plan_or_a_closed_meeting_are_refused(
    client_for, world, plan, live
):
    item = live.items.get()
    next_start = plan.school_year.end + timedelta(days=1)
    draft = WorkPlanFactory(
        school=world.school,
        school_year=f.SchoolYearFactory(
            district=world.district, start=next_start, label="next", is_current=False
        ),
        status=WorkPlan.Status.DRAFT,
    )
    with pytest.raises(ValidationError, match="draft plan"):
        services.agenda_link_add(actor=world.principal, item=item, goal=GoalFactory(plan=draft))
    elsewhere = WorkPlanFactory(school=world.other_school, school_year=plan.school_year)
    other_goal = GoalFactory(plan=elsewhere)
    with pytest.raises(ValidationError, match="this school's plan"):
        services.agenda_link_add(actor=world.principal, item=item, goal=other_goal)
    response = client_for(world.principal).post(
        url("agenda_link_add", slug=world.school.slug, pk=live.pk),
        {"item": item.pk, "target": f"goal:{other_goal.pk}"},
    )
    assert response.status_code == 302
    assert _messages(response) == ["Choose a goal, measure, step or survey."]
    goal = GoalFactory(plan=plan)
    services.agenda_link_add(actor=world.principal, item=item, goal=goal)
    with pytest.raises(ValidationError, match="already links"):
        services.agenda_link_add(actor=world.principal, item=item, goal=goal)
    live.status = MeetingStatus.HELD
    live.save()
    response = client_for(world.principal).post(
        url("agenda_link_remove", slug=world.school.slug, pk=AgendaLink.objects.get().pk)
    )
    assert _messages(response) == [str(services.MEETING_OVER)]
    assert AgendaLink.objects.count() == 1


def test_monitor_the_plan_adds_every_off_track_goal_and_overdue_step_in_one_item(
    client_for, world, plan, live
):
    off = _off_track_goal(plan, 1)
    fine = GoalFactory(plan=plan, order=2, smart_statement="Fine goal")
    late = _overdue_step(fine, world.teacher_leader, "Late step")
    ActionStepFactory(
        goal=fine,
        owner=world.teacher_leader,
        start=clock.today_in(world.district),
        due=clock.today_in(world.district) + timedelta(days=5),
    )
    response = client_for(world.principal).post(
        url("plan_monitor", slug=world.school.slug, pk=live.pk)
    )
    item = AgendaItem.objects.get(meeting=live, title="Monitor the plan")
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert _messages(response) == [
        "“Monitor the plan” was added with 2 goals and steps to look at."
    ]
    assert {(link.goal_id, link.step_id) for link in item.plan_links.all()} == {
        (off.pk, None),
        (None, late.pk),
    }
    page = client_for(world.principal).get(live.get_absolute_url()).content.decode()
    assert "Attendance goal 1" in page and "Late step" in page


def test_monitor_the_plan_with_nothing_off_track_adds_nothing(client_for, world, plan, live):
    GoalFactory(plan=plan)
    response = client_for(world.principal).post(
        url("plan_monitor", slug=world.school.slug, pk=live.pk)
    )
    assert _messages(response) == [str(services.NOTHING_TO_MONITOR)]
    assert live.items.count() == 1


def test_a_decision_tied_to_a_goal_shows_on_the_plan(client_for, world, plan, live, ilt):
    goal = GoalFactory(plan=plan, smart_statement="Reading rises")
    decision = teams.decision_record(
        item=live.items.get(),
        actor=world.principal,
        rule=ilt.schedule,
        model_used="majority",
        text="Add a reading block",
        outcome="adopted",
    )
    client = client_for(world.principal)
    response = client.post(
        url("decision_goal", slug=world.school.slug, pk=decision.pk), {"goal": f"goal:{goal.pk}"}
    )
    assert _messages(response) == ["The decision is tied to the goal; the plan shows it there."]
    assert GoalDecision.objects.get().goal == goal
    page = client.get(url("plan_detail", slug=world.school.slug, pk=plan.pk)).content.decode()
    assert "Decisions for this goal" in page and "Add a reading block" in page
    # The printed plan, what the team hands out at a meeting, carries them too.
    printed = client.get(url("plan_print", slug=world.school.slug, pk=plan.pk)).content.decode()
    assert "Decisions for this goal" in printed and "Add a reading block" in printed
    response = client.post(
        url("decision_goal", slug=world.school.slug, pk=decision.pk), {"goal": f"goal:{goal.pk}"}
    )
    assert _messages(response) == [str(services.DECISION_ALREADY_TIED)]
    assert GoalDecision.objects.count() == 1


def test_the_meeting_page_with_linked_goals_reads_in_fixed_queries(
    client_for, world, plan, live, django_assert_num_queries
):
    items = [f.item(live, title=f"Item {n}", order=n + 2) for n in range(6)]
    for n, item in enumerate(items):
        goal = _off_track_goal(plan, n + 1)
        for k in range(3):
            _overdue_step(goal, world.teacher_leader, f"Step {n}.{k}")
        services.agenda_link_add(actor=world.principal, item=item, goal=goal)
        services.agenda_link_add(actor=world.principal, item=item, measure=goal.measures.get())
        services.agenda_link_add(actor=world.principal, item=item, step=goal.steps.first())
    client = client_for(world.principal)
    # 28: the link form's choices read the school's open and closed surveys (one query).
    with django_assert_num_queries(25):
        page = client.get(live.get_absolute_url()).content.decode()
    assert "Attendance goal 6" in page and "Step 5.2" in page
