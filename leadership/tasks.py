"""Background work of the leadership app: thin tasks that take ids and do one thing once."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import clock, mywork, outbox, tokens
from .models import District, Invitation, Membership, Session, User

MY_WORK_CHUNK = 200  # people a chunk task looks at


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


SESSIONS_CLEARED_AT_ONCE = 5000


@shared_task
def clear_expired_sessions() -> int:
    """Delete the rows of sessions that have expired (each night): what Django's
    `clearsessions` does, in batches, so that no statement holds many rows at once, in this
    table and in Django's (sessions begun before leadership.sessions, not yet carried over).
    An expired session is already a new, empty one to whoever still holds its cookie."""
    from django.contrib.sessions.models import Session as DjangoSession

    deleted = 0
    for model in (Session, DjangoSession):
        while True:
            keys = list(
                model.objects.filter(expire_date__lt=timezone.now()).values_list(
                    "session_key", flat=True
                )[:SESSIONS_CLEARED_AT_ONCE]
            )
            if not keys:
                break
            deleted += model.objects.filter(
                session_key__in=keys, expire_date__lt=timezone.now()
            ).delete()[0]
    return deleted


# --- my work, weekly --------------------------------------------------------------------


def iso_week(on) -> str:
    year, week, _day = on.isocalendar()
    return f"{year}-W{week:02d}"


@shared_task
def queue_my_work_weekly() -> int:
    """Beat entry (weekly): per district, its people in chunks; each chunk queues one e-mail
    task per person who has work. The week is the district's ISO week."""
    chunks = 0
    for district in District.objects.all():
        week = iso_week(clock.today_in(district))
        people = (
            Membership.objects.active()
            .filter(school__district=district, user__is_active=True)
            .values_list("user_id", flat=True)
            .distinct()
            .order_by("user_id")
        )
        ids = list(people)
        for start in range(0, len(ids), MY_WORK_CHUNK):
            outbox.enqueue(
                "leadership.tasks.queue_my_work_chunk",
                district.pk,
                ids[start : start + MY_WORK_CHUNK],
                week,
            )
            chunks += 1
    return chunks


def _my_work(user, district) -> list[mywork.Section]:
    with clock.override(district):  # "overdue" and the dates are the district's
        return [
            section
            for section in mywork.sections(user=user, today=clock.today_in(district))
            if section.entries
        ]


@shared_task
def queue_my_work_chunk(district_id: int, user_ids: list[int], week: str) -> int:
    """One e-mail task for each of these people who has something to do."""
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return 0
    queued = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        if _my_work(user, district):
            outbox.enqueue("leadership.tasks.send_my_work", district.pk, user.pk, week)
            queued += 1
    return queued


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_my_work(district_id: int, user_id: int, week: str) -> bool:
    """This week's list of one person's work, in their language, at most once a week."""
    district = District.objects.filter(pk=district_id).first()
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if district is None or person is None:
        return False
    with transaction.atomic():
        if not outbox.claim_send(f"my-work:{person.pk}:{week}"):
            return False
        with translation.override(person.preferred_language):
            sections = _my_work(person, district)
            if not sections:
                transaction.set_rollback(True)  # nothing to say: the week stays unclaimed
                return False
            context = {
                "person": person,
                "sections": sections,
                "link": site_url(reverse("leadership:my_work")),
                "base": settings.SITE_URL.rstrip("/"),
            }
            subject = render_to_string("leadership/email/my_work_subject.txt", context).strip()
            body = render_to_string("leadership/email/my_work.txt", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            to=[person.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.send()
    return True
