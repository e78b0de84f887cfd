"""Reads of the community app, each scoped to the person asking."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.db.models import Count, Prefetch, QuerySet

from leadership import clock
from leadership.models import School

from .models import Conversation, ConversationStatus, Message
from .permissions import can_use_inbox, is_family_at


def visible_conversations(*, user, school: School) -> QuerySet[Conversation]:
    """Every conversation of the school for its staff; a family's own for the family; else
    none (so another family's conversation is not found, and says nothing about itself)."""
    rows = Conversation.objects.select_related("school__district", "family", "assigned_to")
    if can_use_inbox(user, school):
        return rows.filter(school=school)
    if is_family_at(user, school):
        return rows.filter(school=school, family=user)
    return Conversation.objects.none()


def family_conversations(*, user, school: School) -> QuerySet[Conversation]:
    if not is_family_at(user, school):
        return Conversation.objects.none()
    return (
        Conversation.objects.filter(school=school, family=user)
        .select_related("school")
        .order_by("-last_message_at", "-id")
    )


def inbox(*, user, school: School, status: str | None = None) -> QuerySet[Conversation]:
    """The school's conversations for its staff, the ones that owe an answer first, oldest
    waiting first; with who is answering and how many messages each holds (one query)."""
    if not can_use_inbox(user, school):
        return Conversation.objects.none()
    rows = (
        Conversation.objects.filter(school=school)
        .select_related("school", "family", "assigned_to")
        .annotate(message_count=Count("messages"))
    )
    # No status asked for: what is not closed yet.
    rows = rows.filter(status=status) if status else rows.exclude(status=ConversationStatus.CLOSED)
    return rows.order_by("status", "last_message_at", "id")


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
