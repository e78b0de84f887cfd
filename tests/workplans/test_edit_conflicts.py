"""Two leaders edit the same goal, measure or action step: the second sees both and chooses."""

from datetime import timedelta

import pytest
from django.test import Client

from leadership.models import Role
from tests.conflicts import stale_save_refused_then_resubmit_wins, version_in
from tests.leadership.factories import person
from tests.workplans.test_views import HTMX, url
from workplans import services
from workplans.models import ActionStep, Goal, Measure, StepStatus

THEIRS_CELL = '<td data-label="Saved now (theirs)"><div class="edit-conflict-text">'


@pytest.fixture
def co_principal(world):
    """Schools may have two principals (co-principals); both edit the plan."""
    return person(Role.PRINCIPAL, school=world.school, email="co.principal@example.org")


@pytest.fixture
def editors(world, co_principal):
    first, second = Client(), Client()
    first.force_login(world.principal)
    second.force_login(co_principal)
    return first, second


def test_goal(world, goal, editors, co_principal):
    base = {"focus_area": "instruction", "order": 1}
    stale_save_refused_then_resubmit_wins(
        url=url("goal_edit", slug=world.school.slug, pk=goal.pk),
        first=editors[0],
        second=editors[1],
        second_name=co_principal.full_name,
        theirs={**base, "smart_statement": "Reading rises to 70%."},
        mine={**base, "smart_statement": "Reading rises to 65%."},
        stored=lambda: Goal.objects.get(pk=goal.pk).smart_statement,
        their_value="Reading rises to 70%.",
        my_value="Reading rises to 65%.",
        shown=("Reading rises to 70%.", "Reading rises to 65%."),
        headers=HTMX,
    )


def test_measure(world, measure, editors, co_principal):
    base = {
        "name": measure.name,
        "unit": "%",
        "direction": "up",
        "baseline": "40",
        "baseline_date": measure.baseline_date.isoformat(),
        "target_date": measure.target_date.isoformat(),
    }
    stale_save_refused_then_resubmit_wins(
        url=url("measure_edit", slug=world.school.slug, pk=measure.pk),
        first=editors[0],
        second=editors[1],
        second_name=co_principal.full_name,
        theirs={**base, "target": "70"},
        mine={**base, "target": "65"},
        stored=lambda: str(Measure.objects.get(pk=measure.pk).target),
        their_value="70.00",
        my_value="65.00",
        shown=(THEIRS_CELL + "70</div>", 'value="65"'),
    )


def test_action_step(world, step, editors, co_principal):
    base = {
        "title": step.title,
        "owner": step.owner_id,
        "start": step.start.isoformat(),
    }
    later, latest = step.due + timedelta(days=10), step.due + timedelta(days=20)
    stale_save_refused_then_resubmit_wins(
        url=url("step_edit", slug=world.school.slug, pk=step.pk),
        first=editors[0],
        second=editors[1],
        second_name=co_principal.full_name,
        theirs={**base, "title": "Walk the halls", "due": later.isoformat()},
        mine={**base, "title": "Walk the classrooms", "due": latest.isoformat()},
        stored=lambda: ActionStep.objects.get(pk=step.pk).title,
        their_value="Walk the halls",
        my_value="Walk the classrooms",
        shown=("Walk the halls", "Walk the classrooms"),
        headers=HTMX,
    )


def test_a_progress_update_between_load_and_save_is_no_conflict(world, step, editors):
    """The step's status moves with progress updates; its edit form does not edit it."""
    first, _second = editors
    page = first.get(url("step_edit", slug=world.school.slug, pk=step.pk)).text
    version = version_in(page)
    services.progress_update_create(
        step=step, actor=step.owner, status=StepStatus.ON_TRACK, narrative="Started."
    )
    response = first.post(
        url("step_edit", slug=world.school.slug, pk=step.pk),
        {
            "title": "Renamed",
            "owner": step.owner_id,
            "start": step.start.isoformat(),
            "due": step.due.isoformat(),
            "version": version,
        },
    )
    assert response.status_code == 302
    assert ActionStep.objects.get(pk=step.pk).title == "Renamed"
