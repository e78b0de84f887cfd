"""Permission matrix of the workplans pages: role x URL -> status."""

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.leadership.factories import SchoolYearFactory
from tests.matrix import Row, check_row, parametrize
from tests.workplans.factories import (
    ActionStepFactory,
    GoalFactory,
    MeasureFactory,
    ProgressUpdateFactory,
    WorkPlanFactory,
)
from workplans.models import CoachingComment, Evidence, Goal, WorkPlan


def everyone(status: int, **overrides) -> dict[str, int]:
    from tests.conftest import ROLES

    return {role: overrides.get(role, status) for role in ROLES}


OUTSIDERS_404 = dict(other_school_principal=404, other_district_admin=404)
# Read the active plan: the school's staff and the district's admins.
READERS = everyone(200, anonymous=302, family=403, **OUTSIDERS_404)
# Change the plan: the principal (and the ILT facilitator, tested in test_views).
EDITORS = everyone(403, anonymous=302, principal=200, **OUTSIDERS_404)


def _plan(world, **fields) -> WorkPlan:
    year = SchoolYearFactory(district=world.district)
    return WorkPlanFactory(school=world.school, school_year=year, **fields)


def _school(world):
    return {"slug": world.school.slug}


def _active(world):
    return {"slug": world.school.slug, "pk": _plan(world).pk}


def _published(world):
    return {"slug": world.school.slug, "pk": _plan(world, summary_published=True).pk}


def _draft(world):
    return {"slug": world.school.slug, "pk": _plan(world, status=WorkPlan.Status.DRAFT).pk}


def _goal(world):
    return {"slug": world.school.slug, "pk": GoalFactory(plan=_plan(world)).pk}


def _measure(world):
    measure = MeasureFactory(goal=GoalFactory(plan=_plan(world)))
    return {"slug": world.school.slug, "pk": measure.pk}


def _leaders_step(world):
    step = ActionStepFactory(goal=GoalFactory(plan=_plan(world)), owner=world.teacher_leader)
    return {"slug": world.school.slug, "pk": step.pk}


def _evidence(world):
    step = ActionStepFactory(goal=GoalFactory(plan=_plan(world)), owner=world.teacher_leader)
    update = ProgressUpdateFactory(step=step, author=world.teacher_leader)
    evidence = Evidence(update=update, original_name="notes.txt", size=5)
    evidence.file.save("notes.txt", ContentFile(b"notes"), save=True)
    return {"slug": world.school.slug, "pk": evidence.pk}


# Link a meeting's items and decisions to the plan: whoever runs the meeting (the principal
# facilitates the ILT here); a success answers with a redirect to the meeting.
RUNNERS = everyone(403, anonymous=302, principal=302, **OUTSIDERS_404)


def _meeting_with_goal(world):
    from tests.teams import factories as f

    ilt = f.ilt_for(world)
    live = f.live_meeting(ilt)
    world._item = live.items.get()
    world._goal = GoalFactory(plan=WorkPlanFactory(school=world.school, school_year=ilt.year))
    return live


def _meeting(world):
    return {"slug": world.school.slug, "pk": _meeting_with_goal(world).pk}


def _link_data(world):
    return {"item": world._item.pk, "target": f"goal:{world._goal.pk}"}


def _link(world):
    from workplans.models import AgendaLink

    _meeting_with_goal(world)
    link = AgendaLink.objects.create(item=world._item, goal=world._goal)
    return {"slug": world.school.slug, "pk": link.pk}


def _decision(world):
    from teams.models import Decision
    from tests.teams import factories as f

    live = _meeting_with_goal(world)
    decision = Decision.objects.create(
        item=world._item,
        meeting=live,
        rule=f.ilt_for(world).schedule,
        model_used="majority",
        text="Keep it",
        outcome="adopted",
    )
    return {"slug": world.school.slug, "pk": decision.pk}


def _goal_data(world):
    return {"goal": f"goal:{world._goal.pk}"}


# Delete or restore a goal, measure or step: the plan's editors (a success redirects).
DELETERS = everyone(403, anonymous=302, principal=302, **OUTSIDERS_404)
# Open or close a coaching thread: the district's admins and the principal.
COACHES = everyone(403, anonymous=302, principal=302, district_admin=302, **OUTSIDERS_404)


def _thread(world):
    plan = _plan(world)
    thread = CoachingComment.objects.create(plan=plan, author=world.district_admin, text="Why?")
    return {"slug": world.school.slug, "pk": thread.pk}


def _comment(world):
    return {"about": "plan", "text": "How is it going?"}


def _answer(world):
    return {"text": "Well."}


def _deleted_goal(world):
    goal = GoalFactory(plan=_plan(world))
    Goal.all_objects.filter(pk=goal.pk).update(deleted_at=timezone.now())
    world._deleted = goal
    return {"slug": world.school.slug, "pk": goal.plan_id}


def _restore(world):
    return {"kind": "goal", "item": world._deleted.pk}


MATRIX = [
    Row(
        "workplans:my_steps",
        everyone(200, anonymous=302, district_admin=403, family=403, other_district_admin=403),
    ),
    Row("workplans:plan_list", READERS, kwargs=_school),
    Row("workplans:plan_create", EDITORS, kwargs=_school, method="POST"),
    Row("workplans:plan_detail", READERS, kwargs=_active),
    Row("workplans:plan_detail", {**READERS, "family": 200}, kwargs=_published),
    Row(
        "workplans:plan_detail",
        {**READERS, "teacher_leader": 403, "staff": 403},
        kwargs=_draft,
    ),
    Row("workplans:plan_print", READERS, kwargs=_active),
    Row("workplans:plan_print", READERS, kwargs=_published),
    Row("workplans:plan_export", READERS, kwargs=_active),
    Row("workplans:plan_export", READERS, kwargs=_published),
    Row(
        "workplans:plan_status",
        {**EDITORS, "principal": 302},
        kwargs=_active,
        method="POST",
        data=lambda w: {"published": "1"},
    ),
    Row("workplans:goal_create", EDITORS, kwargs=_active),
    Row("workplans:goal_create", EDITORS, kwargs=_active, method="POST"),
    Row("workplans:goal_edit", EDITORS, kwargs=_goal),
    Row("workplans:measure_create", EDITORS, kwargs=_goal),
    Row("workplans:measure_edit", EDITORS, kwargs=_measure),
    Row("workplans:step_edit", EDITORS, kwargs=_leaders_step),
    Row("workplans:step_create", EDITORS, kwargs=_goal),
    Row("workplans:learning_create", EDITORS, kwargs=_goal),
    Row("workplans:datapoint_create", EDITORS, kwargs=_measure),
    Row("workplans:datapoint_upload", EDITORS, kwargs=_measure),
    Row(
        "workplans:step_progress",
        {**EDITORS, "teacher_leader": 200},
        kwargs=_leaders_step,
    ),
    Row(
        "workplans:step_progress",
        {**EDITORS, "teacher_leader": 200},
        kwargs=_leaders_step,
        method="POST",
    ),
    Row("workplans:evidence_download", READERS, kwargs=_evidence),
    Row("workplans:agenda_link_add", RUNNERS, kwargs=_meeting, method="POST", data=_link_data),
    Row("workplans:agenda_link_remove", RUNNERS, kwargs=_link, method="POST"),
    Row("workplans:plan_monitor", RUNNERS, kwargs=_meeting, method="POST"),
    Row("workplans:decision_goal", RUNNERS, kwargs=_decision, method="POST", data=_goal_data),
    Row("workplans:coaching", READERS, kwargs=_active),
    Row("workplans:coaching", COACHES, kwargs=_active, method="POST", data=_comment),
    Row(
        "workplans:coaching_reply",
        everyone(302, family=403, **OUTSIDERS_404),
        kwargs=_thread,
        method="POST",
        data=_answer,
    ),
    Row("workplans:coaching_close", COACHES, kwargs=_thread, method="POST"),
    Row("workplans:goal_delete", DELETERS, kwargs=_goal, method="POST"),
    Row("workplans:measure_delete", DELETERS, kwargs=_measure, method="POST"),
    Row("workplans:step_delete", DELETERS, kwargs=_leaders_step, method="POST"),
    Row("workplans:plan_deleted", EDITORS, kwargs=_active),
    Row("workplans:plan_deleted", DELETERS, kwargs=_deleted_goal, method="POST", data=_restore),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    check_row(row, role, world, client)
