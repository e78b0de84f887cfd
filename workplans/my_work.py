"""The workplans part of "my work" (leadership.mywork): my open action steps."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from leadership.mywork import Entry, Section

from .models import ActionStep, StepStatus, WorkPlan
from .selectors import staff_school_ids, works_in_a_school


def action_steps(*, user, today) -> Section | None:
    """Open steps the person owns in active plans of schools where they work, due first."""
    if not getattr(user, "is_authenticated", False) or not works_in_a_school(user):
        return None
    steps = (
        ActionStep.objects.filter(
            owner=user,
            goal__plan__school_id__in=staff_school_ids(user),
            goal__plan__status=WorkPlan.Status.ACTIVE,
        )
        .exclude(status=StepStatus.DONE)
        .select_related("goal__plan__school")
        .order_by("due", "id")
    )
    entries = [
        Entry(
            title=step.title,
            url=reverse(
                "workplans:step_progress",
                kwargs={"slug": step.goal.plan.school.slug, "pk": step.pk},
            ),
            context=step.goal.plan.school.name,
            due=step.due,
            overdue=step.due < today,
            status=step.get_status_display(),
        )
        for step in steps
    ]
    return Section(
        key="action-steps",
        title=_("Action steps"),
        entries=entries,
        empty=_("You have no open action steps."),
        more_url=reverse("workplans:my_steps"),
        order=20,
    )
