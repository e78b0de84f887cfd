"""Pages of the community app: a family's messages to its school, the school's inbox, the
conversation itself (signed in, or from the e-mailed link), and response times."""

from __future__ import annotations

import mimetypes
import os
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from engagement import selectors as engagement_selectors
from engagement.models import EventStatus
from leadership import clock, edits
from leadership.htmx import HtmxHttpRequest
from leadership.htmx import apply_form_errors as _apply_form_errors
from leadership.models import School
from leadership.permissions import is_district_admin, load_in_school, school_view
from leadership.uploads import refused_uploads, upload_limit

from . import inbox_html, selectors, services, tokens
from .forms import (
    AnnouncementForm,
    AnnouncerForm,
    ConversationForm,
    CoordinatorForm,
    DirectoryFilterForm,
    HelpRequestForm,
    HelpStatusForm,
    PartnerForm,
    ReplyForm,
)
from .models import (
    Attachment,
    Conversation,
    ConversationStatus,
    Coordinator,
    HelpStatus,
    Partner,
)
from .permissions import (
    can_announce,
    can_choose_announcers,
    can_choose_coordinators,
    can_manage_partners,
    can_see_directory,
    can_see_response_times,
    can_use_inbox,
    can_write_to_school,
    is_coordinator,
)


def _files(request) -> list:
    return request.FILES.getlist("files") if request.method == "POST" else []


def _bound(form_class, request):
    posted = request.method == "POST"
    return form_class(
        request.POST if posted else None,
        request.FILES if posted else None,
        refused=refused_uploads(request) if posted else (),
    )


def _thread_context(conversation: Conversation, *, file_url) -> dict:
    thread = selectors.thread_messages(conversation=conversation)
    for message in thread:
        for attachment in message.attachments.all():
            attachment.url = file_url(attachment)
    return {"conversation": conversation, "school": conversation.school, "thread": thread}


# --- a family's messages --------------------------------------------------------------


@upload_limit("message_file")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_write_to_school)
def conversation_list(request: HtmxHttpRequest, school: School) -> HttpResponse:
    """A family's conversations with the school, and the form to start one."""
    form = _bound(ConversationForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_start(
                actor=request.user,
                school=school,
                topic=form.cleaned_data["topic"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("Your message was sent. The school will answer here."))
            return redirect(conversation.get_absolute_url())
    return render(
        request,
        "community/conversation_list.html",
        {
            "school": school,
            "form": form,
            "conversations": selectors.family_conversations(user=request.user, school=school),
            "for_reps": selectors.ilt_conversations(user=request.user, school=school),
        },
    )


def _file_url_for(school: School):
    return lambda attachment: reverse(
        "community:attachment_download", kwargs={"slug": school.slug, "pk": attachment.pk}
    )


@upload_limit("message_file")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def conversation_detail(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """The conversation, for its family and the school's staff; the answer form below it."""
    conversation = load_in_school(request, selectors.visible_conversations, "school", pk=pk)
    form = _bound(ReplyForm, request)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_reply(
                actor=request.user,
                conversation=conversation,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("Your answer was sent."))
            return redirect(conversation.get_absolute_url() + "#answer")
    context = _thread_context(conversation, file_url=_file_url_for(school))
    context |= {
        "form": form,
        "is_staff_view": can_use_inbox(request.user, school),
        "back_url": reverse(
            "community:inbox"
            if can_use_inbox(request.user, school)
            else "community:conversation_list",
            kwargs={"slug": school.slug},
        ),
        "close_url": reverse(
            "community:conversation_close", kwargs={"slug": school.slug, "pk": conversation.pk}
        ),
    }
    return render(request, "community/conversation_detail.html", context)


@login_required
@require_POST
@school_view()
def conversation_close(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    conversation = load_in_school(request, selectors.visible_conversations, "school", pk=pk)
    try:
        services.conversation_close(actor=request.user, conversation=conversation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The conversation is closed."))
    return redirect(conversation.get_absolute_url())


def _file_response(attachment: Attachment) -> HttpResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(attachment.original_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
@school_view()
def attachment_download(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """A file of a conversation: served only here, to whoever may read the conversation."""
    conversations = selectors.visible_conversations(user=request.user, school=school)
    attachment = get_object_or_404(
        Attachment.objects.select_related("message"),
        pk=pk,
        message__conversation__in=conversations,
    )
    return _file_response(attachment)


# --- the school's inbox ---------------------------------------------------------------


# Beyond any inbox's last page (25 a page), and small enough for the database's OFFSET.
PAGE_CEILING = 10**6


def _page_number(request) -> int:
    """The page asked for in `?page=`; 1 when it is missing or not a whole number above 0.
    A number past the end shows the last page, however large it is."""
    try:
        return min(max(1, int(request.GET.get("page", "1"))), PAGE_CEILING)
    except ValueError:
        return 1


def _inbox_page_url(status: str, number: int) -> str:
    """The inbox's query string for page `number`, keeping the status shown."""
    query = {"status": status} if status else {}
    if number > 1:
        query["page"] = number
    return "?" + urlencode(query)


@login_required
@require_safe
@school_view(can_use_inbox)
def inbox(request: HtmxHttpRequest, school: School) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ConversationStatus.values:
        status = ""
    page = selectors.inbox_page(
        user=request.user, school=school, status=status or None, number=_page_number(request)
    )
    previous_url = _inbox_page_url(status, page.number - 1) if page.number > 1 else ""
    next_url = _inbox_page_url(status, page.number + 1) if page.number < page.pages else ""
    return render(
        request,
        "community/inbox.html",
        {
            "school": school,
            "conversations": page.rows,
            "page": page,
            "previous_url": previous_url,
            "next_url": next_url,
            "content": inbox_html.content(
                school=school,
                page=page,
                status=status,
                can_see_times=can_see_response_times(request.user, school),
                previous_url=previous_url,
                next_url=next_url,
            ),
        },
    )


@login_required
@require_safe
@school_view(can_see_response_times)
def response_times(request: HtmxHttpRequest, school: School) -> HttpResponse:
    return render(
        request,
        "community/response_times.html",
        {"school": school, "months": selectors.response_times(school=school)},
    )


# --- the conversation from the e-mailed link (no sign-in) ----------------------------


def _from_token(token: str) -> Conversation | None:
    ids = tokens.read_thread_token(token)
    if not ids:
        return None
    return (
        Conversation.objects.select_related("school__district", "family", "assigned_to")
        .filter(pk=ids[0], family_id=ids[1])
        .first()
    )


def _private(response: HttpResponse) -> HttpResponse:
    # The token never leaves the site in a Referer; "no-referrer" would also make the
    # browser send "Origin: null" with the answer form, which CSRF protection refuses.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@upload_limit("message_file")
@require_http_methods(["GET", "HEAD", "POST"])
def thread_link(request: HttpRequest, token: str) -> HttpResponse:
    """One conversation, opened by its family from the link in an e-mail: read it and answer.
    The link opens that conversation only and signs nobody in; a tampered or expired link
    gets a page that says so, in the language the reader chose, and changes nothing."""
    conversation = _from_token(token)
    if conversation is None:
        return _private(render(request, "community/thread_link_invalid.html", status=400))
    school, family = conversation.school, conversation.family
    language = family.preferred_language or school.default_language
    request.LANGUAGE_CODE = language
    with translation.override(language), clock.override(school):
        form = _bound(ReplyForm, request)
        if request.method == "POST" and form.is_valid():
            try:
                services.message_reply(
                    actor=family,
                    conversation=conversation,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                _apply_form_errors(form, error)
            else:
                messages.success(request, _("Your answer was sent."))
                return redirect(request.path + "#answer")
        context = _thread_context(
            conversation,
            file_url=lambda a: reverse(
                "community:thread_link_file", kwargs={"token": token, "pk": a.pk}
            ),
        )
        context |= {"form": form, "link_action": request.path, "by_link": True}
        return _private(render(request, "community/thread_link.html", context))


@require_safe
def thread_link_file(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    conversation = _from_token(token)
    if conversation is None:
        raise Http404
    attachment = get_object_or_404(Attachment, pk=pk, message__conversation=conversation)
    return _private(_file_response(attachment))


# --- announcements --------------------------------------------------------------------


@login_required
@require_safe
@school_view(can_announce)
def announcement_list(request: HtmxHttpRequest, school: School) -> HttpResponse:
    context = {
        "school": school,
        "announcements": selectors.sent_announcements(user=request.user, school=school),
        "language": translation.get_language(),
        "announcer_form": None,
    }
    if can_choose_announcers(request.user, school):
        staff, allowed = selectors.announcer_choices(school=school)
        context["announcer_form"] = AnnouncerForm(staff=staff)
        context["announcers"] = [member for member in staff if member.pk in allowed]
    return render(request, "community/announcement_list.html", context)


def _announcement_form(request, school: School) -> AnnouncementForm:
    return AnnouncementForm(
        request.POST if request.method == "POST" else None,
        school=school,
        events=_school_events_for_form(request, school),
        language=translation.get_language(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_announce)
def announcement_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    """Write an announcement in each of the school's languages and send it. Nothing is sent
    until every language has its text."""
    form = _announcement_form(request, school)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_send(
                actor=request.user,
                school=school,
                families=form.cleaned_data["families"],
                event=form.event_choice(),
                to_staff=form.cleaned_data["to_staff"],
                texts=form.texts(),
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            count = announcement.deliveries.count()
            messages.success(
                request,
                ngettext(
                    "The announcement is on its way to %(count)s person.",
                    "The announcement is on its way to %(count)s people.",
                    count,
                )
                % {"count": count},
            )
            return redirect(announcement.get_absolute_url())
    return render(request, "community/announcement_form.html", {"school": school, "form": form})


@login_required
@require_safe
@school_view()
def announcement_detail(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """For those who write announcements: the texts and how many were sent and opened. For a
    person it was sent to: the announcement in their language (counted as opened)."""
    announcement = load_in_school(request, selectors.announcement_for, "school", pk=pk)
    if can_announce(request.user, school):
        counts = selectors.sent_announcements(user=request.user, school=school).get(
            pk=announcement.pk
        )
        names = dict(settings.LANGUAGES)
        return render(
            request,
            "community/announcement_detail.html",
            {
                "school": school,
                "announcement": counts,
                "texts": [(names.get(t.language, t.language), t) for t in counts.texts.all()],
            },
        )
    services.announcement_open(announcement=announcement, person=request.user)
    return render(
        request,
        "community/announcement_read.html",
        {
            "school": school,
            "announcement": announcement,
            "text": announcement.text(translation.get_language()),
        },
    )


@login_required
@require_POST
@school_view(can_choose_announcers)
def announcers(request: HtmxHttpRequest, school: School) -> HttpResponse:
    staff, _allowed = selectors.announcer_choices(school=school)
    form = AnnouncerForm(request.POST, staff=staff)
    if form.is_valid():
        person = form.staff[form.cleaned_data["person"]]
        try:
            services.announcer_set(
                actor=request.user,
                school=school,
                person=person,
                allowed=form.cleaned_data["allowed"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                (
                    _("%(name)s may now write announcements.")
                    if form.cleaned_data["allowed"]
                    else _("%(name)s no longer writes announcements.")
                )
                % {"name": person.get_full_name()},
            )
    else:
        messages.error(request, _("Choose a staff member of the school."))
    return redirect(reverse("community:announcement_list", kwargs={"slug": school.slug}))


# --- community partners and requests for help -----------------------------------------


def _school_events_for_form(request, school: School) -> list:
    return [
        event
        for event in engagement_selectors.school_events(
            user=request.user, school=school, upcoming_only=True
        ).order_by("starts_at", "id")
        if event.status == EventStatus.PUBLISHED
    ]


@login_required
@require_safe
@school_view(can_see_directory)
def directory(request: HtmxHttpRequest, school: School) -> HttpResponse:
    """The partners and the help they give, in the reader's language, with filters."""
    filters = DirectoryFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    language = translation.get_language()
    partners = selectors.directory(
        school=school,
        kind=chosen.get("kind", ""),
        cost=chosen.get("cost", ""),
        language=chosen.get("language", ""),
    )
    names = dict(settings.LANGUAGES)
    for partner in partners:
        partner.shown = partner.text(language, school.default_language)
        partner.kinds = [service.get_kind_display() for service in partner.services.all()]
        partner.spoken = [str(names.get(code, code)) for code in partner.languages or []]
        if partner.other_languages:
            partner.spoken.append(partner.other_languages)
        partner.cohosts = [(event, event.text(language)) for event in partner.events.all()]
    context = {
        "school": school,
        "partners": partners,
        "filters": filters,
        "can_manage": can_manage_partners(request.user, school),
        "keeps_district": is_district_admin(request.user, school.district_id),
        "can_ask": can_write_to_school(request.user, school),
        "is_coordinator": is_coordinator(request.user, school),
        "coordinator_form": None,
    }
    if can_choose_coordinators(request.user, school):
        staff, holders = selectors.staff_choices(school=school, model=Coordinator)
        context["coordinator_form"] = CoordinatorForm(staff=staff)
        context["coordinators"] = [member for member in staff if member.pk in holders]
    return render(request, "community/directory.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_manage_partners)
def partner_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = PartnerForm(
        request.POST if request.method == "POST" else None,
        school=school,
        events=_school_events_for_form(request, school),
        language=translation.get_language(),
        district_admin=is_district_admin(request.user, school.district_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_create(
                actor=request.user,
                school=school,
                district_wide=form.cleaned_data.get("district_wide", False),
                texts=form.texts(),
                kinds=form.cleaned_data["kinds"],
                events=form.chosen_events(),
                **form.partner_fields(),
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The partner is in the directory."))
            return redirect(reverse("community:directory", kwargs={"slug": school.slug}))
    return render(request, "community/partner_form.html", {"school": school, "form": form})


def _kept_partner(school: School, pk: int) -> Partner:
    """An active partner shown at this school (its own, or the district's); else 404."""
    return get_object_or_404(
        Partner.objects.filter(district_id=school.district_id, is_active=True)
        .filter(Q(school=school) | Q(school__isnull=True))
        .prefetch_related("texts", "services", "events"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_manage_partners)
def partner_edit(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Change a partner, with the same keepers as adding one: a district-wide partner is the
    district admins' (403 for the school's keepers)."""
    partner = _kept_partner(school, pk)
    if partner.school_id is None and not is_district_admin(request.user, school.district_id):
        raise PermissionDenied
    offered = _school_events_for_form(request, school)
    initial = PartnerForm.initial_for(partner) | {"version": services.partner_version(partner)}
    form = PartnerForm(
        request.POST if request.method == "POST" else None,
        school=school,
        events=offered,
        language=translation.get_language(),
        district_admin=is_district_admin(request.user, school.district_id),
        partner=partner,
        initial=initial,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        # Co-hosted events the form does not offer (past ones) stay as they are.
        shown = {event.pk for event in offered}
        kept = [event for event in partner.events.all() if event.pk not in shown]
        try:
            services.partner_update(
                actor=request.user,
                school=school,
                partner=partner,
                texts=form.texts(),
                kinds=form.cleaned_data["kinds"],
                events=form.chosen_events() + kept,
                version=form.cleaned_data["version"],
                **form.partner_fields(),
            )
        except edits.StaleEdit as stale:
            saved = PartnerForm.initial_for(_kept_partner(school, pk))
            conflict = edits.show_conflict(form, stale, saved, place=school)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The partner was saved."))
            return redirect(reverse("community:directory", kwargs={"slug": school.slug}))
    return render(
        request,
        "community/partner_form.html",
        {"school": school, "form": form, "partner": partner, "conflict": conflict},
    )


@login_required
@require_POST
@school_view(can_manage_partners)
def partner_remove(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    partner = _kept_partner(school, pk)
    try:
        services.partner_remove(actor=request.user, school=school, partner=partner)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The partner is no longer in the directory."))
    return redirect(reverse("community:directory", kwargs={"slug": school.slug}))


@login_required
@require_POST
@school_view(can_choose_coordinators)
def coordinators(request: HtmxHttpRequest, school: School) -> HttpResponse:
    staff, _holders = selectors.staff_choices(school=school, model=Coordinator)
    form = CoordinatorForm(request.POST, staff=staff)
    if form.is_valid():
        person = form.staff[form.cleaned_data["person"]]
        allowed = form.cleaned_data["allowed"]
        try:
            services.coordinator_set(
                actor=request.user, school=school, person=person, allowed=allowed
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                (
                    _("%(name)s is now a community-school coordinator.")
                    if allowed
                    else _("%(name)s is no longer a community-school coordinator.")
                )
                % {"name": person.get_full_name()},
            )
    else:
        messages.error(request, _("Choose a staff member of the school."))
    return redirect(reverse("community:directory", kwargs={"slug": school.slug}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_write_to_school)
def help_request_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    """A family asks for help privately; its own requests and where they stand."""
    partners = selectors.directory(school=school)
    form = HelpRequestForm(
        request.POST if request.method == "POST" else None,
        partners=partners,
        initial={"kind": request.GET.get("kind"), "partner": request.GET.get("partner")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.help_request_create(
                actor=request.user,
                school=school,
                family=request.user,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                partner=form.chosen_partner(),
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent to the school's community-school coordinator, "
                    "and to nobody else. They will be in touch."
                ),
            )
            return redirect(reverse("community:help_request_create", kwargs={"slug": school.slug}))
    return render(
        request,
        "community/help_request_form.html",
        {
            "school": school,
            "form": form,
            "requests": selectors.my_help_requests(user=request.user, school=school),
        },
    )


@login_required
@require_safe
@school_view(is_coordinator)
def help_inbox(request: HtmxHttpRequest, school: School) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in HelpStatus.values:
        status = ""
    return render(
        request,
        "community/help_inbox.html",
        {
            "school": school,
            "requests": selectors.help_inbox(user=request.user, school=school, status=status),
            "status": status,
            "statuses": HelpStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def help_request_detail(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """A request for help: the family that asked sees where it stands; a coordinator moves it
    on. To anyone else it does not exist."""
    help_request = load_in_school(request, selectors.visible_help_requests, "school", pk=pk)
    coordinator = is_coordinator(request.user, school)
    form = HelpStatusForm(
        request.POST if request.method == "POST" else None,
        initial={"status": help_request.status},
    )
    if request.method == "POST":
        if not coordinator:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.help_request_update(
                    actor=request.user, request=help_request, status=form.cleaned_data["status"]
                )
            except ValidationError as error:
                _apply_form_errors(form, error)
            else:
                messages.success(request, _("The request is updated."))
                return redirect(help_request.get_absolute_url())
    return render(
        request,
        "community/help_request_detail.html",
        {
            "school": school,
            "help_request": help_request,
            "form": form if coordinator else None,
        },
    )
