"""Background work of the community app: thin tasks that take ids and send one e-mail once."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from leadership import clock, outbox

from . import tokens
from .models import Message


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
