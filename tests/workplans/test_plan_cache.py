"""The plan page is cached under the school's data version: it follows every write it shows, and
it differs by viewer, language and day where it must."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from district import rollups
from leadership import clock, versions
from tests.workplans.factories import ActionStepFactory, ProgressUpdateFactory
from workplans import services
from workplans.models import LearningActivity, LookForTally, StepStatus

PDF = b"%PDF-1.7\n%test\n"


def plan_url(plan):
    return reverse("workplans:plan_detail", kwargs={"slug": plan.school.slug, "pk": plan.pk})


@pytest.fixture
def versioned(world, plan, goal, measure, step):
    """The school has dashboard figures, hence a data version: its plan page is cached."""
    rollups.refresh_district(world.district)
    assert versions.version_of(world.school.pk) is not None
    return plan


def page(client, plan) -> str:
    response = client.get(plan_url(plan))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_is_served_from_the_cache_until_a_write_commits(
    client_for, world, versioned, goal, django_capture_on_commit_callbacks
):
    client = client_for(world.principal)
    assert "Reading at grade level rises to 60%." in page(client, versioned)
    # A write whose commit has not happened yet has not moved the version: the cached page
    # still shows the goal as it was (this is what proves that the page is cached).
    services.goal_update(goal=goal, actor=world.principal, smart_statement="Math rises to 70%.")
    assert "Math rises to 70%." not in page(client, versioned)
    with django_capture_on_commit_callbacks(execute=True):
        services.goal_update(goal=goal, actor=world.principal, smart_statement="Math rises to 75%.")
    html = page(client, versioned)
    assert "Math rises to 75%." in html
    assert "Reading at grade level rises to 60%." not in html.split("history-heading")[0]


def _step_status(world, plan, goal, measure, step):
    services.step_update(step=step, actor=world.principal, status=StepStatus.AT_RISK)
    return "Step: At risk"


def _progress_with_evidence(world, plan, goal, measure, step):
    services.progress_update_create(
        step=step,
        actor=world.teacher_leader,
        status=StepStatus.ON_TRACK,
        narrative="Walked six classrooms.",
        files=[SimpleUploadedFile("walk-notes.pdf", PDF, content_type="application/pdf")],
    )
    return "walk-notes.pdf"


def _data_point(world, plan, goal, measure, step):
    services.datapoint_create(
        measure=measure,
        actor=world.principal,
        date=clock.today_in(world.district),
        value=Decimal("58.25"),
    )
    return "58.25%"


def _goal_edit(world, plan, goal, measure, step):
    services.goal_update(goal=goal, actor=world.principal, root_cause_notes="Few read daily.")
    return "Few read daily."


def _learning(world, plan, goal, measure, step):
    services.learning_activity_create(
        goal=goal,
        actor=world.principal,
        kind="learning_walk",
        title="October walk",
        tallies=[("Students explain their reasoning", 7, 12)],
    )
    return "Students explain their reasoning: seen in 7 of 12 classrooms"


@pytest.mark.parametrize(
    "write", [_step_status, _progress_with_evidence, _data_point, _goal_edit, _learning]
)
def test_the_cached_page_follows_every_kind_of_write_it_shows(
    client_for, world, versioned, goal, measure, step, write, django_capture_on_commit_callbacks
):
    client = client_for(world.principal)
    before = page(client, versioned)
    with django_capture_on_commit_callbacks(execute=True):
        shown = write(world, versioned, goal, measure, step)
    assert shown not in before
    assert shown in page(client, versioned)


def _admin_saves(obj):
    """As the admin site saves a learning activity (its tallies are inlines of it)."""
    from django.contrib import admin
    from django.test import RequestFactory

    activity = obj if isinstance(obj, LearningActivity) else obj.activity
    obj.save()
    admin.site._registry[LearningActivity].save_model(
        RequestFactory().post("/"), activity, None, True
    )


def _admin_activity(step):
    return LearningActivity(goal=step.goal, kind="pd_session", title="Close reading PD"), (
        "Close reading PD"
    )


def _admin_tally(step):
    activity = LearningActivity.objects.create(goal=step.goal, kind="pd_session", title="PD")
    return LookForTally(activity=activity, look_for="Partner talk", seen=3, visited=9), (
        "Partner talk: seen in 3 of 9 classrooms"
    )


@pytest.mark.parametrize("prepare", [_admin_activity, _admin_tally])
def test_the_admin_sites_writes_move_the_version(
    client_for, world, versioned, step, prepare, django_capture_on_commit_callbacks
):
    """No service runs in the admin site: it marks the school itself (leadership.admin); the
    progress updates and their evidence are written by a service alone."""
    client = client_for(world.principal)
    with django_capture_on_commit_callbacks(execute=True):
        obj, shown = prepare(step)  # its parent, committed before the page is read
    assert shown not in page(client, versioned)
    with django_capture_on_commit_callbacks(execute=True):
        _admin_saves(obj)
    assert shown in page(client, versioned)


def test_the_page_differs_by_viewer(client_for, world, versioned, goal, step):
    """The principal's page is cached first; nobody else gets their links from it."""
    others_step = ActionStepFactory(goal=goal, title="Order the books", owner=world.staff)
    edit_goal = reverse("workplans:goal_edit", kwargs={"slug": world.school.slug, "pk": goal.pk})
    own_update = reverse(
        "workplans:step_progress", kwargs={"slug": world.school.slug, "pk": step.pk}
    )
    others_update = reverse(
        "workplans:step_progress", kwargs={"slug": world.school.slug, "pk": others_step.pk}
    )

    principal = page(client_for(world.principal), versioned)
    assert edit_goal in principal and "Manage the plan" in principal
    assert own_update in principal and others_update in principal

    # The teacher leader owns `step`: "Post an update" there, and nowhere else.
    leader = page(client_for(world.teacher_leader), versioned)
    assert edit_goal not in leader and "Manage the plan" not in leader
    assert own_update in leader and "Post an update" in leader
    assert others_update not in leader

    staff = page(client_for(world.staff), versioned)
    assert others_update in staff and own_update not in staff

    # A family member reads the published summary: no links to change anything.
    versioned.summary_published = True
    versioned.save(update_fields=["summary_published"])
    family = page(client_for(world.family), versioned)
    assert "Post an update" not in family and edit_goal not in family

    district_admin = page(client_for(world.district_admin), versioned)
    assert edit_goal not in district_admin and "Post an update" not in district_admin


def test_the_page_is_cached_by_language(client_for, world, versioned):
    client = client_for(world.principal)
    assert "Action steps" in page(client, versioned)
    world.principal.preferred_language = "es"
    world.principal.save(update_fields=["preferred_language"])
    html = page(client, versioned)
    assert 'lang="es"' in html and "Action steps" not in html


def test_the_page_is_cached_by_day(client_for, world, versioned, step):
    step.due = clock.today_in(world.district) + timedelta(days=20)
    step.save()  # in the test's transaction: no new version, only the day can change the page
    client = client_for(world.principal)
    assert "Due soon" not in page(client, versioned)
    with time_machine.travel(timezone.now() + timedelta(days=10), tick=True):
        assert "Due soon" in page(client, versioned)


def test_without_a_version_the_page_is_not_cached(client_for, world, plan, goal):
    assert versions.version_of(world.school.pk) is None
    client = client_for(world.principal)
    page(client, plan)
    services.goal_update(goal=goal, actor=world.principal, smart_statement="Math rises to 70%.")
    assert "Math rises to 70%." in page(client, plan)


def test_the_cached_page_reads_a_handful_of_queries(
    client_for, world, versioned, goal, step, django_assert_num_queries
):
    ProgressUpdateFactory.create_batch(3, step=step, author=world.teacher_leader)
    client = client_for(world.principal)
    first = page(client, versioned)
    # The session with the user and memberships, school, version, plan, and the navigation's
    # schools.
    with django_assert_num_queries(4):  # sessions are read from the database (settings)
        again = page(client, versioned)
    assert without_tokens(again) == without_tokens(first)


def without_tokens(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|"x-csrftoken": ")[^"]+', r"\1", html)


def test_the_history_escapes_what_people_typed(
    client_for, world, versioned, goal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.goal_update(goal=goal, actor=world.principal, smart_statement="<b>Bold</b> aim")
    history = page(client_for(world.principal), versioned).split("history-heading")[-1]
    assert "<dt>SMART goal</dt><dd>&lt;b&gt;Bold&lt;/b&gt; aim</dd>" in history
    assert "<b>Bold</b>" not in history
