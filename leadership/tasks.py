"""Background work of the leadership app: thin tasks that take ids and do one thing once."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import outbox, tokens
from .models import Invitation


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(self, invitation_id: int) -> bool:
    """E-mail the invitation link, once: a second run finds `sent_at` set and does nothing."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("school", "district", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at or invitation.state != Invitation.State.PENDING:
            return False
        link = site_url(
            reverse("leadership:invitation_accept", kwargs={"token": tokens.make_token(invitation)})
        )
        context = {"invitation": invitation, "link": link, "days": settings.INVITATION_VALID_DAYS}
        with translation.override(invitation.language):
            subject = render_to_string("leadership/email/invitation_subject.txt", context).strip()
            body = render_to_string("leadership/email/invitation.txt", context)
            html = render_to_string("leadership/email/invitation.html", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            to=[invitation.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(html, "text/html")
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True


@shared_task
def sweep_outbox() -> int:
    """Queue the background work whose hand-over to the broker failed (every minute), and
    forget what was handed over a week ago."""
    outbox.prune()
    return outbox.sweep()
