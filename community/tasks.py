"""Background work of the community app: thin tasks that take ids and send one e-mail once."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from leadership import clock, outbox

from . import tokens
from .models import Announcement, Coordinator, Delivery, HelpRequest, Message


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def family_language(user, school) -> str:
    return user.preferred_language or school.default_language


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_reply_notice(self, message_id: int) -> bool:
    """Tell the family, in its language, that the school answered; with a link that opens the
    conversation without a password. Once per message, however often the task runs."""
    with transaction.atomic():
        message = (
            Message.objects.select_related("conversation__school__district", "conversation__family")
            .filter(pk=message_id, from_family=False)
            .first()
        )
        if message is None or not outbox.claim_send(f"community.reply:{message.pk}"):
            return False
        conversation = message.conversation
        school, family = conversation.school, conversation.family
        link = site_url(
            reverse(
                "community:thread_link",
                kwargs={"token": tokens.make_thread_token(conversation)},
            )
        )
        context = {"conversation": conversation, "school": school, "family": family, "link": link}
        with translation.override(family_language(family, school)), clock.override(school):
            subject = render_to_string("community/email/reply_subject.txt", context).strip()
            body = render_to_string("community/email/reply.txt", context)
        EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            to=[family.email],
            headers={"Auto-Submitted": "auto-generated"},
        ).send()
    return True


BATCH = 200
FAN_OUT = "community.tasks.announcement_fan_out"
SEND_BATCH = "community.tasks.send_announcement_batch"


@shared_task
def announcement_fan_out(announcement_id: int) -> int:
    """Split the announcement's unsent deliveries into batches, each its own task, queued
    through the outbox in one short transaction. Run again, it queues what is still unsent;
    a batch queued twice sends nothing twice (claim_send)."""
    ids = list(
        Delivery.objects.filter(announcement_id=announcement_id, emailed_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            outbox.enqueue(SEND_BATCH, announcement_id, ids[start : start + BATCH])
    return len(ids)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_announcement_batch(self, announcement_id: int, delivery_ids: list[int]) -> int:
    """E-mail each person of the batch, in their language, once: each e-mail is its own
    transaction, marked with claim_send, so a failure part way leaves the sent ones sent and
    the retry sends only the rest."""
    announcement = (
        Announcement.objects.select_related("school__district")
        .prefetch_related("texts")
        .filter(pk=announcement_id)
        .first()
    )
    if announcement is None:
        return 0
    school = announcement.school
    sent = 0
    for delivery_id in delivery_ids:
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(of=("self",))
                .select_related("person")
                .filter(pk=delivery_id, announcement=announcement, emailed_at__isnull=True)
                .first()
            )
            if delivery is None or not outbox.claim_send(f"community.announcement:{delivery.pk}"):
                continue
            person = delivery.person
            text = announcement.text(delivery.language)
            context = {
                "announcement": announcement,
                "school": school,
                "person": person,
                "text": text,
                "link": site_url(announcement.get_absolute_url()),
            }
            with translation.override(delivery.language), clock.override(school):
                subject = render_to_string("community/email/announcement_subject.txt", context)
                body = render_to_string("community/email/announcement.txt", context)
            EmailMessage(
                subject=" ".join(subject.split()),
                body=body,
                to=[person.email],
                headers={"Auto-Submitted": "auto-generated"},
            ).send()
            delivery.emailed_at = timezone.now()
            delivery.save(update_fields=["emailed_at"])
            sent += 1
    return sent


# A batch retries for about half an hour; what is unsent after this long is fanned out again.
RESUME_AFTER = timedelta(minutes=30)
RESUME_WITHIN = timedelta(days=3)


@shared_task
def resume_announcements() -> int:
    """Beat task: fan out again every recent announcement that still has people not e-mailed
    (a batch whose retries ran out while the mail server was down). Each person still gets it
    once: the batches skip whoever is marked sent."""
    now = timezone.now()
    ids = list(
        Announcement.objects.filter(
            sent_at__lte=now - RESUME_AFTER,
            sent_at__gte=now - RESUME_WITHIN,
            deliveries__emailed_at__isnull=True,
        )
        .order_by()
        .values_list("id", flat=True)
        .distinct()
    )
    with transaction.atomic():
        for pk in ids:
            outbox.enqueue(FAN_OUT, pk)
    return len(ids)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_help_notice(self, request_id: int) -> int:
    """Tell each coordinator of the school, in their language, that a family asked for help
    and with what kind; what the family wrote is read on the page, behind sign-in."""
    request = HelpRequest.objects.select_related("school__district").filter(pk=request_id).first()
    if request is None:
        return 0
    school = request.school
    sent = 0
    coordinators = Coordinator.objects.filter(school=school, user__is_active=True).select_related(
        "user"
    )
    for coordinator in coordinators:
        person = coordinator.user
        with transaction.atomic():
            if not outbox.claim_send(f"community.help:{request.pk}:{person.pk}"):
                continue
            context = {
                "request": request,
                "school": school,
                "person": person,
                "link": site_url(request.get_absolute_url()),
            }
            with translation.override(family_language(person, school)), clock.override(school):
                subject = render_to_string("community/email/help_subject.txt", context)
                body = render_to_string("community/email/help.txt", context)
            EmailMessage(
                subject=" ".join(subject.split()),
                body=body,
                to=[person.email],
                headers={"Auto-Submitted": "auto-generated"},
            ).send()
            sent += 1
    return sent
