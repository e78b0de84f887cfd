"""Background work of the engagement app: reminders, waitlist and cancellation notices, surveys.

Each e-mail is sent at most once per (RSVP, kind): the task inserts a SentMessage row (unique
per RSVP and kind) in the same transaction that sends, so a retry or a duplicate delivery finds
the row and does nothing, and a failed send rolls the row back so a retry can try again.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from leadership import clock, outbox

from . import tokens
from .models import CheckIn, EventStatus, MessageKind, Rsvp, RsvpStatus, SentMessage

SEND = "engagement.tasks.send_rsvp_message"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def reminder_hours() -> int:
    return int(getattr(settings, "ENGAGEMENT_REMINDER_HOURS", 48))


def _still_due(rsvp: Rsvp, kind: str) -> bool:
    event = rsvp.event
    if kind == MessageKind.REMINDER:
        return (
            rsvp.status == RsvpStatus.GOING
            and event.status == EventStatus.PUBLISHED
            and event.starts_at > timezone.now()
        )
    if kind == MessageKind.PROMOTED:
        return rsvp.status == RsvpStatus.GOING and event.status == EventStatus.PUBLISHED
    if kind == MessageKind.CANCELLED:
        return event.status == EventStatus.CANCELLED
    if kind == MessageKind.FEEDBACK:
        return event.has_ended and CheckIn.objects.filter(rsvp=rsvp).exists()
    return False


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_rsvp_message(self, rsvp_id: int, kind: str) -> bool:
    """E-mail one family about its RSVP, in its language; at most once per RSVP and kind."""
    with transaction.atomic():
        rsvp = (
            Rsvp.objects.select_related("event__school__district", "family")
            .prefetch_related("event__translations")
            .filter(pk=rsvp_id)
            .first()
        )
        if rsvp is None or kind not in MessageKind.values or not _still_due(rsvp, kind):
            return False
        try:
            with transaction.atomic():
                SentMessage.objects.create(rsvp=rsvp, kind=kind)
        except IntegrityError:
            return False
        event = rsvp.event
        language = rsvp.family.preferred_language or event.school.default_language
        with translation.override(language), clock.override(event.school):
            context = {
                "rsvp": rsvp,
                "event": event,
                "text": event.text(language),
                "kind": kind,
                "rsvp_link": site_url(
                    reverse("engagement:rsvp_link", kwargs={"token": tokens.make_rsvp_token(rsvp)})
                ),
                "event_link": site_url(event.get_absolute_url()),
                "feedback_link": site_url(
                    reverse(
                        "engagement:feedback",
                        kwargs={"slug": event.school.slug, "pk": event.pk},
                    )
                ),
            }
            subject = render_to_string("engagement/email/subject.txt", context).strip()
            body = render_to_string("engagement/email/message.txt", context)
            html = render_to_string("engagement/email/message.html", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=body,
            to=[rsvp.family.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(html, "text/html")
        message.send()
    return True


@shared_task
def queue_due_messages() -> int:
    """Beat task: queue a reminder for every RSVP going to an event that starts within
    ENGAGEMENT_REMINDER_HOURS, and a survey for every family that came to an event that
    ended in the last week. Queuing twice is harmless: the send task sends once."""
    now = timezone.now()
    reminders = (
        Rsvp.objects.filter(
            status=RsvpStatus.GOING,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + timedelta(hours=reminder_hours()),
        )
        .exclude(messages__kind=MessageKind.REMINDER)
        .values_list("pk", flat=True)
    )
    surveys = (
        Rsvp.objects.filter(
            check_in__isnull=False,
            event__ends_at__lte=now,
            event__ends_at__gt=now - timedelta(days=7),
        )
        .exclude(messages__kind=MessageKind.FEEDBACK)
        .values_list("pk", flat=True)
    )
    queued = 0
    for pk in reminders:
        outbox.enqueue(SEND, pk, MessageKind.REMINDER.value)
        queued += 1
    for pk in surveys:
        outbox.enqueue(SEND, pk, MessageKind.FEEDBACK.value)
        queued += 1
    return queued
