"""Pages of the engagement app: the family portal, events, RSVPs, the door, feedback, calendars."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from leadership import clock, edits, versions
from leadership.context_processors import page_csrf_token
from leadership.exports import csv_writer
from leadership.htmx import HtmxHttpRequest, is_partial
from leadership.htmx import apply_form_errors as _apply_form_errors
from leadership.languages import language_name
from leadership.models import School
from leadership.permissions import load_in_school, school_view

from . import calendar, rsvp_html, selectors, services, tokens
from .forms import EventForm, FeedbackForm, RsvpForm, WalkInForm
from .models import CalendarFeed, CheckIn, Event, EventStatus, Rsvp, RsvpStatus
from .permissions import (
    can_manage_events,
    can_rotate_calendar_link,
    can_run_door,
    can_see_drafts,
    can_see_rsvps,
    is_family_at,
)

WAITLISTED = _lazy(
    "The event is full, so you are on the waitlist (number %(position)s). "
    "We will e-mail you if seats open up."
)


def _language(request) -> str:
    user = request.user
    if user.is_authenticated and user.preferred_language:
        return user.preferred_language
    return translation.get_language() or settings.LANGUAGE_CODE


# --- family portal --------------------------------------------------------------------


def _family_rows(events: list[Event], language: str) -> None:
    """What each row of the family page shows, worked out here rather than with template tags
    and includes per row: the page lists every upcoming event of the family's schools."""
    badges = {
        RsvpStatus.GOING: format_html('<span class="badge badge-ok">{}</span>', _("You are going")),
        RsvpStatus.WAITLISTED: format_html(
            '<span class="badge badge-warn">{}</span>', _("On the waitlist")
        ),
    }
    cancelled = format_html('<span class="badge">{}</span>', _("RSVP cancelled"))
    for event in events:
        event.url = event.get_absolute_url()
        event.shown = event.text(language)
        rsvp = event.rsvp = event.my_rsvps[0] if event.my_rsvps else None
        event.rsvp_badge = badges.get(rsvp.status, cancelled) if rsvp else ""
        event.party_label = (
            ngettext("%(n)s person", "%(n)s people", rsvp.party_size) % {"n": rsvp.party_size}
            if rsvp and rsvp.status != RsvpStatus.CANCELLED
            else ""
        )


FAMILY_EVENTS = "engagement/includes/family_events.html"
FAMILY_EVENTS_SECONDS = 60 * 60


def _render_family_events(school: School, events: list[Event], language: str) -> str:
    # Rendered without the request: the fragment holds no CSRF token, no messages, nothing
    # of the request but what its cache key names.
    _family_rows(events, language)
    return render_to_string(
        FAMILY_EVENTS,
        {
            "school": school,
            # A cancelled event is listed apart, marked, so it is never taken for one to go to.
            "events": [e for e in events if e.status != EventStatus.CANCELLED],
            "cancelled": [e for e in events if e.status == EventStatus.CANCELLED],
            "cancelled_label": EventStatus.CANCELLED.label,
        },
    )


@login_required
@require_safe
def family_home(request: HttpRequest) -> HttpResponse:
    """A family's page: its children's schools, their upcoming events and its own RSVPs.

    Each school's list of events is cached per family and language under the school's data
    version (read before the data: a fragment is never kept under a newer version than what
    it shows). The list also changes with time, when an event ends and leaves it: each
    fragment is kept with the moment its first event ends and is not used from then on.
    """
    user = request.user
    # The schools with their data versions and the family's calendar links, in one query.
    schools = selectors.family_page_schools(user=user)
    if not schools:
        raise PermissionDenied
    language = _language(request)
    now = timezone.now()

    def render_missing(missing: list[School]) -> dict[int, tuple]:
        events = selectors.family_upcoming_events(user=user, schools=missing, now=now)
        rendered = {}
        for school in missing:
            shown = events[school.pk]
            until = min((e.ends_at for e in shown), default=None)
            html = _render_family_events(school, shown, language)
            rendered[school.pk] = (until.timestamp() if until else None, html)
        return rendered

    # Everything the fragment shows besides the school's data (its version): whose RSVPs,
    # the events' language and the page's (headings, dates). The moment its first event ends
    # is kept with it: from then on it is not used.
    entries = versions.cached_fragments(
        schools,
        "family-events",
        [user.pk, language, translation.get_language()],
        render_missing,
        usable=lambda entry: entry[0] is None or now.timestamp() < entry[0],
        seconds=FAMILY_EVENTS_SECONDS,
        versions={s.pk: s.version_now for s in schools if s.version_now is not None},
    )
    html = {pk: mark_safe(entry[1]) for pk, entry in entries.items()}  # noqa: S308 (ours)
    feeds = {s.pk: CalendarFeed(school=s, token=s.my_feed_token) for s in schools}
    if missing := [s.pk for s in schools if s.my_feed_token is None]:
        # The family's first visit: its links are made now.
        feeds.update(services.calendar_feeds_for(school_ids=missing, person=user))
    sections = [
        {
            "school": school,
            "vision": school.vision_in(language),
            "events_html": html[school.pk],
            "list_url": reverse("engagement:event_list", kwargs={"slug": school.slug}),
            "feed_url": feed_url(request, feeds[school.pk]),
        }
        for school in schools
    ]
    return render(request, "engagement/family_home.html", {"sections": sections})


# --- events ---------------------------------------------------------------------------


@login_required
@require_safe
@school_view()
def event_list(request: HtmxHttpRequest, school: School) -> HttpResponse:
    """Upcoming events first, soonest first; past ones apart below, latest first. Seats and
    status (draft, published) are the staff's columns; a family sees its own RSVP."""
    now = timezone.now()
    events = list(
        selectors.school_events(user=request.user, school=school).order_by("starts_at", "id")
    )
    upcoming = [event for event in events if event.ends_at > now]
    past = [event for event in events if event.ends_at <= now][::-1]
    return render(
        request,
        "engagement/event_list.html",
        {
            "school": school,
            "upcoming": upcoming,
            "past": past,
            "staff_columns": can_see_drafts(request.user, school),
            "can_manage": can_manage_events(request.user, school),
            "language": _language(request),
            # The school's staff see the school's link; a family its own.
            "feed_url": feed_url(
                request,
                school_feed_of(school)
                if can_see_drafts(request.user, school)
                else services.calendar_feeds_for(school_ids=[school.pk], person=request.user)[
                    school.pk
                ],
            )
            + f"?lang={_language(request)}",
            "can_rotate_feed": can_rotate_calendar_link(request.user, school),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_manage_events)
def event_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = EventForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                school=school, actor=request.user, texts=form.texts(), **form.event_fields()
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The event was saved as a draft."))
            return redirect(event.get_absolute_url())
    return render(
        request,
        "engagement/event_form.html#event-form"
        if is_partial(request)
        else "engagement/event_form.html",
        {"school": school, "form": form, "event": None},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_manage_events)
def event_edit(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    initial = EventForm.initial_for(event) | {"version": services.event_version(event)}
    form = EventForm(request.POST or None, school=school, event=event, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                event=event,
                actor=request.user,
                texts=form.texts(),
                version=form.cleaned_data["version"],
                **form.event_fields(),
            )
        except edits.StaleEdit as stale:
            saved = EventForm.initial_for(stale.current)
            conflict = edits.show_conflict(form, stale, saved, place=school)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The event was saved."))
            return redirect(event.get_absolute_url())
    return render(
        request,
        "engagement/event_form.html#event-form"
        if is_partial(request)
        else "engagement/event_form.html",
        {"school": school, "form": form, "event": event, "conflict": conflict},
    )


def _rsvp_panel_context(
    request,
    school: School,
    event: Event,
    *,
    rsvp: Rsvp | None,
    position: int | None,
    form=None,
    done_message: str = "",
) -> dict:
    """What the family's RSVP panel shows, and the panel itself (`rsvp_panel`, written by
    engagement.rsvp_html): the fields of `form` (as posted, with its errors) or, for a family,
    of the form filled in from their RSVP."""
    is_family = is_family_at(request.user, school)
    rsvp_fields = ""
    if event.status != EventStatus.CANCELLED and event.rsvp_open:
        waitlist = not (rsvp and rsvp.status == RsvpStatus.GOING)
        if form is not None:
            rsvp_fields = form.fields_html(waitlist=waitlist)
        elif is_family:
            rsvp_fields = RsvpForm.unbound_fields_html(
                event=event,
                initial=RsvpForm.initial_for(rsvp)
                if rsvp and rsvp.status != RsvpStatus.CANCELLED
                else None,
                waitlist=waitlist,
            )
    # Asked only where the panel shows it: the feedback link of an event that has ended.
    attended = bool(
        rsvp
        and event.status != EventStatus.CANCELLED
        and not event.rsvp_open
        and event.has_ended
        and CheckIn.objects.filter(rsvp=rsvp).exists()
    )
    panel = ""
    if is_family:
        panel = rsvp_html.panel(
            school=school,
            event=event,
            rsvp=rsvp,
            position=position,
            form=form,
            rsvp_fields=rsvp_fields,
            attended=attended,
            # Drawn only where the panel has a form (as `{% csrf_token %}` was).
            csrf_token=SimpleLazyObject(lambda: page_csrf_token(request)),
            done_message=done_message,
        )
    return {
        "school": school,
        "event": event,
        "rsvp": rsvp,
        "position": position,
        "form": form,
        "rsvp_panel": panel,
    }


def _event_context(
    request, school: School, event: Event, form=None, done_message: str = ""
) -> dict:
    user = request.user
    language = _language(request)
    rsvp = selectors.my_rsvp(user=user, event=event) if is_family_at(user, school) else None
    context = _rsvp_panel_context(
        request,
        school,
        event,
        rsvp=rsvp,
        position=selectors.waitlist_position(rsvp) if rsvp else None,
        form=form,
        done_message=done_message,
    )
    context.update(
        {
            "text": event.text(language),
            "language": language,
            "is_family": is_family_at(user, school),
            "can_manage": can_manage_events(user, school),
            "can_door": can_run_door(user, school),
            "summary": selectors.needs_summary(event=event)
            if can_see_drafts(user, school)
            else None,
        }
    )
    return context


@login_required
@require_safe
@school_view()
def event_detail(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    return render(request, "engagement/event_detail.html", _event_context(request, school, event))


@login_required
@require_POST
@school_view(can_manage_events)
def event_publish(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    try:
        services.event_publish(event=event, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event is published: families of the school can see it."))
    return redirect(event.get_absolute_url())


@login_required
@require_POST
@school_view(can_manage_events)
def event_cancel(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    try:
        services.event_cancel(event=event, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event is cancelled; every family that RSVP'd is told."))
    return redirect(event.get_absolute_url())


# --- RSVP (family, signed in) ---------------------------------------------------------


def _rsvp_done_message(rsvp: Rsvp, position: int | None = None) -> str:
    if rsvp.status == RsvpStatus.GOING:
        return _("You are going. We look forward to seeing you!")
    if position is None:
        position = selectors.waitlist_position(rsvp)
    return WAITLISTED % {"position": position}


@login_required
@require_POST
@school_view(is_family_at)
def rsvp_submit(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    # load_in_school(request, selectors.rsvp_events, "school", pk=pk), its SQL compiled once.
    event = selectors.rsvp_event(user=request.user, school=school, pk=pk)
    if event is None:
        raise Http404
    form = RsvpForm(request.POST, event=event)
    if form.is_valid():
        try:
            rsvp = services.rsvp_submit(event=event, family=request.user, **form.rsvp_fields())
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            if is_partial(request):
                # The panel from what is in hand: the event as posted to (its school and
                # district with it) and the RSVP just written, not read again.
                position = selectors.waitlist_position(rsvp)
                context = _rsvp_panel_context(
                    request,
                    school,
                    event,
                    rsvp=rsvp,
                    position=position,
                    done_message=_rsvp_done_message(rsvp, position),
                )
                return HttpResponse(context["rsvp_panel"])
            messages.success(request, _rsvp_done_message(rsvp))
            return redirect(event.get_absolute_url() + "#my-rsvp")
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    context = _event_context(request, school, event, form=form)
    if is_partial(request):
        return HttpResponse(context["rsvp_panel"])
    return render(request, "engagement/event_detail.html", context)


def _rsvp_panel(request, school: School, pk: int, *, done: str) -> HttpResponse:
    """The family's RSVP panel after a change, the confirmation in it taking the focus (a
    screen reader hears it; a keyboard goes on from there, not from the top of the page)."""
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    return HttpResponse(_event_context(request, school, event, done_message=done)["rsvp_panel"])


@login_required
@require_POST
@school_view(is_family_at)
def rsvp_cancel(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    rsvp = selectors.my_rsvp(user=request.user, event=event)
    if rsvp is None:
        raise Http404
    try:
        services.rsvp_cancel(rsvp=rsvp, actor=request.user)
    except ValidationError as error:
        if is_partial(request):
            return _rsvp_panel(request, school, pk, done=" ".join(error.messages))
        messages.error(request, " ".join(error.messages))
    else:
        if is_partial(request):
            return _rsvp_panel(request, school, pk, done=_("Your RSVP is cancelled."))
        messages.success(request, _("Your RSVP is cancelled."))
    return redirect(event.get_absolute_url() + "#my-rsvp")


# --- RSVP by signed link (no sign-in) -------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def rsvp_link(request: HttpRequest, token: str) -> HttpResponse:
    """One RSVP, opened from the link in an e-mail. The link changes that RSVP only and signs
    nobody in; a tampered or expired link gets a page that says so and changes nothing."""
    ids = tokens.read_rsvp_token(token)
    rsvp = (
        Rsvp.objects.select_related("event__school__district", "family")
        .prefetch_related("event__translations")
        .filter(pk=ids[0], family_id=ids[1])
        .first()
        if ids
        else None
    )
    if rsvp is None:
        return render(request, "engagement/rsvp_link_invalid.html", status=400)
    event, family = rsvp.event, rsvp.family
    language = family.preferred_language or event.school.default_language
    request.LANGUAGE_CODE = language
    form = None
    with translation.override(language), clock.override(event.school):
        if request.method == "POST":
            action = request.POST.get("action", "update")
            try:
                if action == "cancel":
                    rsvp = services.rsvp_cancel(rsvp=rsvp, actor=family)
                    messages.success(request, _("Your RSVP is cancelled."))
                    return redirect(request.path)
                form = RsvpForm(request.POST, event=event)
                if form.is_valid():
                    rsvp = services.rsvp_submit(event=event, family=family, **form.rsvp_fields())
                    messages.success(request, _rsvp_done_message(rsvp))
                    return redirect(request.path)
            except ValidationError as error:
                if form is None:
                    messages.error(request, " ".join(error.messages))
                else:
                    _apply_form_errors(form, error)
            rsvp.refresh_from_db()
        if form is None:
            form = RsvpForm(event=event, initial=RsvpForm.initial_for(rsvp))
        response = render(
            request,
            "engagement/rsvp_link.html",
            {
                "rsvp": rsvp,
                "event": event,
                "school": event.school,
                "text": event.text(language),
                "form": form,
                "position": selectors.waitlist_position(rsvp),
            },
        )
    # The token never leaves the site in a Referer; "no-referrer" also made Chromium send
    # "Origin: null" with the RSVP form, which CSRF protection refused (403).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


# --- calendars ------------------------------------------------------------------------


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
@school_view()
def event_ics(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    language = _language(request)
    text = event.text(language)
    name = slugify(text.title if text else "event")[:60] or "event"
    return _ics_response(calendar.event_ics(event, language=language), f"{name}.ics")


def feed_url(request: HttpRequest, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(
        reverse("engagement:school_feed", kwargs={"token": feed.token})
    )


def school_feed_of(school: School) -> CalendarFeed:
    return services.calendar_feeds_for(school_ids=[school.pk])[school.pk]


@require_safe
def school_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A school's published events, for calendar apps that cannot sign in. The URL carries the
    random token of the school's link, or of a family's own link (which answers only while it
    is a family of the school); a replaced token answers 404 at once."""
    feed = (
        CalendarFeed.objects.select_related("school__district", "person")
        .filter(token=token)
        .first()
    )
    if feed is None or (feed.person is not None and not is_family_at(feed.person, feed.school)):
        raise Http404
    school = feed.school
    language = (
        request.GET.get("lang")
        or (feed.person.preferred_language if feed.person else "")
        or school.default_language
    )
    if language not in dict(settings.LANGUAGES):
        language = school.default_language
    events = selectors.feed_events(school=school)
    body = calendar.school_feed_ics(school, events, language=language)
    response = _ics_response(body, f"{school.slug}.ics")
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
@school_view(can_rotate_calendar_link)
def calendar_feed_rotate(request: HttpRequest, school: School) -> HttpResponse:
    services.calendar_feed_rotate(school=school, actor=request.user)
    messages.success(
        request,
        _(
            "The school's calendar link was replaced: the old link no longer works. "
            "Give the new one to the people who should have it."
        ),
    )
    return redirect(school)


@login_required
@require_POST
@school_view(is_family_at)
def my_calendar_feed_rotate(request: HttpRequest, school: School) -> HttpResponse:
    services.calendar_feed_rotate(school=school, actor=request.user, person=request.user)
    messages.success(
        request,
        _(
            "Your calendar link for %(school)s was replaced: the old link no longer works. "
            "Subscribe again with the new one."
        )
        % {"school": school.name},
    )
    return redirect("engagement:family_home")


# --- staff: RSVPs, export, the door ---------------------------------------------------


@login_required
@require_safe
@school_view(can_see_rsvps)
def rsvp_list(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    return render(
        request,
        "engagement/rsvp_list.html",
        {
            "school": school,
            "event": event,
            "text": event.text(_language(request)),
            "rsvps": selectors.event_rsvps(user=request.user, event=event),
            "summary": selectors.needs_summary(event=event),
            "attendance": selectors.attendance(event=event),
            "feedback": selectors.feedback_summary(event=event),
        },
    )


@login_required
@require_safe
@school_view(can_see_rsvps)
def rsvp_csv(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rsvps-{event.pk}.csv"'
    writer = csv_writer(response)
    writer.writerow(
        [
            _("Name"),
            _("E-mail"),
            _("Status"),
            _("Adults"),
            _("Children"),
            _("Interpretation"),
            _("Childcare"),
            _("Accessibility needs"),
            _("Checked in"),
        ]
    )
    for rsvp in selectors.event_rsvps(user=request.user, event=event):
        checked = _checked_in(rsvp)
        writer.writerow(
            [
                rsvp.family.full_name,
                rsvp.family.email,
                rsvp.get_status_display(),
                rsvp.adults,
                rsvp.children,
                language_name(rsvp.interpretation_language),
                rsvp.childcare_count,
                rsvp.accessibility_needs,
                _("yes") if checked else "",
            ]
        )
    return response


def _checked_in(rsvp: Rsvp) -> bool:
    try:
        return rsvp.check_in is not None
    except CheckIn.DoesNotExist:
        return False


@login_required
@require_safe
@vary_on_headers("HX-Request")
@school_view(can_run_door)
def check_in(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    return _door(request, school, event, walk_in_form=WalkInForm())


def _door(request, school, event, *, walk_in_form, status_message="", partial=None):
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    context = {
        "school": school,
        "event": event,
        "text": event.text(_language(request)),
        "query": query,
        "results": selectors.rsvp_search(user=request.user, event=event, query=query)[:50],
        "attendance": selectors.attendance(event=event),
        "walk_in_form": walk_in_form,
        "status_message": status_message,
    }
    template = "engagement/check_in.html"
    if is_partial(request):
        template += f"#{partial or 'door'}"
    return render(request, template, context)


@login_required
@require_POST
@school_view(can_run_door)
def check_in_mark(request: HtmxHttpRequest, school: School, pk: int, rsvp_pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    rsvp = get_object_or_404(Rsvp.objects.select_related("family"), pk=rsvp_pk, event=event)
    try:
        services.check_in_rsvp(rsvp=rsvp, actor=request.user)
        message = _("%(name)s is checked in.") % {"name": rsvp.family}
    except ValidationError as error:
        message = " ".join(error.messages)
    if not is_partial(request):
        messages.info(request, message)
        return redirect(
            reverse("engagement:check_in", kwargs={"slug": school.slug, "pk": event.pk})
        )
    return _door(request, school, event, walk_in_form=WalkInForm(), status_message=message)


@login_required
@require_POST
@school_view(can_run_door)
def walk_in(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    form = WalkInForm(request.POST)
    message = ""
    if form.is_valid():
        try:
            services.check_in_walk_in(event=event, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            message = _("%(name)s is added as a walk-in.") % {"name": form.cleaned_data["name"]}
            if not is_partial(request):
                messages.info(request, message)
                return redirect(
                    reverse("engagement:check_in", kwargs={"slug": school.slug, "pk": event.pk})
                )
            form = WalkInForm()
    return _door(request, school, event, walk_in_form=form, status_message=message)


# --- feedback -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(is_family_at)
def feedback(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    event = load_in_school(request, selectors.school_events, "school", pk=pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(event=event, family=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(event.get_absolute_url())
    return render(
        request,
        "engagement/feedback.html",
        {"school": school, "event": event, "text": event.text(_language(request)), "form": form},
    )
