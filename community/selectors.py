"""Reads of the community app, each scoped to the person asking."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from statistics import median

from django.db.models import Count, Prefetch, Q, QuerySet, Window, prefetch_related_objects
from django.utils import timezone

from engagement.models import Event, EventStatus
from leadership import clock
from leadership.models import Membership, Role, School
from leadership.prepared import Prepared

from .models import (
    Announcement,
    Announcer,
    Conversation,
    ConversationStatus,
    HelpRequest,
    HelpStatus,
    Message,
    Partner,
    Topic,
)
from .permissions import (
    can_announce,
    can_use_inbox,
    is_coordinator,
    is_family_at,
    is_ilt_family_rep,
)


def visible_conversations(*, user, school: School) -> QuerySet[Conversation]:
    """Every conversation of the school for its staff; a family's own for the family; else
    none (so another family's conversation is not found, and says nothing about itself)."""
    rows = Conversation.objects.select_related("school__district", "family", "assigned_to")
    if can_use_inbox(user, school):
        return rows.filter(school=school)
    if is_ilt_family_rep(user, school):
        return rows.filter(Q(family=user) | Q(topic=Topic.ILT), school=school)
    if is_family_at(user, school):
        return rows.filter(school=school, family=user)
    return Conversation.objects.none()


def ilt_conversations(*, user, school: School) -> QuerySet[Conversation]:
    """The conversations families address to the family representatives on the ILT, for
    those representatives (other than their own)."""
    if not is_ilt_family_rep(user, school):
        return Conversation.objects.none()
    return (
        Conversation.objects.filter(school=school, topic=Topic.ILT)
        .exclude(family=user)
        .select_related("school", "family")
        .order_by("status", "-last_message_at", "-id")
    )


def family_conversations(*, user, school: School) -> QuerySet[Conversation]:
    if not is_family_at(user, school):
        return Conversation.objects.none()
    return (
        Conversation.objects.filter(school=school, family=user)
        .select_related("school")
        .order_by("-last_message_at", "-id")
    )


# What a row of the inbox shows: the people's names, not their accounts.
INBOX_FIELDS = (
    "school_id",
    "topic",
    "subject",
    "status",
    "created_at",
    "last_message_at",
    "family__full_name",
    "family__email",
    "assigned_to__full_name",
    "assigned_to__email",
)


def inbox(*, user, school: School, status: str | None = None) -> QuerySet[Conversation]:
    """The school's conversations for its staff, the ones that owe an answer first, oldest
    waiting first; with the family and who is answering (one query). The school is the one
    asked for, so it is not read again with every row."""
    if not can_use_inbox(user, school):
        return Conversation.objects.none()
    rows = _school_inbox(school.pk, status)
    return rows.select_related("family", "assigned_to").only(*INBOX_FIELDS)


def _school_inbox(school_id: int, status: str | None) -> QuerySet[Conversation]:
    """The school's inbox, whoever asks: its conversations in the inbox's order."""
    rows = Conversation.objects.filter(school_id=school_id)
    # No status asked for: what is not closed yet.
    rows = rows.filter(status=status) if status else rows.exclude(status=ConversationStatus.CLOSED)
    return rows.order_by("status", "last_message_at", "id")


INBOX_PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class InboxRow:
    """What a row of the inbox shows of a conversation: the people by name, not their
    accounts (a name is the person's full name, or their e-mail address without one)."""

    pk: int
    topic: str
    subject: str
    status: str
    created_at: datetime
    family_name: str
    answerer_name: str | None  # None: nobody answers yet


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    number: int
    pages: int


# A row's columns, the whole list's count beside each (a window over the filtered rows).
_INBOX_ROW_COLUMNS = (
    "pk",
    "topic",
    "subject",
    "status",
    "created_at",
    "family__full_name",
    "family__email",
    "assigned_to_id",
    "assigned_to__full_name",
    "assigned_to__email",
    "total",
)


def _inbox_values(school_id: int, status: str | None) -> QuerySet:
    """The school's inbox as tuples of `_INBOX_ROW_COLUMNS`, unsliced."""
    rows = _school_inbox(school_id, status).annotate(total=Window(Count("id")))
    return rows.values_list(*_INBOX_ROW_COLUMNS)


# The page's read runs on every visit to an inbox, and the ORM spent more CPU compiling it
# (two joins, a window, the order) than PostgreSQL spends answering. So it is compiled once
# (leadership.prepared): for a status and for none, each page's LIMIT and OFFSET written per
# call. What is kept is SQL, never rows: every read sees the database as it is.
_INBOX_PAGE = Prepared(lambda school, status: _inbox_values(school, status))


def _inbox_rows(school_id: int, status: str | None, number: int, size: int) -> list:
    """Page `number` of the school's inbox as rows of `_INBOX_ROW_COLUMNS`."""
    return _INBOX_PAGE.rows(
        limit=size, offset=(number - 1) * size, school=school_id, status=status or None
    )


def _inbox_row(values) -> InboxRow:
    pk, topic, subject, status, created_at, family, family_email, answerer_id = values[:8]
    answerer, answerer_email = values[8:10]
    return InboxRow(
        pk=pk,
        topic=topic,
        subject=subject,
        status=status,
        created_at=created_at,
        # As User.get_full_name() gives it.
        family_name=family or family_email,
        answerer_name=(answerer or answerer_email) if answerer_id is not None else None,
    )


def inbox_page(
    *, user, school: School, status: str | None = None, number: int = 1, size: int = INBOX_PAGE_SIZE
) -> InboxPage:
    """Page `number` of `inbox` and how many pages there are, in the same one query: the
    database counts the whole list beside each row of the page. A page past the end (an old
    link, a list grown shorter) is the last page, at the cost of a count and a second read."""
    if not can_use_inbox(user, school):
        return InboxPage(rows=[], number=1, pages=1)
    found = _inbox_rows(school.pk, status, number, size)
    if found:
        total = found[0][-1]
    elif number > 1:
        total = _school_inbox(school.pk, status).count()
        number = max(1, ceil(total / size))
        found = _inbox_rows(school.pk, status, number, size)
    else:
        total = 0
    return InboxPage(
        rows=[_inbox_row(values) for values in found],
        number=number,
        pages=max(1, ceil(total / size)),
    )


def thread_messages(*, conversation: Conversation) -> list[Message]:
    """The messages of one conversation with their authors and files (two queries)."""
    return list(
        conversation.messages.select_related("author").prefetch_related(Prefetch("attachments"))
    )


@dataclass(frozen=True)
class MonthTimes:
    month: object  # the first day of the month, in the district's zone
    conversations: int
    answered: int
    median_hours: float | None
    slowest_hours: float | None


def response_times(*, school: School, months: int = 12) -> list[MonthTimes]:
    """Per month of the last `months` (by when the family wrote, in the district's zone): how
    many conversations began, how many have an answer, and the median and slowest time to the
    school's first answer, in hours. One query."""
    zone = clock.zone_of(school.district)
    now = clock.now_in(school.district)
    since = now - timedelta(days=31 * months)
    rows = Conversation.objects.filter(school=school, created_at__gte=since).values_list(
        "created_at", "first_reply_at"
    )
    by_month: dict = defaultdict(list)
    counts: dict = defaultdict(int)
    for created_at, first_reply_at in rows:
        month = created_at.astimezone(zone).date().replace(day=1)
        counts[month] += 1
        if first_reply_at is not None:
            by_month[month].append((first_reply_at - created_at).total_seconds() / 3600)
    result = []
    for month in sorted(counts, reverse=True):
        hours = by_month.get(month, [])
        result.append(
            MonthTimes(
                month=month,
                conversations=counts[month],
                answered=len(hours),
                median_hours=round(median(hours), 1) if hours else None,
                slowest_hours=round(max(hours), 1) if hours else None,
            )
        )
    return result


# --- announcements --------------------------------------------------------------------


def sent_announcements(*, user, school: School) -> QuerySet[Announcement]:
    """The school's announcements, newest first, with how many each went to, how many were
    e-mailed and how many people opened it (one query, and one for the texts)."""
    if not can_announce(user, school):
        return Announcement.objects.none()
    return (
        Announcement.objects.filter(school=school)
        .select_related("school", "author")
        .prefetch_related("texts")
        .annotate(
            recipients=Count("deliveries"),
            emailed=Count("deliveries", filter=Q(deliveries__emailed_at__isnull=False)),
            opened=Count("deliveries", filter=Q(deliveries__opened_at__isnull=False)),
        )
    )


def announcement_for(*, user, school: School) -> QuerySet[Announcement]:
    """What `load_in_school` finds: every announcement for those who write them, else only
    the ones sent to this person."""
    rows = Announcement.objects.select_related("school__district", "author", "event")
    rows = rows.prefetch_related("texts")
    if can_announce(user, school):
        return rows.filter(school=school)
    return rows.filter(school=school, deliveries__person=user.pk)


FAMILY_PAGE_DAYS = 60
FAMILY_PAGE_MOST = 5


# Every family page reads them: compiled once (leadership.prepared).
_RECENT_ANNOUNCEMENTS = Prepared(
    lambda person, since: Announcement.objects.filter(
        deliveries__person=person, sent_at__gte=since
    ).order_by("-sent_at", "-id")
)


def recent_announcements(*, user, request=None) -> dict[int, list[Announcement]]:
    """The announcements sent to this person in the last 60 days, by school id, newest
    first (two queries, once per request). Their school is not read: the caller has it in
    hand and sets it (see community_tags)."""
    cached = getattr(request, "_accord_announcements", None) if request is not None else None
    if cached is not None:
        return cached
    since = timezone.now() - timedelta(days=FAMILY_PAGE_DAYS)
    rows = _RECENT_ANNOUNCEMENTS.rows(person=user.pk, since=since)
    prefetch_related_objects(rows, "texts")
    by_school: dict[int, list[Announcement]] = defaultdict(list)
    for row in rows:
        if len(by_school[row.school_id]) < FAMILY_PAGE_MOST:
            by_school[row.school_id].append(row)
    if request is not None:
        request._accord_announcements = by_school
    return by_school


def announcer_choices(*, school: School):
    """The school's staff other than principals, and who among them may write now."""
    return staff_choices(school=school, model=Announcer)


# --- partners and requests for help ---------------------------------------------------


def directory(*, school: School, kind: str = "", cost: str = "", language: str = "") -> list:
    """The partners families of the school see: the school's and the district's, active, with
    their texts, kinds of help and co-hosted events (four queries whatever their number),
    filtered by kind of help, cost and a language their staff speak."""
    rows = (
        Partner.objects.filter(district_id=school.district_id, is_active=True)
        .filter(Q(school=school) | Q(school__isnull=True))
        .prefetch_related(
            "texts",
            "services",
            Prefetch(
                "events",
                queryset=Event.objects.filter(
                    status=EventStatus.PUBLISHED, ends_at__gt=timezone.now()
                )
                .select_related("school")
                .prefetch_related("translations"),
            ),
        )
        .order_by("name", "id")
    )
    if kind:
        rows = rows.filter(services__kind=kind)
    if cost:
        rows = rows.filter(cost=cost)
    partners = list(rows)
    if language:
        # A JSON list: filtered here, the same way on PostgreSQL and SQLite.
        partners = [p for p in partners if language in (p.languages or [])]
    return partners


def help_inbox(*, user, school: School, status: str = "") -> QuerySet[HelpRequest]:
    """The school's requests for help, for its coordinators only; open ones first."""
    if not is_coordinator(user, school):
        return HelpRequest.objects.none()
    rows = HelpRequest.objects.filter(school=school).select_related(
        "school", "family", "partner", "handled_by"
    )
    rows = rows.filter(status=status) if status else rows.exclude(status=HelpStatus.CLOSED)
    return rows.order_by("created_at", "id")


def visible_help_requests(*, user, school: School) -> QuerySet[HelpRequest]:
    rows = HelpRequest.objects.select_related("school__district", "family", "partner")
    if is_coordinator(user, school):
        return rows.filter(school=school)
    return rows.filter(school=school, family=user.pk)


def my_help_requests(*, user, school: School) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(school=school, family=user.pk).select_related("school")


def staff_choices(*, school: School, model) -> tuple[list, set]:
    """The school's staff other than principals, and those of them holding `model`'s grant."""
    members = (
        Membership.objects.active()
        .filter(school=school, role__in=[Role.TEACHER_LEADER, Role.STAFF])
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    staff = list({m.user_id: m.user for m in members}.values())
    holders = set(model.objects.filter(school=school).values_list("user_id", flat=True))
    return staff, holders
