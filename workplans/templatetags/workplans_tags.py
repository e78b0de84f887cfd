"""Template tags of the workplans app: the school page's section, history labels and values,
cheap URLs for long pages."""

from __future__ import annotations

import functools

from django import template
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from leadership.permissions import is_school_staff

from ..models import ActionStep, Goal, Measure, WorkPlan
from ..permissions import can_see_plans, can_view_summary

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


@register.simple_tag(takes_context=True)
def history_values(context, values) -> str:
    """A history entry's before or after values as a <dl> ("—" for none): what an include per
    cell rendered, built in Python because the plan page shows 100 of them."""
    if not values:
        return "—"
    rows = []
    for key, value in values.items():
        label = conditional_escape(field_label(key))
        shown = "—" if value is None else render_value_in_context(value, context)
        rows.append(f"<div><dt>{label}</dt><dd>{shown}</dd></div>")
    return mark_safe(f'<dl class="wp-changes">{"".join(rows)}</dl>')  # noqa: S308 (escaped above)


@register.simple_tag(takes_context=True)
def school_url(context, name: str, slug: str, pk) -> str:
    """`{% url name slug=slug pk=pk %}` for a URL of the school whose other part is an int pk,
    reversed once per page and name: a page of 25 step cards links to each of them."""
    memo = context.render_context.dicts[0].setdefault("workplans_school_url", {})
    parts = memo.get((name, slug))
    if parts is None:
        # The pattern's <int:pk> is the last "/0/" of the path (a slug has no "/").
        parts = memo[name, slug] = reverse(name, kwargs={"slug": slug, "pk": 0}).rsplit("/0/", 1)
    return f"{parts[0]}/{int(pk)}/{parts[1]}"


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
