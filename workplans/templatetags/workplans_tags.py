"""Template tags of the workplans app: the school page's section, step rights, history labels."""

from __future__ import annotations

import functools

from django import template
from django.utils.translation import gettext_lazy as _

from leadership.permissions import is_school_staff

from ..models import WorkPlan
from ..permissions import can_see_plans, can_update_step, can_view_summary

register = template.Library()

ACTION_LABELS = {
    "workplan.create": _("Plan created"),
    "workplan.status": _("Plan status changed"),
    "workplan.publish": _("Summary published"),
    "workplan.unpublish": _("Summary withdrawn"),
    "goal.create": _("Goal added"),
    "goal.update": _("Goal changed"),
    "goal.learning_add": _("Professional learning added"),
    "measure.create": _("Measure added"),
    "measure.update": _("Measure changed"),
    "measure.data_add": _("Value added"),
    "measure.data_import": _("Values imported"),
    "step.create": _("Action step added"),
    "step.update": _("Action step changed"),
    "step.progress": _("Progress update"),
}


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@functools.cache
def _field_labels() -> dict[str, str]:
    from ..models import ActionStep, Goal, Measure, WorkPlan

    labels = {}
    for model in (WorkPlan, Goal, Measure, ActionStep):
        for field in model._meta.get_fields():
            if hasattr(field, "verbose_name"):
                labels.setdefault(field.name, field.verbose_name)
    return labels


@register.filter
def field_label(name: str) -> str:
    """A history key in the school's words ("due", "SMART goal"), or the key itself."""
    return str(_field_labels().get(name, name.replace("_", " ")))


@register.filter
def updatable_by(step, user) -> bool:
    return can_update_step(user, step)


@register.inclusion_tag("workplans/includes/school_section_body.html", takes_context=True)
def workplans_school_section(context) -> dict:
    """The newest plan the user may see at this school: one query."""
    school, user = context["school"], context["request"].user
    plans = [
        plan
        for plan in WorkPlan.objects.filter(school=school)
        .exclude(status=WorkPlan.Status.DRAFT)
        .select_related("school_year")
        .order_by("-school_year__start")[:3]
        if can_view_summary(user, plan)
    ]
    see_all = can_see_plans(user, school)
    return {
        "show": bool(plans) or see_all,
        "plan": plans[0] if plans else None,
        "summary_only": not see_all,
        "see_all": see_all,
        "has_steps": is_school_staff(user, school),
        "school": school,
    }
