"""Background work of the teams app: the agenda e-mail, once per meeting; proposals stated at
their deadline and their outcome announced, once per member."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from leadership import clock, outbox
from leadership.tasks import site_url

from . import services
from .ics import meeting_ics
from .models import Meeting, MeetingStatus, Proposal, ProposalState, TeamMember

# How far ahead the periodic task mails agendas (hours before the meeting starts).
AGENDA_LEAD_HOURS = 48


@shared_task
def send_meeting_agenda(meeting_id: int) -> bool:
    """Queue the agenda to every active member, once: `agenda_sent_at` marks it queued.

    One e-mail per member is its own task, so a failure for one member is retried for that
    member alone and nobody gets the agenda twice.
    """
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting_id).first()
        if meeting is None or meeting.agenda_sent_at or meeting.status != MeetingStatus.SCHEDULED:
            return False
        # Whose term has ended is a question of the district's calendar, not the worker's UTC.
        with clock.override(meeting.team.school):
            members = list(TeamMember.objects.active().filter(team=meeting.team))
        for user_id in sorted({member.user_id for member in members}):
            outbox.enqueue("teams.tasks.send_agenda_to_member", meeting.pk, user_id)
        meeting.agenda_sent_at = timezone.now()
        meeting.save(update_fields=["agenda_sent_at"])
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_agenda_to_member(meeting_id: int, user_id: int) -> bool:
    """E-mail the agenda to one member, at most once."""
    meeting = (
        Meeting.objects.select_related("team__school__district")
        .filter(pk=meeting_id, status=MeetingStatus.SCHEDULED)
        .first()
    )
    member = (
        TeamMember.objects.active()
        .select_related("user")
        .filter(team_id=meeting.team_id, user_id=user_id)
        .first()
        if meeting is not None
        else None
    )
    if member is None:
        return False
    user = member.user
    with transaction.atomic():
        if not outbox.claim_send(f"agenda:{meeting.pk}:{user.pk}"):
            return False
        items = list(meeting.items.order_by("order", "id"))
        link = site_url(meeting.get_absolute_url())
        context = {"meeting": meeting, "items": items, "link": link, "user": user}
        with (
            translation.override(user.preferred_language),
            clock.override(meeting.team.school),
        ):
            subject = render_to_string("teams/email/agenda_subject.txt", context).strip()
            body = render_to_string("teams/email/agenda.txt", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            to=[user.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.send()
    return True


@shared_task
def send_upcoming_agendas(hours: int = AGENDA_LEAD_HOURS) -> int:
    """Queue the agenda of every scheduled meeting that starts within `hours` and has none sent."""
    now = timezone.now()
    ids = list(
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            agenda_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=hours),
        ).values_list("pk", flat=True)
    )
    for meeting_id in ids:
        outbox.enqueue("teams.tasks.send_meeting_agenda", meeting_id)
    return len(ids)


@shared_task
def close_due_proposals() -> int:
    """Every few minutes: queue the closing of each open proposal whose deadline has passed."""
    ids = list(
        Proposal.objects.filter(
            state=ProposalState.OPEN, closes_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    for proposal_id in ids:
        outbox.enqueue("teams.tasks.close_proposal", proposal_id)
    return len(ids)


@shared_task
def close_proposal(proposal_id: int) -> bool:
    """State one proposal's outcome at its deadline (idempotent: a stated one is left alone)."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return False
    return services.proposal_close_due(proposal=proposal)


@shared_task
def announce_proposal_outcome(proposal_id: int) -> int:
    """Queue the outcome e-mail to every active member, one task per member."""
    proposal = Proposal.objects.select_related("team__school").filter(pk=proposal_id).first()
    if proposal is None or proposal.state == ProposalState.OPEN:
        return 0
    with clock.override(proposal.team.school):
        user_ids = sorted(
            set(
                TeamMember.objects.active()
                .filter(team_id=proposal.team_id)
                .values_list("user_id", flat=True)
            )
        )
    with transaction.atomic():
        for user_id in user_ids:
            outbox.enqueue("teams.tasks.send_proposal_outcome", proposal.pk, user_id)
    return len(user_ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_proposal_outcome(proposal_id: int, user_id: int) -> bool:
    """E-mail a proposal's outcome to one member, in their language, at most once."""
    proposal = (
        Proposal.objects.select_related("team__school__district", "rule")
        .filter(pk=proposal_id)
        .exclude(state=ProposalState.OPEN)
        .first()
    )
    if proposal is None:
        return False
    with clock.override(proposal.team.school):
        member = (
            TeamMember.objects.active()
            .select_related("user")
            .filter(team_id=proposal.team_id, user_id=user_id)
            .first()
        )
    if member is None:
        return False
    user = member.user
    with transaction.atomic():
        if not outbox.claim_send(f"proposal-outcome:{proposal.pk}:{user.pk}"):
            return False
        context = {
            "proposal": proposal,
            "user": user,
            "link": site_url(proposal.get_absolute_url()),
        }
        with (
            translation.override(user.preferred_language),
            clock.override(proposal.team.school),
        ):
            subject = render_to_string("teams/email/proposal_subject.txt", context).strip()
            body = render_to_string("teams/email/proposal.txt", context)
        EmailMultiAlternatives(
            subject=subject,
            body=body,
            to=[user.email],
            headers={"Auto-Submitted": "auto-generated"},
        ).send()
    return True


@shared_task
def announce_meeting_change(meeting_id: int, sequence: int) -> int:
    """Queue the notice of a rescheduled or cancelled meeting to every active member."""
    meeting = Meeting.objects.select_related("team__school").filter(pk=meeting_id).first()
    if meeting is None or meeting.sequence != sequence:
        return 0  # a later change sends its own notice
    with clock.override(meeting.team.school):
        user_ids = sorted(
            set(
                TeamMember.objects.active()
                .filter(team_id=meeting.team_id)
                .values_list("user_id", flat=True)
            )
        )
    with transaction.atomic():
        for user_id in user_ids:
            outbox.enqueue("teams.tasks.send_meeting_change", meeting.pk, user_id, sequence)
    return len(user_ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_meeting_change(meeting_id: int, user_id: int, sequence: int) -> bool:
    """E-mail one member the change, with the updated calendar entry, at most once."""
    meeting = Meeting.objects.select_related("team__school__district").filter(pk=meeting_id).first()
    if meeting is None or meeting.sequence != sequence:
        return False
    with clock.override(meeting.team.school):
        member = (
            TeamMember.objects.active()
            .select_related("user")
            .filter(team_id=meeting.team_id, user_id=user_id)
            .first()
        )
    if member is None:
        return False
    user = member.user
    with transaction.atomic():
        if not outbox.claim_send(f"meeting-change:{meeting.pk}:{sequence}:{user.pk}"):
            return False
        link = site_url(meeting.get_absolute_url())
        context = {"meeting": meeting, "user": user, "link": link}
        with (
            translation.override(user.preferred_language),
            clock.override(meeting.team.school),
        ):
            subject = render_to_string("teams/email/meeting_change_subject.txt", context).strip()
            body = render_to_string("teams/email/meeting_change.txt", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            to=[user.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
        message.attach(
            f"meeting-{meeting.pk}.ics",
            meeting_ics(meeting, url=link),
            f"text/calendar; charset=utf-8; method={method}",
        )
        message.send()
    return True
