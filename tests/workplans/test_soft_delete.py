"""Soft delete of goals, measures and steps: audited, restorable, hidden from the plan's
pages, "my steps" and the district dashboard's figures."""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.urls import reverse

from leadership import clock
from leadership.models import AuditEntry
from tests.workplans.factories import ActionStepFactory, GoalFactory
from workplans import selectors, services
from workplans.models import ActionStep, Goal, WorkPlan


def url(name, **kwargs):
    return reverse(f"workplans:{name}", kwargs=kwargs)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_deleted_goal_leaves_the_pages_and_rollups_and_comes_back_restored(
    client_for, world, plan, goal, measure, step
):
    other = GoalFactory(plan=plan, order=2, smart_statement="Attendance stays high.")
    client = client_for(world.principal)
    plan_page = url("plan_detail", slug=world.school.slug, pk=plan.pk)
    response = client.post(url("goal_delete", slug=world.school.slug, pk=goal.pk))
    assert response["Location"] == plan_page
    assert _messages(response) == ["The goal was deleted. It can be restored from “Deleted items”."]
    goal_row = Goal.all_objects.get(pk=goal.pk)
    assert goal_row.deleted_by == world.principal and goal_row.smart_statement  # kept
    assert AuditEntry.objects.filter(action="goal.delete", object_id=str(goal.pk)).exists()

    html = client.get(plan_page).content.decode()
    assert (
        "Reading at grade level rises to 60%." not in html and "Plan the learning walk" not in html
    )
    assert "Attendance stays high." in html
    figures = selectors.dashboard_figures(
        [world.school.pk], year=plan.school_year, today=clock.today_in(world.district)
    )[world.school.pk]
    assert (figures["goals_total"], figures["steps_total"]) == (1, 0)
    assert (
        "Plan the learning walk"
        not in client_for(world.teacher_leader).get(url("my_steps")).content.decode()
    )
    client = client_for(world.principal)
    assert client.get(url("goal_edit", slug=world.school.slug, pk=goal.pk)).status_code == 404

    deleted = url("plan_deleted", slug=world.school.slug, pk=plan.pk)
    assert "Reading at grade level rises to 60%." in client.get(deleted).content.decode()
    response = client.post(deleted, {"kind": "goal", "item": goal.pk})
    assert _messages(response) == ["“Reading at grade level rises to 60%.” is back on the plan."]
    assert AuditEntry.objects.filter(action="goal.restore").exists()
    html = client.get(plan_page).content.decode()
    assert "Reading at grade level rises to 60%." in html and "Plan the learning walk" in html
    assert other.pk in [g.pk for g in Goal.objects.all()]


def test_a_step_under_a_deleted_goal_waits_for_its_goal(client_for, world, plan, goal, step):
    client = client_for(world.principal)
    client.post(url("step_delete", slug=world.school.slug, pk=step.pk))
    assert not ActionStep.objects.filter(pk=step.pk).exists()
    services.plan_item_delete(actor=world.principal, item=goal)
    deleted = url("plan_deleted", slug=world.school.slug, pk=plan.pk)
    response = client.post(deleted, {"kind": "step", "item": step.pk})
    assert _messages(response)[-1] == str(services.PARENT_DELETED)
    assert ActionStep.all_objects.get(pk=step.pk).is_deleted
    client.post(deleted, {"kind": "goal", "item": goal.pk})
    client.post(deleted, {"kind": "step", "item": step.pk})
    assert ActionStep.objects.filter(pk=step.pk).exists()


def test_a_closed_plan_refuses_deletes_and_others_cannot_delete(client_for, world, plan, goal):
    assert (
        client_for(world.staff)
        .post(url("goal_delete", slug=world.school.slug, pk=goal.pk))
        .status_code
        == 403
    )
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    response = client_for(world.principal).post(
        url("goal_delete", slug=world.school.slug, pk=goal.pk)
    )
    assert _messages(response) == [str(services.PLAN_CLOSED)]
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_the_edit_page_offers_delete(client_for, world, plan, goal):
    today = clock.today_in(world.district)
    step = ActionStepFactory(
        goal=goal, owner=world.teacher_leader, start=today, due=today + timedelta(days=3)
    )
    html = (
        client_for(world.principal)
        .get(url("step_edit", slug=world.school.slug, pk=step.pk))
        .content.decode()
    )
    assert url("step_delete", slug=world.school.slug, pk=step.pk) in html
