"""Invitations and reminders of a survey, sent in batches.

`fan_out(round, after)` reads the next batch of ids of the people asked (ordered by id, after
`after`), queues `send_batch` for them and, if the batch was full, queues itself for the
next one: memory holds one batch of ids and each transaction one batch, however large the
audience. `send_batch` sends one e-mail per person in its own transaction, marked with
`claim_send`, so a retried or repeated batch never sends twice; a reminder skips whoever has
answered meanwhile."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from leadership import outbox
from leadership.models import User

from . import pending
from .models import Participation, SendRound, SurveyStatus
from .selectors import audience, languages_of

logger = logging.getLogger(__name__)

FAN_OUT = "voice.tasks.fan_out"
SEND_BATCH = "voice.tasks.send_batch"


def batch_size() -> int:
    return int(getattr(settings, "VOICE_SEND_BATCH", 500))


def _recipients(send_round: SendRound):
    """The people the round writes to: for a reminder, not those who answered, whether their
    participation is written or still pending (pending.Unavailable when that cannot be read:
    the task is retried rather than remind someone who answered)."""
    people = audience(send_round.survey)
    if send_round.is_reminder:
        people = people.exclude(
            pk__in=Participation.objects.filter(survey=send_round.survey).values("user_id")
        )
        waiting = pending.members(send_round.survey_id)
        if waiting:
            people = people.exclude(pk__in=sorted(waiting))
    return people


@shared_task(
    acks_late=True, autoretry_for=(pending.Unavailable,), retry_backoff=True, max_retries=8
)
def fan_out(round_id: int, after_id: int = 0) -> int:
    """Queue the next batch of the round; returns how many it queued."""
    with transaction.atomic():
        send_round = (
            SendRound.objects.select_for_update(of=("self",))
            .select_related("survey__school")
            .filter(pk=round_id)
            .first()
        )
        if send_round is None or send_round.queued_all:
            return 0
        ids = list(
            _recipients(send_round)
            .filter(pk__gt=after_id)
            .order_by("pk")
            .values_list("pk", flat=True)[: batch_size()]
        )
        if ids:
            outbox.enqueue(SEND_BATCH, round_id, ids)
        if len(ids) == batch_size():
            outbox.enqueue(FAN_OUT, round_id, ids[-1])
            SendRound.objects.filter(pk=round_id).update(total=F("total") + len(ids))
        else:
            SendRound.objects.filter(pk=round_id).update(
                total=F("total") + len(ids), queued_all=True
            )
    return len(ids)


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_batch(self, round_id: int, user_ids: list[int]) -> int:
    """E-mail each person of the batch once for this round, in their language."""
    send_round = SendRound.objects.select_related("survey__school").filter(pk=round_id).first()
    if send_round is None:
        return 0
    survey = send_round.survey
    if survey.status != SurveyStatus.OPEN:
        return 0
    languages = languages_of(survey)
    answered = set()
    if send_round.is_reminder:
        # Pending first, then the database: a batch is written before it leaves the pending
        # set, so someone flushed between the two reads is found in the second.
        still_pending = pending.members(survey.pk)
        answered = still_pending | set(
            Participation.objects.filter(survey=survey, user_id__in=user_ids).values_list(
                "user_id", flat=True
            )
        )
    sent = 0
    link = _site_url(
        reverse("voice:survey_answer", kwargs={"slug": survey.school.slug, "pk": survey.pk})
    )
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        if user.pk in answered:
            continue
        with transaction.atomic():
            if not outbox.claim_send(f"voice:{survey.pk}:{send_round.number}:{user.pk}"):
                continue
            language = (
                user.preferred_language if user.preferred_language in languages else languages[0]
            )
            with translation.override(language):
                context = {
                    "user": user,
                    "survey": survey,
                    "title": survey.text("title", language),
                    "reminder": send_round.is_reminder,
                    "link": f"{link}?lang={language}",
                }
                subject = render_to_string("voice/email/subject.txt", context)
                body = render_to_string("voice/email/message.txt", context)
            EmailMultiAlternatives(
                subject=" ".join(subject.split()),
                body=body,
                to=[user.email],
                headers={"Auto-Submitted": "auto-generated"},
            ).send()
            SendRound.objects.filter(pk=round_id).update(sent=F("sent") + 1)
            sent += 1
    return sent


@shared_task(acks_late=True)
def flush_participations() -> int:
    """Write pending participations of anonymous surveys to the database in batches (see
    services.participations_flush); returns how many were written."""
    from .services import participations_flush

    written = 0
    failed = 0
    for survey_id in sorted(pending.surveys()):
        # One survey's trouble (a lock held past the timeout, Redis gone mid-way) must not
        # keep the others waiting a minute more: its people stay pending for the next run.
        try:
            written += participations_flush(survey_id=survey_id)
        except Exception:
            failed += 1
            logger.exception("pending participations of survey %s not written", survey_id)
    if failed:
        raise RuntimeError(f"{failed} survey(s) kept their pending participations")
    return written
