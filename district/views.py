"""The district dashboard, its CSV, a school's read-only drill-down, the principal's own row,
and the district's priorities."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from engagement import selectors as engagement
from leadership import edits, page, versions
from leadership import selectors as leadership_selectors
from leadership import services as leadership_services
from leadership.exports import csv_writer
from leadership.html import text, translated
from leadership.htmx import HtmxHttpRequest, apply_form_errors, is_partial
from leadership.latest import LatestFragments
from leadership.models import District, School, SignOnProvider
from leadership.permissions import district_view, is_district_admin, is_principal, school_view
from teams import selectors as teams
from workplans import selectors as workplans

from . import charts, rollups
from .forms import DistrictPriorityForm, PasswordSignInForm, SignOnProviderForm
from .models import SchoolRollup
from .query import COLUMNS, PER_PAGE, STATUSES, DashboardQuery


def _decorate(row: SchoolRollup) -> SchoolRollup:
    row.status_counts = {
        "on_track": row.goals_on_track,
        "at_risk": row.goals_at_risk,
        "off_track": row.goals_off_track,
        "no_data": row.goals_no_data,
    }
    row.status_bar = charts.status_bar(row.status_counts)
    row.seats_vacant = max(row.seats_required - row.seats_filled, 0)
    return row


def _grade_choices(district: District) -> list[str]:
    spans = (
        School.objects.filter(district=district, is_active=True)
        .exclude(grade_span="")
        .order_by()
        .values_list("grade_span", flat=True)
        .distinct()
    )
    return sorted(spans)


def _filtered(request, district: District, choices: dict):
    """The query string read against what the form offers, and the rows it selects."""

    query = DashboardQuery.parse(
        request.GET,
        grade_choices=choices["grades"],
        priority_choices={p["pk"] for p in choices["priorities"]},
    )
    all_rows = SchoolRollup.objects.filter(school__district=district, school__is_active=True)
    rows = query.apply(all_rows.select_related("school"), aligned_to=workplans.schools_aligned_to)
    return query, all_rows, rows


CONTENT = "district/_content.html"
# The page's title, as district/dashboard.html said it (marked here for the catalogues).
DASHBOARD_TITLE = gettext_noop("District dashboard")
RESULTS = CONTENT + "#results"
TREND = CONTENT + "#trend"
CACHE_SECONDS = 60 * 60


# The parts of the latest version of each district's figures, in this process's memory as
# well as in Redis: the figures' version is read on every request (the gate), a part kept
# under it is the one drawn from that version's figures, and a view that finds the version
# moved drops the older parts. Bounded: a few districts, about 60 kB a page of the table.
LATEST = LatestFragments(scopes=8, max_bytes=32 * 1024 * 1024, seconds=CACHE_SECONDS)


def _cached(district_id: int, version, part: str, render, *more):
    """A part of the dashboard kept under the version of the district's figures: in this
    process's memory, else in Redis (shared by the processes), else drawn."""
    parts = (get_language(), part, *more)
    value = LATEST.get((district_id,), version, parts)
    if value is None:
        value = versions.cached_for(
            f"dashboard:{district_id}", version, list(parts), render, seconds=CACHE_SECONDS
        )
        LATEST.put((district_id,), version, parts, value)
    return value


def _choices(district: District) -> dict:
    """What the filter form offers: plain values, so they can be cached with the figures."""

    year = rollups.current_year(district)
    priorities = (
        leadership_selectors.district_priorities(district=district, year=year) if year else []
    )
    return {
        "year": {"label": year.label} if year else None,
        "grades": _grade_choices(district),
        "priorities": [{"pk": p.pk, "title": p.title} for p in priorities],
    }


def gate_answer(gate: rollups.Gate | None) -> HttpResponse:
    """`district_view`'s rule on the gate's row: outside the district 404, inside without the
    right 403 (tests/district/test_gate.py proves the two agree for every role)."""
    if gate is None or not (gate.is_admin or gate.in_district):
        raise Http404
    if not gate.is_admin:
        raise PermissionDenied
    return HttpResponse(status=200)


@login_required
@require_safe
@vary_on_headers("HX-Request")
def dashboard(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    # The district, the person's right to it and the version of the figures come in one
    # query (the rules of `district_view`: outside the district 404, inside without the
    # right 403).
    gate = rollups.dashboard_gate(slug, request.user.pk)
    gate_answer(gate)
    district = gate.district
    version = gate.version if gate.fresh else rollups.fresh_version(district)
    # What the page shows is cached under the version of the district's figures (how many
    # rows, when the newest was computed). Any write to a school's data (or to the school,
    # the year or the priorities) makes rows stale, they are recomputed before the read, and
    # the version, hence every key, moves on: a cached page is never older than the figures.
    partial = is_partial(request) and request.htmx.target == "dashboard-results"
    raw_query = hashlib.sha1(request.GET.urlencode().encode(), usedforsecurity=False).hexdigest()
    district_id = gate.district_id
    request.district = district
    # The htmx swap needs the results; a page load the whole content (form, results and
    # trend: nothing in it depends on who asks, only on the query and the language). The
    # layout around it (the person's name, the CSRF token, messages) is rendered each time.
    rendered = _cached(
        district_id,
        version,
        "results" if partial else "content",
        lambda: _render_content(request, district, version, partial),
        raw_query,
    )
    html, canonical = rendered
    if partial:
        response = HttpResponse(html)
        # The address bar gets the view's canonical URL, not the form's raw fields.
        response["HX-Push-Url"] = request.path + (canonical if canonical != "?" else "")
        return response
    asked = request.GET.get("page", "")
    shown = QueryDict(canonical.lstrip("?")).get("page", "1")
    if asked.isdigit() and shown.isdigit() and int(asked) > int(shown):
        # A page past the end: to the last page, so that the address bar names what is shown.
        messages.info(request, past_the_end(int(asked), int(shown)))
        return redirect(request.path + (canonical if canonical != "?" else ""))
    # The layout around the cached content, without the template engine (leadership.page):
    # district/dashboard.html as it was, compared in tests/district/test_dashboard_page.py.
    return page.render(
        request,
        title=f"{translated(DASHBOARD_TITLE)} · {text(district.name)}",
        extra_head=f'<link rel="stylesheet" href="{text(static("css/dashboard.css"))}">',
        main_class=" wrap-wide",
        content=html,
    )


def past_the_end(asked: int, last: int) -> str:
    return _("There is no page %(asked)s: this is the last page, %(last)s.") % {
        "asked": asked,
        "last": last,
    }


def _render_content(request, district, version, partial) -> tuple[str, str]:
    """The HTML of the results (htmx) or of the page's content, and the view's canonical
    query string."""
    choices = _cached(district.pk, version, "choices", lambda: _choices(district))
    query, all_rows, rows = _filtered(request, district, choices)
    paginator = Paginator(rows, PER_PAGE)
    number = paginator.num_pages if query.page == "last" else query.page
    page = paginator.get_page(number)  # past the end: the last page
    if isinstance(query.page, int) and query.page > page.number:
        # Said plainly, and the canonical query string (the address bar) names the page shown.
        query.notices.append(past_the_end(query.page, page.number))
        query.page = page.number
    for row in page.object_list:
        _decorate(row)
    context = {
        "district": district,
        "year": choices["year"],
        "query": query,
        "page": page,
        "columns": COLUMNS,
        "labels": {column.key: str(column.label) for column in COLUMNS},
        "statuses": [(key, label) for key, (label, _q) in STATUSES.items()],
        "grade_choices": choices["grades"],
        "priorities": choices["priorities"],
        "csv_query": query.querystring(page=""),
        "oob": partial,  # the form's sort field follows a sort by column header
        "school_count": version[0],
    }
    if partial:
        return render_to_string(RESULTS, context, request=request), query.querystring()

    def render_trend() -> str:
        trend = charts.trend_rows(charts.sum_trends(all_rows.values_list("trend", flat=True)))
        return render_to_string(
            TREND,
            {"trend": trend, "trend_chart": charts.trend_chart(trend, title_id="trend-title")},
            request=request,
        )

    trend_html = _cached(district.pk, version, "trend", render_trend)
    context["trend_html"] = mark_safe(trend_html)  # noqa: S308  (our own rendered template)
    return render_to_string(CONTENT, context, request=request), query.querystring()


CSV_HEADER = [
    "school",
    "grades",
    "ilt_seats_filled",
    "ilt_seats_required",
    "meetings_last_30_days",
    "meeting_attendance_pct",
    "action_items_open",
    "action_items_overdue",
    "goals_on_track",
    "goals_at_risk",
    "goals_off_track",
    "goals_not_enough_data",
    "action_steps_done_pct",
    "family_events_held",
    "family_events_upcoming",
    "rsvps",
    "family_attendance_pct",
    "interpretation_requests",
    "latest_survey_response_rate_pct",
]


def _blank(value):
    return "" if value is None else value


@login_required
@require_safe
@district_view()
def dashboard_csv(request: HtmxHttpRequest, district: District) -> HttpResponse:
    rollups.fresh_version(district)
    _query, _all, rows = _filtered(request, district, _choices(district))
    today = rollups.district_today(district)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="dashboard-{district.slug}-{today.isoformat()}.csv"'
    )
    writer = csv_writer(response)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.school.name,
                row.school.grade_span,
                row.seats_filled,
                row.seats_required,
                row.meetings_30d,
                _blank(row.attendance_30d),
                row.actions_open,
                row.actions_overdue,
                row.goals_on_track,
                row.goals_at_risk,
                row.goals_off_track,
                row.goals_no_data,
                _blank(row.steps_done_pct),
                row.events_held,
                row.events_upcoming,
                row.rsvps,
                _blank(row.event_attendance),
                row.interpretation_requests,
                _blank(row.survey_response_rate),
            ]
        )
    return response


def _school_row(school: School) -> SchoolRollup:
    """The school's figures, recomputed first if stale (this school only)."""
    district = school.district
    today = rollups.district_today(district)
    if rollups.stale_school_ids(district, today=today, school_ids=[school.pk]) or not (
        school.is_active
    ):
        rollups.compute(district, [school.pk])
    return _decorate(SchoolRollup.objects.select_related("school").get(school=school))


def _school_context(request, school: School) -> dict:

    row = _school_row(school)
    trend = charts.trend_rows(row.trend)
    ilt, seats = teams.ilt_seat_summary(school)
    now = timezone.now()
    meetings = teams.team_meetings(ilt) if ilt else None
    recent_meetings = list(meetings.filter(starts_at__lte=now)[:5]) if ilt else []
    next_meeting = teams.next_meeting(ilt, now=now) if ilt else None
    # The district's day, as the row's overdue count uses.
    overdue = list(teams.overdue_actions(ilt, today=row.as_of)[:10]) if ilt else []
    plan = workplans.current_plan(user=request.user, school=school)
    statuses = {goal_id: status for goal_id, _priority, status in row.goal_statuses}
    goals = list(plan.goals.select_related("district_priority")) if plan else []
    for goal in goals:
        charts.mark_goal(goal, statuses.get(goal.pk, "not_enough_data"))
    events = engagement.school_events(user=request.user, school=school)
    recent_events = list(events.filter(starts_at__lte=now).order_by("-starts_at")[:5])
    upcoming_events = list(events.filter(starts_at__gt=now).order_by("starts_at")[:5])
    return {
        "school": school,
        "row": row,
        "trend": trend,
        "trend_chart": charts.trend_chart(trend, title_id="school-trend-title"),
        "ilt": ilt,
        "seats": seats,
        "recent_meetings": recent_meetings,
        "next_meeting": next_meeting,
        "overdue": overdue,
        "plan": plan,
        "goals": goals,
        "coaching_open": workplans.open_coaching_threads(plan),
        "recent_events": recent_events,
        "upcoming_events": upcoming_events,
    }


@login_required
@require_safe
@district_view()
def school_drilldown(request: HtmxHttpRequest, district: District, school: str) -> HttpResponse:
    school_obj = get_object_or_404(
        School.objects.select_related("district"), district=district, slug=school
    )
    context = _school_context(request, school_obj)
    context.update(district=district, back_query=request.GET.get("back", ""))
    return render(request, "district/school.html", context)


def _can_see_school_row(user, school: School) -> bool:
    return is_principal(user, school) or is_district_admin(user, school.district_id)


@login_required
@require_safe
@school_view(_can_see_school_row)
def school_dashboard(request: HtmxHttpRequest, school: School) -> HttpResponse:
    context = _school_context(request, school)
    context.update(district=school.district, own_school=True)
    return render(request, "district/school.html", context)


# --- district priorities ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view()
def priorities(request: HtmxHttpRequest, district: District) -> HttpResponse:
    year = rollups.current_year(district)
    form = DistrictPriorityForm(request.POST or None)
    if request.method == "POST":
        if year is None:
            raise Http404
        if form.is_valid():
            try:
                priority = leadership_services.priority_save(
                    actor=request.user, district=district, year=year, **form.cleaned_data
                )
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, _("Priority “%(title)s” added.") % {"title": priority})
                url = reverse("district:district_priorities", kwargs={"slug": district.slug})
                if is_partial(request):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
        if is_partial(request):
            return render(
                request,
                "district/priorities.html#priority-form",
                {"district": district, "form": form, "year": year},
            )
    return render(
        request,
        "district/priorities.html",
        {
            "district": district,
            "year": year,
            "form": form,
            "priorities": _priority_overview(district, year),
        },
    )


def _priority_overview(district: District, year) -> list:
    """Each priority of the year with the schools whose goals align to it and how they stand."""

    if year is None:
        return []
    priorities = list(leadership_selectors.district_priorities(district=district, year=year))
    statuses = {}
    for goal_statuses in rollups.fresh_rollups(district).values_list("goal_statuses", flat=True):
        statuses.update({goal_id: status for goal_id, _p, status in goal_statuses})
    by_priority: dict[int, dict[int, dict]] = {p.pk: {} for p in priorities}
    for goal in workplans.aligned_goals(district=district, year=year):
        if goal.district_priority_id not in by_priority:
            continue
        school = goal.plan.school
        entry = by_priority[goal.district_priority_id].setdefault(
            school.pk,
            {"school": school, "goals": [], "counts": dict.fromkeys(charts.STATUS_KEYS, 0)},
        )
        charts.mark_goal(goal, statuses.get(goal.pk, "not_enough_data"))
        entry["goals"].append(goal)
        entry["counts"][goal.dash_status] += 1
    for priority in priorities:
        schools = sorted(by_priority[priority.pk].values(), key=lambda e: e["school"].name)
        for entry in schools:
            entry["bar"] = charts.status_bar(entry["counts"])
        priority.schools = schools
        totals = dict.fromkeys(charts.STATUS_KEYS, 0)
        for entry in schools:
            for key, n in entry["counts"].items():
                totals[key] += n
        priority.totals = totals
        priority.total_bar = charts.status_bar(totals, width=200)
        priority.total_text = charts.describe(totals)
    return priorities


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view()
def priority_edit(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    year = rollups.current_year(district)
    priority = get_object_or_404(
        leadership_selectors.district_priorities(district=district, year=year), pk=pk
    )
    form = DistrictPriorityForm(
        request.POST or None,
        instance=priority,
        initial={"version": leadership_services.priority_version(priority)},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            leadership_services.priority_save(
                actor=request.user,
                district=district,
                year=year,
                priority=priority,
                **form.cleaned_data,
            )
        except edits.StaleEdit as stale:
            saved = edits.model_initial(form, stale.current)
            conflict = edits.show_conflict(form, stale, saved, place=district)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("Priority saved."))
            return redirect("district:district_priorities", slug=district.slug)
    return render(
        request,
        "district/priority_edit.html",
        {
            "district": district,
            "year": year,
            "form": form,
            "priority": priority,
            "conflict": conflict,
        },
    )


# --- single sign-on -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view()
def sign_on(request: HtmxHttpRequest, district: District) -> HttpResponse:
    """The district's sign-on providers and whether staff may also use a password."""
    # An unticked box sends nothing: a post with no field is still a post.
    form = PasswordSignInForm(
        request.POST if request.method == "POST" else None,
        initial={"staff_password_sign_in": district.staff_password_sign_in},
    )
    if request.method == "POST" and form.is_valid():
        allowed = form.cleaned_data["staff_password_sign_in"]
        try:
            leadership_services.district_password_sign_in_set(
                actor=request.user, district=district, allowed=allowed
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            if allowed:
                messages.success(request, _("Staff may sign in with a password again."))
            else:
                messages.success(
                    request, _("Staff now sign in only through your sign-on provider.")
                )
            return redirect("district:sign_on", slug=district.slug)
    return render(
        request,
        "district/sign_on.html",
        {
            "district": district,
            "form": form,
            "providers": SignOnProvider.objects.filter(district=district).order_by("kind"),
            "callbacks": _callback_addresses(request),
        },
    )


def _callback_addresses(request) -> dict[str, str]:
    """The redirect addresses to register with each kind of provider."""
    return {
        "google": request.build_absolute_uri(reverse("google_callback")),
        "microsoft": request.build_absolute_uri(reverse("microsoft_callback")),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view()
def sign_on_provider_edit(
    request: HtmxHttpRequest, district: District, pk: int | None = None
) -> HttpResponse:
    provider = (
        get_object_or_404(SignOnProvider.objects.filter(district=district), pk=pk)
        if pk is not None
        else None
    )
    initial = {}
    if provider is not None:
        initial["version"] = leadership_services.sign_on_provider_version(provider)
    form = SignOnProviderForm(request.POST or None, instance=provider, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = leadership_services.sign_on_provider_save(
                actor=request.user, district=district, provider=provider, **form.cleaned_data
            )
        except edits.StaleEdit as stale:
            current = edits.model_initial(form, stale.current)
            conflict = edits.show_conflict(form, stale, current, place=district)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("%(label)s saved.") % {"label": saved.label})
            return redirect("district:sign_on", slug=district.slug)
    return render(
        request,
        "district/sign_on_provider.html",
        {
            "district": district,
            "form": form,
            "provider": provider,
            "conflict": conflict,
            "callbacks": _callback_addresses(request),
            "oidc_callback": (
                request.build_absolute_uri(
                    reverse(
                        "openid_connect_callback",
                        kwargs={"provider_id": f"district-{district.pk}"},
                    )
                )
            ),
        },
    )


@login_required
@require_POST
@district_view()
def sign_on_provider_delete(request: HtmxHttpRequest, district: District, pk: int):
    provider = get_object_or_404(SignOnProvider.objects.filter(district=district), pk=pk)
    try:
        leadership_services.sign_on_provider_delete(actor=request.user, provider=provider)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(label)s removed.") % {"label": provider.label})
    return redirect("district:sign_on", slug=district.slug)
