"""The workplans part of "my work" (leadership.mywork): my open action steps."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from leadership.mywork import Entry, Section
from leadership.permissions import roles_of
from leadership.prepared import PreparedRows

from .models import ActionStep, StepStatus, WorkPlan
from .selectors import staff_school_ids

# Compiled once (leadership.prepared).
_STEPS = PreparedRows(
    lambda owner, schools: (
        ActionStep.objects.filter(
            owner=owner,
            goal__plan__school_id__in=schools,
            goal__plan__status=WorkPlan.Status.ACTIVE,
        )
        .exclude(status=StepStatus.DONE)
        .order_by("due", "id")
        .values_list("pk", "title", "due", "status", "goal__plan__school_id")
    )
)


def action_steps(*, user, today) -> Section | None:
    """Open steps the person owns in active plans of schools where they work, due first."""
    if not getattr(user, "is_authenticated", False):
        return None
    school_ids = staff_school_ids(user)
    if not school_ids:
        return None
    # Plain rows, not models: five columns, and the school's name and slug come with the
    # person's roles (read with the person), since only schools where they work are listed.
    rows = _STEPS.rows(owner=user.pk, schools=tuple(school_ids))
    schools = roles_of(user).school_names
    statuses = dict(StepStatus.choices)
    entries = []
    for pk, title, due, status, school_id in rows:
        name, slug = schools[school_id]
        entries.append(
            Entry(
                title=title,
                url=reverse("workplans:step_progress", kwargs={"slug": slug, "pk": pk}),
                context=name,
                due=due,
                overdue=due < today,
                status=str(statuses.get(status, status)),
            )
        )
    return Section(
        key="action-steps",
        title=_("Action steps"),
        entries=entries,
        empty=_("You have no open action steps."),
        more_url=reverse("workplans:my_steps"),
        order=20,
    )
