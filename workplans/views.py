"""Pages of the workplans app: plans, goals, measures and data, steps and progress updates."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from leadership import clock, edits, versions
from leadership.exports import csv_writer
from leadership.htmx import HtmxHttpRequest, is_partial
from leadership.htmx import apply_form_errors as _apply_errors
from leadership.models import School
from leadership.permissions import is_school_staff, load_in_school, school_view
from leadership.uploads import refused_uploads, upload_limit
from teams.models import Decision, Meeting
from voice import selectors as voice_selectors

from . import charts, selectors, services
from .forms import (
    CoachingReplyForm,
    CoachingThreadForm,
    CsvUploadForm,
    DataPointForm,
    DecisionGoalForm,
    GoalForm,
    LearningActivityForm,
    MeasureForm,
    PlanCreateForm,
    PlanLinkForm,
    ProgressUpdateForm,
    StepForm,
)
from .models import ActionStep, AgendaLink, CoachingComment, Evidence, Goal, Measure, WorkPlan
from .permissions import (
    can_answer_coaching,
    can_coach,
    can_create_plan,
    can_edit_goal,
    can_edit_measure,
    can_edit_plan,
    can_edit_step,
    can_enter_data,
    can_link_plan,
    can_see_plans,
    can_tie_decision,
    can_update_step,
    can_view_evidence,
    can_view_plan,
    can_view_summary,
    on_team,
)


@dataclass(frozen=True)
class Viewer:
    """What the plan page shows differently by viewer: edit links (and "Post an update" on
    every step) to those who edit the plan; "Post an update" on their own steps to staff."""

    edits_plan: bool
    staff_pk: int | None  # the viewer's pk, when on staff (owners of steps update them)
    # Who asks, for the permission checks; the flags above (the cache key) decide them.
    user: object = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, user, plan: WorkPlan) -> Viewer:
        edits = can_edit_plan(user, plan)
        on_staff = not edits and is_school_staff(user, plan.school)
        return cls(edits_plan=edits, staff_pk=user.pk if on_staff else None, user=user)

    @property
    def key(self) -> str:
        if self.edits_plan:
            return "edit"
        return f"staff{self.staff_pk}" if self.staff_pk is not None else "read"


def plan_url(plan: WorkPlan) -> str:
    return reverse("workplans:plan_detail", kwargs={"slug": plan.school.slug, "pk": plan.pk})


PLANS = WorkPlan.objects.select_related("school__district", "school_year")
GOALS = Goal.objects.select_related("plan__school__district", "plan__school_year")
MEASURES = Measure.objects.select_related("goal__plan__school__district", "goal__plan__school_year")


def _form_page(
    request,
    *,
    form,
    title: str,
    back: str,
    intro: str = "",
    multipart=False,
    conflict=None,
    delete_url: str = "",
):
    """One generic page (and partial) for the plan's smaller forms."""
    context = {
        "delete_url": delete_url,
        "form": form,
        "conflict": conflict,
        "title": title,
        "intro": intro,
        "back": back,
        "multipart": multipart,
        "school": request.school,
    }
    if is_partial(request):
        return render(request, "workplans/form_page.html#form", context)
    return render(request, "workplans/form_page.html", context)


def _done(request, message: str, back: str) -> HttpResponse:
    messages.success(request, message)
    if is_partial(request):
        return HttpResponseClientRedirect(back)
    return redirect(back)


def _handle(request, *, form, save, title: str, back: str, message: str, **page):
    """Validate `form`; on success call `save(cleaned_data)` (a service) and go back.

    Someone else saved the record since the form was loaded: both versions are shown, the
    person's input kept, and saving again puts theirs in place."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except edits.StaleEdit as stale:
            saved = edits.model_initial(form, stale.current)
            page["conflict"] = edits.show_conflict(form, stale, saved, place=request.school)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(request, message, back)
    return _form_page(request, form=form, title=title, back=back, **page)


# --- plans ----------------------------------------------------------------------------


@login_required
@require_safe
@school_view(can_see_plans)
def plan_list(request: HtmxHttpRequest, school: School) -> HttpResponse:
    return render(
        request,
        "workplans/plan_list.html",
        {
            "school": school,
            "plans": selectors.plans_for(user=request.user, school=school),
            "can_create": can_create_plan(request.user, school),
            "form": PlanCreateForm(school=school),
        },
    )


@login_required
@require_POST
@school_view(can_create_plan)
def plan_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = PlanCreateForm(request.POST, school=school)
    back = reverse("workplans:plan_list", kwargs={"slug": school.slug})
    if form.is_valid():
        try:
            plan = services.plan_create(
                school=school,
                school_year=form.cleaned_data["school_year"],
                actor=request.user,
                copy_unfinished=form.cleaned_data["copy_unfinished"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(request, _("The plan was created as a draft."), plan_url(plan))
    return _form_page(request, form=form, title=_("Start a work plan"), back=back)


def _plan_context(request, plan: WorkPlan, **extra) -> dict:
    return {
        "school": plan.school,
        "plan": plan,
        "goals": selectors.goals_of(plan),
        "can_edit": can_edit_plan(request.user, plan) and not plan.is_closed,
        "next_status": services.NEXT_STATUS.get(plan.status),
        "status_rule": charts.STATUS_RULE,
        "goal_rule": charts.GOAL_RULE,
        "threshold": plan.school.district.small_group_threshold,
        **extra,
    }


PLAN_PAGE = "workplans/plan_detail.html"
PLAN_PAGE_SECONDS = 60 * 60  # the key moves on with every write; this only bounds the memory


def _plan_page_parts(plan: WorkPlan, *, can_edit: bool, viewer: Viewer, today) -> tuple[str, str]:
    """The plan page's HTML around the "Manage the plan" forms: what it shows depends only on
    the plan's data, the language, `today` and the viewer's rights (rendered without the
    request, so nothing else can slip in)."""
    goals = selectors.goals_of(plan, today=today)
    evidence = voice_selectors.evidence_by_goal(goal.pk for goal in goals)
    decisions = selectors.goal_decisions(goals)
    for goal in goals:
        goal.voice_evidence = evidence.get(goal.pk, [])
        goal.decisions = decisions.get(goal.pk, [])
        goal.can_enter_data = can_edit or (
            not plan.is_closed and on_team(viewer.user, goal.team_id, plan.school)
        )
        for step in goal.steps.all():
            step.can_update = can_update_step(viewer.user, step)
    context = {
        "school": plan.school,
        "plan": plan,
        "goals": goals,
        "can_edit": can_edit,
        "status_rule": charts.STATUS_RULE,
        "goal_rule": charts.GOAL_RULE,
        "threshold": plan.school.district.small_group_threshold,
        "history": selectors.plan_history(plan=plan, goals=goals),
    }
    return (
        render_to_string(PLAN_PAGE + "#head", context),
        render_to_string(PLAN_PAGE + "#body", context),
    )


def _plan_page_parts_key(plan: WorkPlan, viewer: Viewer, today) -> list[str]:
    # Everything the cached HTML depends on besides the school's data (which its version
    # covers): the plan, the language (and the formats with it), the time zone of the
    # history's times, the day (overdue and due-soon badges) and the viewer's rights.
    return [
        str(plan.pk),
        get_language(),
        timezone.get_current_timezone_name(),
        today.isoformat(),
        viewer.key,
    ]


@login_required
@require_safe
@school_view()
def plan_detail(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    # The version first, then the data it versions (the plan too): a page rendered from data
    # newer than its version is re-rendered at the next version; the other way round, a page
    # could be served stale.
    page_cache = versions.SchoolCache(school)
    # load_in_school(request, PLANS, "school", can_view_summary, pk=pk), from SQL built once.
    plan = selectors.plan_in_school(school, pk)
    if plan is None:
        raise Http404
    if not can_view_summary(request.user, plan):
        raise PermissionDenied
    if not can_view_plan(request.user, plan):
        return render(request, "workplans/plan_summary.html", _plan_context(request, plan))
    viewer = Viewer.of(request.user, plan)
    can_edit = viewer.edits_plan and not plan.is_closed
    today = clock.today_in(school.district)
    head, body = page_cache.fragment(
        "workplans:plan-page",
        _plan_page_parts_key(plan, viewer, today),
        lambda: _plan_page_parts(plan, can_edit=can_edit, viewer=viewer, today=today),
        seconds=PLAN_PAGE_SECONDS,
    )
    context = {
        "school": plan.school,
        "plan": plan,
        "can_edit": can_edit,
        "next_status": services.NEXT_STATUS.get(plan.status),
        "head_html": mark_safe(head),  # noqa: S308 (our own template, rendered without input)
        "body_html": mark_safe(body),  # noqa: S308
    }
    return render(request, PLAN_PAGE, context)


@login_required
@require_safe
@school_view()
def plan_print(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    plan = load_in_school(request, PLANS, "school", can_view_plan, pk=pk)
    context = _plan_context(request, plan)
    # What the page shows under each goal besides its measures and steps: what people said
    # (voice evidence) and the team's decisions tied to it.
    goals = context["goals"]
    evidence = voice_selectors.evidence_by_goal(goal.pk for goal in goals)
    decisions = selectors.goal_decisions(goals)
    for goal in goals:
        goal.voice_evidence = evidence.get(goal.pk, [])
        goal.decisions = decisions.get(goal.pk, [])
    return render(request, "workplans/plan_print.html", context)


EXPORT_HEADER = [
    "record",
    "goal",
    "focus_area",
    "smart_statement",
    "measure",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_date",
    "status",
    "date",
    "value",
    "n",
    "group",
    "step",
    "owner",
    "team",
    "start",
    "due",
]


@login_required
@require_safe
@school_view()
def plan_export(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Goals, measures, data (small groups suppressed, as on the page) and steps, as CSV."""
    plan = load_in_school(request, PLANS, "school", can_view_plan, pk=pk)
    threshold = school.district.small_group_threshold
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"workplan-{school.slug}-{plan.school_year.label}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_writer(response)
    writer.writerow(EXPORT_HEADER)
    blank = {name: "" for name in EXPORT_HEADER}

    def row(**values):
        writer.writerow([{**blank, **values}[name] for name in EXPORT_HEADER])

    for goal in selectors.goals_of(plan):
        row(
            record="goal",
            goal=goal.order,
            focus_area=goal.get_focus_area_display(),
            smart_statement=goal.smart_statement,
            status=goal.status,
        )
        for view in goal.measure_views:
            m = view.measure
            row(
                record="measure",
                goal=goal.order,
                measure=m.name,
                unit=m.unit,
                direction=m.direction,
                baseline=m.baseline,
                target=m.target,
                target_date=m.target_date.isoformat(),
                status=view.status,
                group=m.student_group,
            )
            for point in view.points:
                row(
                    record="data",
                    goal=goal.order,
                    measure=m.name,
                    date=point.date.isoformat(),
                    value="suppressed" if point.suppressed else point.value,
                    n=f"<{threshold}" if point.suppressed else (point.n or ""),
                    group=point.group,
                )
        for step in goal.steps.all():
            row(
                record="step",
                goal=goal.order,
                step=step.title,
                owner=step.owner.get_full_name(),
                team=step.team.name if step.team else step.team_name,
                start=step.start.isoformat(),
                due=step.due.isoformat(),
                status=step.status,
            )
    return response


@login_required
@require_POST
@school_view()
def plan_status(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Activate or close the plan, or publish its summary to families."""
    plan = load_in_school(request, PLANS, "school", can_edit_plan, pk=pk)
    try:
        if "published" in request.POST:
            services.plan_set_published(
                plan=plan, actor=request.user, published=request.POST["published"] == "1"
            )
            message = (
                _("The summary is published to families.")
                if plan.summary_published
                else _("The summary is no longer shown to families.")
            )
        else:
            plan = services.plan_set_status(
                plan=plan, actor=request.user, status=request.POST.get("status", "")
            )
            message = _("The plan is now %(status)s.") % {"status": plan.get_status_display()}
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(plan_url(plan))
    return _done(request, message, plan_url(plan))


# --- goals, measures, data ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def goal_create(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    plan = load_in_school(request, PLANS, "school", can_edit_plan, pk=pk)
    form = GoalForm(request.POST or None, plan=plan)
    return _handle(
        request,
        form=form,
        save=lambda data: services.goal_create(plan=plan, actor=request.user, **data),
        title=_("Add a goal"),
        back=plan_url(plan),
        message=_("The goal was added."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def goal_edit(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    goal = load_in_school(request, GOALS, "plan__school", can_edit_goal, pk=pk)
    form = GoalForm(
        request.POST or None,
        plan=goal.plan,
        instance=Goal.objects.get(pk=goal.pk),
        initial={"version": services.goal_version(goal)},
    )
    return _handle(
        request,
        form=form,
        save=lambda data: services.goal_update(goal=goal, actor=request.user, **data),
        title=_("Edit the goal"),
        back=plan_url(goal.plan),
        message=_("The goal was saved."),
        delete_url=reverse("workplans:goal_delete", kwargs={"slug": school.slug, "pk": goal.pk}),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def measure_create(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    goal = load_in_school(request, GOALS, "plan__school", can_edit_goal, pk=pk)
    initial = {
        "baseline_date": goal.plan.school_year.start,
        "target_date": goal.plan.school_year.end,
    }
    form = MeasureForm(request.POST or None, initial=initial)
    return _handle(
        request,
        form=form,
        save=lambda data: services.measure_create(goal=goal, actor=request.user, **data),
        title=_("Add a measure"),
        intro=goal.smart_statement,
        back=plan_url(goal.plan),
        message=_("The measure was added."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def measure_edit(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    measure = load_in_school(request, MEASURES, "goal__plan__school", can_edit_measure, pk=pk)
    form = MeasureForm(
        request.POST or None,
        instance=Measure.objects.get(pk=measure.pk),
        initial={"version": services.measure_version(measure)},
    )
    return _handle(
        request,
        form=form,
        save=lambda data: services.measure_update(measure=measure, actor=request.user, **data),
        title=_("Edit the measure"),
        back=plan_url(measure.goal.plan),
        message=_("The measure was saved."),
        delete_url=reverse(
            "workplans:measure_delete", kwargs={"slug": school.slug, "pk": measure.pk}
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def datapoint_create(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    measure = load_in_school(request, MEASURES, "goal__plan__school", can_enter_data, pk=pk)
    form = DataPointForm(request.POST or None, initial={"group": measure.student_group})
    return _handle(
        request,
        form=form,
        save=lambda data: services.datapoint_create(measure=measure, actor=request.user, **data),
        title=_("Add a value to “%(name)s”") % {"name": measure.name},
        back=plan_url(measure.goal.plan),
        message=_("The value was added."),
    )


@upload_limit("data_csv")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def datapoint_upload(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    measure = load_in_school(request, MEASURES, "goal__plan__school", can_enter_data, pk=pk)
    posted = request.method == "POST"  # bound even when the only field was refused
    form = CsvUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        refused=refused_uploads(request),
    )
    back = plan_url(measure.goal.plan)
    title = _("Upload values for “%(name)s”") % {"name": measure.name}
    line_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            count = services.datapoints_import(
                measure=measure, actor=request.user, file=form.cleaned_data["file"]
            )
        except services.CsvRejected as rejected:
            line_errors = rejected.errors
            form.add_error("file", _("Nothing was imported: the file has errors, listed below."))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(request, _("%(count)s values were imported.") % {"count": count}, back)
    context = {
        "form": form,
        "title": title,
        "back": back,
        "multipart": True,
        "line_errors": line_errors,
        "school": school,
    }
    template = "workplans/form_page.html"
    return render(request, template + "#form" if is_partial(request) else template, context)


# --- steps, learning, progress --------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def step_create(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    goal = load_in_school(request, GOALS, "plan__school", can_edit_goal, pk=pk)
    form = StepForm(request.POST or None, goal=goal, owners=selectors.step_owner_choices(school))
    return _handle(
        request,
        form=form,
        save=lambda data: services.step_create(goal=goal, actor=request.user, **data),
        title=_("Add an action step"),
        intro=goal.smart_statement,
        back=plan_url(goal.plan),
        message=_("The action step was added."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def step_edit(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    step = load_in_school(
        request,
        ActionStep.objects.select_related("goal__plan__school__district"),
        "goal__plan__school",
        can_edit_step,
        pk=pk,
    )
    form = StepForm(
        request.POST or None,
        goal=step.goal,
        owners=selectors.step_owner_choices(school),
        instance=ActionStep.objects.get(pk=step.pk),
        initial={"version": services.step_version(step)},
    )
    return _handle(
        request,
        form=form,
        save=lambda data: services.step_update(step=step, actor=request.user, **data),
        title=_("Edit the action step"),
        back=plan_url(step.goal.plan),
        message=_("The action step was saved."),
        delete_url=reverse("workplans:step_delete", kwargs={"slug": school.slug, "pk": step.pk}),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def learning_create(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    goal = load_in_school(request, GOALS, "plan__school", can_edit_goal, pk=pk)
    form = LearningActivityForm(request.POST or None)
    return _handle(
        request,
        form=form,
        save=lambda data: services.learning_activity_create(goal=goal, actor=request.user, **data),
        title=_("Add professional learning"),
        intro=goal.smart_statement,
        back=plan_url(goal.plan),
        message=_("The professional learning was added."),
    )


@upload_limit("evidence")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view()
def step_progress(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """The owner posts a progress update, in place on the plan or "my action steps" page."""
    step = load_in_school(
        request,
        ActionStep.objects.select_related("goal__plan__school__district", "owner"),
        "goal__plan__school",
        can_update_step,
        pk=pk,
    )
    back = request.GET.get("next") or request.POST.get("next") or ""
    if back not in (reverse("workplans:my_steps"), plan_url(step.goal.plan)):
        back = plan_url(step.goal.plan)
    posted = request.method == "POST"  # bound even when the only field was refused
    form = ProgressUpdateForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        refused=refused_uploads(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update_create(
                step=step,
                actor=request.user,
                status=form.cleaned_data["status"],
                narrative=form.cleaned_data["narrative"],
                files=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if not is_partial(request):
                messages.success(request, _("Your update was posted."))
                return redirect(back)
            fresh = selectors.step_with_goal(step)
            return render(
                request,
                "workplans/step_progress.html#step-card",
                {
                    "step": fresh,
                    "saved": True,
                    "show_goal": back == reverse("workplans:my_steps"),
                    "back": back,
                    "can": True,
                    "can_edit": can_edit_plan(request.user, fresh.goal.plan),
                },
            )
    context = {"step": selectors.step_with_goal(step), "form": form, "back": back, "school": school}
    if is_partial(request):
        return render(request, "workplans/step_progress.html#update-form", context)
    return render(request, "workplans/step_progress.html", context)


@login_required
@require_safe
@school_view()
def evidence_download(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Evidence is served only here, after the permission check; never from /media/."""
    evidence = load_in_school(
        request,
        Evidence.objects.select_related("update__step__goal__plan__school__district"),
        "update__step__goal__plan__school",
        can_view_evidence,
        pk=pk,
    )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(evidence.original_name)[0] or "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(evidence.original_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- my action steps ------------------------------------------------------------------


@login_required
@require_safe
def my_steps(request: HtmxHttpRequest) -> HttpResponse:
    if not selectors.works_in_a_school(request.user):
        raise PermissionDenied
    steps = selectors.my_steps(user=request.user)
    return render(
        request,
        "workplans/my_steps.html",
        {"steps": steps, "today": clock.today(), "goal_rule": charts.GOAL_RULE},
    )


# --- meetings and the plan ------------------------------------------------------------

MEETINGS = Meeting.objects.select_related("team__school__district", "team__school_year")


def _refused(request, error: ValidationError, back: str) -> HttpResponse:
    messages.error(request, " ".join(str(m) for m in error.messages))
    return redirect(back)


@login_required
@require_POST
@school_view()
def agenda_link_add(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Link an agenda item of the meeting to a goal, measure or step of the plan, or to a
    survey's results."""
    meeting = load_in_school(request, MEETINGS, "team__school", can_link_plan, pk=pk)
    item_pk = request.POST.get("item", "")
    item = meeting.items.filter(pk=item_pk).first() if item_pk.isdigit() else None
    if item is None:
        raise Http404
    back = f"{meeting.get_absolute_url()}#item-{item.pk}"
    form = PlanLinkForm(
        request.POST, choices=selectors.plan_choices(user=request.user, school=school)
    )
    if not form.is_valid():
        return _refused(
            request, ValidationError(_("Choose a goal, measure, step or survey.")), back
        )
    kind, target = form.target_of(school)
    if target is None:
        raise Http404
    try:
        services.agenda_link_add(actor=request.user, item=item, **{kind: target})
    except ValidationError as error:
        return _refused(request, error, back)
    if kind == "survey":
        messages.success(request, _("The item now links to the survey's results."))
    else:
        messages.success(request, _("The item now links to the plan."))
    return redirect(back)


@login_required
@require_POST
@school_view()
def agenda_link_remove(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    link = load_in_school(
        request,
        AgendaLink.objects.select_related("item__meeting__team__school__district"),
        "item__meeting__team__school",
        lambda user, link: can_link_plan(user, link.item.meeting),
        pk=pk,
    )
    back = f"{link.item.meeting.get_absolute_url()}#item-{link.item_id}"
    try:
        services.agenda_link_remove(actor=request.user, link=link)
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, _("The link to the plan was removed."))
    return redirect(back)


@login_required
@require_POST
@school_view()
def plan_monitor(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Add one "Monitor the plan" item with every off-track goal and overdue step."""
    meeting = load_in_school(request, MEETINGS, "team__school", can_link_plan, pk=pk)
    try:
        item = services.plan_monitor_add(actor=request.user, meeting=meeting)
    except ValidationError as error:
        return _refused(request, error, f"{meeting.get_absolute_url()}#agenda")
    count = item.plan_links.count()
    messages.success(
        request,
        _("“Monitor the plan” was added with %(count)s goals and steps to look at.")
        % {"count": count},
    )
    return redirect(f"{meeting.get_absolute_url()}#item-{item.pk}")


@login_required
@require_POST
@school_view()
def decision_goal(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Tie a decision of a meeting to a goal of the plan."""
    decision = load_in_school(
        request,
        Decision.objects.select_related("meeting__team__school__district", "item"),
        "meeting__team__school",
        can_tie_decision,
        pk=pk,
    )
    back = f"{decision.meeting.get_absolute_url()}#item-{decision.item_id}"
    goals = [
        (value, label)
        for _group, options in selectors.plan_choices(user=request.user, school=school)
        for value, label in options
        if value.startswith("goal:")
    ]
    form = DecisionGoalForm(request.POST, goals=goals)
    if not form.is_valid():
        return _refused(request, ValidationError(_("Choose a goal of the plan.")), back)
    goal = GOALS.filter(plan__school=school, pk=form.cleaned_data["goal"].partition(":")[2])
    goal = goal.first()
    if goal is None:
        raise Http404
    try:
        services.decision_goal_tie(actor=request.user, decision=decision, goal=goal)
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, _("The decision is tied to the goal; the plan shows it there."))
    return redirect(back)


# --- coaching comments ----------------------------------------------------------------


def coaching_url(plan: WorkPlan) -> str:
    return reverse("workplans:coaching", kwargs={"slug": plan.school.slug, "pk": plan.pk})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def coaching(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """The plan's coaching threads; coaches open one on the plan, a goal or a step."""
    plan = load_in_school(request, PLANS, "school", can_view_plan, pk=pk)
    coaches = can_coach(request.user, plan)
    if request.method == "POST" and not coaches:
        raise PermissionDenied
    goals = list(plan.goals.prefetch_related("steps"))
    form = CoachingThreadForm(request.POST or None, plan=plan, goals=goals)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.coaching_thread_open(
                actor=request.user, plan=plan, text=form.cleaned_data["text"], **form.target()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your comment was posted; the school can answer it."))
            return redirect(f"{coaching_url(plan)}#thread-{thread.pk}")
    return render(
        request,
        "workplans/coaching.html",
        {
            "school": school,
            "plan": plan,
            "threads": selectors.coaching_threads(plan),
            "form": form if coaches else None,
            "coaches": coaches,
            "answers": can_answer_coaching(request.user, plan),
            "reply_form": CoachingReplyForm(),
        },
        status=200,
    )


THREADS = CoachingComment.objects.filter(thread__isnull=True).select_related(
    "plan__school__district", "plan__school_year"
)


@login_required
@require_POST
@school_view()
def coaching_reply(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    thread = load_in_school(
        request,
        THREADS,
        "plan__school",
        lambda user, thread: can_answer_coaching(user, thread.plan),
        pk=pk,
    )
    back = f"{coaching_url(thread.plan)}#thread-{thread.pk}"
    form = CoachingReplyForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError(services.COMMENT_EMPTY), back)
    try:
        services.coaching_reply(actor=request.user, thread=thread, text=form.cleaned_data["text"])
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, _("Your answer was posted."))
    return redirect(back)


@login_required
@require_POST
@school_view()
def coaching_close(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    thread = load_in_school(
        request, THREADS, "plan__school", lambda user, thread: can_coach(user, thread.plan), pk=pk
    )
    back = f"{coaching_url(thread.plan)}#thread-{thread.pk}"
    try:
        services.coaching_thread_close(actor=request.user, thread=thread)
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, _("The thread is closed."))
    return redirect(back)


# --- soft delete ----------------------------------------------------------------------

DELETE_LOADS = {
    "goal": (GOALS, "plan__school", can_edit_goal),
    "measure": (MEASURES, "goal__plan__school", can_edit_measure),
    "step": (
        ActionStep.objects.select_related("goal__plan__school__district"),
        "goal__plan__school",
        can_edit_step,
    ),
}
DELETED_MESSAGES = {
    "goal": gettext_lazy("The goal was deleted. It can be restored from “Deleted items”."),
    "measure": gettext_lazy("The measure was deleted. It can be restored from “Deleted items”."),
    "step": gettext_lazy("The action step was deleted. It can be restored from “Deleted items”."),
}


def deleted_url(plan: WorkPlan) -> str:
    return reverse("workplans:plan_deleted", kwargs={"slug": plan.school.slug, "pk": plan.pk})


@login_required
@require_POST
@school_view()
def plan_item_delete(request: HtmxHttpRequest, school: School, pk: int, kind: str):
    objects, path, check = DELETE_LOADS[kind]
    item = load_in_school(request, objects, path, check, pk=pk)
    plan = services.plan_of_item(item)
    try:
        services.plan_item_delete(actor=request.user, item=item)
    except ValidationError as error:
        return _refused(request, error, plan_url(plan))
    messages.success(request, str(DELETED_MESSAGES[kind]))
    return redirect(plan_url(plan))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def plan_deleted(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """The plan's deleted goals, measures and steps; editors restore them."""
    plan = load_in_school(request, PLANS, "school", can_edit_plan, pk=pk)
    if request.method == "POST":
        kind, item_pk = request.POST.get("kind", ""), request.POST.get("item", "")
        model = services.DELETABLE.get(kind)
        path = "plan" if kind == "goal" else "goal__plan"
        item = (
            model.all_objects.filter(**{path: plan}, pk=item_pk).first()
            if model and item_pk.isdigit()
            else None
        )
        if item is None:
            raise Http404
        try:
            services.plan_item_restore(actor=request.user, item=item)
        except ValidationError as error:
            return _refused(request, error, deleted_url(plan))
        messages.success(request, _("“%(name)s” is back on the plan.") % {"name": item})
        return redirect(deleted_url(plan))
    return render(
        request,
        "workplans/plan_deleted.html",
        {"school": school, "plan": plan, **selectors.deleted_items(plan)},
    )
