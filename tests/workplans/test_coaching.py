"""Coaching comments: district admins and principals comment on a plan, goal or step; the
school answers in the thread; comments never edit the plan; open threads are counted on the
district's drill-down."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership.models import AuditEntry
from tests.workplans.factories import ActionStepFactory, GoalFactory
from workplans import services
from workplans.models import CoachingComment, Goal


def url(name, **kwargs):
    return reverse(f"workplans:{name}", kwargs=kwargs)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_coach_comments_on_a_goal_the_school_answers_and_the_plan_is_unchanged(
    client_for, world, plan, goal
):
    before = Goal.objects.filter(pk=goal.pk).values().get()
    page = url("coaching", slug=world.school.slug, pk=plan.pk)
    client = client_for(world.district_admin)
    response = client.post(page, {"about": f"goal:{goal.pk}", "text": "Is 60% realistic?"})
    thread = CoachingComment.objects.get()
    assert response["Location"].endswith(f"#thread-{thread.pk}")
    assert _messages(response) == ["Your comment was posted; the school can answer it."]
    assert (thread.goal, thread.author, thread.is_open) == (goal, world.district_admin, True)
    assert Goal.objects.filter(pk=goal.pk).values().get() == before
    assert AuditEntry.objects.filter(action="coaching.open").exists()

    drill = reverse(
        "district:school_drilldown", kwargs={"slug": world.district.slug, "school": "lincoln"}
    )
    assert "1 open thread" in client.get(drill).content.decode()

    staff = client_for(world.staff)
    html = staff.get(page).content.decode()
    assert "Is 60% realistic?" in html and "Start a thread" not in html
    response = staff.post(
        url("coaching_reply", slug=world.school.slug, pk=thread.pk), {"text": "Yes: see data."}
    )
    assert _messages(response) == ["Your answer was posted."]
    assert thread.replies.get().author == world.staff

    response = client_for(world.principal).post(
        url("coaching_close", slug=world.school.slug, pk=thread.pk)
    )
    assert _messages(response) == ["The thread is closed."]
    assert "no open thread" in client_for(world.district_admin).get(drill).content.decode()
    response = client_for(world.staff).post(
        url("coaching_reply", slug=world.school.slug, pk=thread.pk), {"text": "One more."}
    )
    assert _messages(response) == [str(services.THREAD_CLOSED)]
    assert thread.replies.count() == 1


def test_staff_cannot_open_a_thread_and_families_see_none(client_for, world, plan):
    page = url("coaching", slug=world.school.slug, pk=plan.pk)
    assert client_for(world.staff).post(page, {"about": "plan", "text": "x"}).status_code == 403
    assert client_for(world.family).get(page).status_code == 403
    assert not CoachingComment.objects.exists()


def test_an_empty_comment_is_refused_with_the_reason(client_for, world, plan):
    page = url("coaching", slug=world.school.slug, pk=plan.pk)
    response = client_for(world.principal).post(page, {"about": "plan", "text": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not CoachingComment.objects.exists()


def test_a_step_of_another_plan_is_refused(world, plan, goal):
    other_goal = GoalFactory()
    step = ActionStepFactory(goal=other_goal)
    with pytest.raises(ValidationError, match="belong to this plan"):
        services.coaching_thread_open(actor=world.principal, plan=plan, text="x", step=step)
    assert not CoachingComment.objects.exists()


def test_the_coaching_page_reads_in_fixed_queries(
    client_for, world, plan, goal, django_assert_num_queries
):
    for n in range(5):
        thread = services.coaching_thread_open(
            actor=world.district_admin, plan=plan, text=f"Question {n}", goal=goal
        )
        for k in range(3):
            services.coaching_reply(actor=world.staff, thread=thread, text=f"Answer {n}.{k}")
    client = client_for(world.principal)
    with django_assert_num_queries(7):
        html = client.get(url("coaching", slug=world.school.slug, pk=plan.pk)).content.decode()
    assert "Answer 4.2" in html
