"""Background work: the weekly reminder to step owners and the monthly digest to the ILT.

Both are idempotent through a sent-record with a unique constraint: a reminder goes once per
step and ISO week, a digest once per plan and month, however often the tasks run.
"""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from leadership import clock, outbox
from leadership.models import District, Membership, Role, User
from teams import selectors as teams

from . import selectors
from .models import ActionStep, DigestSent, ReminderSent, StepStatus, WorkPlan

STALE_DAYS = selectors.STALE_DAYS


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def iso_week(on: date) -> str:
    year, week, _day = on.isocalendar()
    return f"{year}-W{week:02d}"


def steps_needing_reminder(today: date):
    """Open steps of active plans that are overdue or have had no update for STALE_DAYS days."""
    stale_before = timezone.now() - timedelta(days=STALE_DAYS)
    return (
        ActionStep.objects.filter(goal__plan__status=WorkPlan.Status.ACTIVE)
        .exclude(status=StepStatus.DONE)
        .filter(
            Q(due__lt=today)
            | Q(last_update_at__lt=stale_before)
            | Q(last_update_at__isnull=True, start__lte=today - timedelta(days=STALE_DAYS))
        )
    )


@shared_task
def queue_step_reminders(today: str | None = None) -> int:
    """Beat entry (weekly): one reminder task per owner with steps that need attention."""
    queued = 0
    for district in District.objects.all():
        # "Overdue" and the week of the reminder are the district's.
        on = date.fromisoformat(today) if today else clock.today_in(district)
        owners = (
            steps_needing_reminder(on)
            .filter(goal__plan__school__district=district)
            .values_list("owner_id", flat=True)
            .distinct()
        )
        for owner_id in sorted(set(owners)):
            outbox.enqueue("workplans.tasks.send_step_reminder", owner_id, on.isoformat())
            queued += 1
    return queued


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_step_reminder(owner_id: int, today: str) -> int:
    """E-mail one owner about their overdue or stale steps not yet reminded this week."""
    on = date.fromisoformat(today)
    week = iso_week(on)
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        return 0
    with transaction.atomic():
        steps = list(
            steps_needing_reminder(on)
            .filter(owner=owner)
            .select_related("goal__plan__school")
            .order_by("due")
        )
        fresh = []
        for step in steps:
            _sent, created = ReminderSent.objects.get_or_create(step=step, week=week)
            if created:
                fresh.append(step)
        if not fresh:
            return 0
        context = {
            "owner": owner,
            "steps": fresh,
            "today": on,
            "link": site_url(reverse("workplans:my_steps")),
        }
        with translation.override(owner.preferred_language):
            subject = render_to_string("workplans/email/reminder_subject.txt", context).strip()
            body = render_to_string("workplans/email/reminder.txt", context)
        send_mail(subject, body, None, [owner.email])
    return len(fresh)


def digest_recipients(school) -> list[User]:
    """The current ILT's active members (teams app); else the principal and teacher leaders."""
    team = teams.current_ilt(school)
    people = [m.user for m in teams.team_members(team) if m.user.is_active] if team else []
    if people:
        return people
    ids = Membership.objects.active().filter(
        school=school, role__in=[Role.PRINCIPAL, Role.TEACHER_LEADER]
    )
    return list(User.objects.filter(pk__in=ids.values("user_id"), is_active=True).order_by("pk"))


@shared_task
def queue_monthly_digests(month: str | None = None) -> int:
    """Beat entry (monthly): one digest task per active plan."""
    plans = WorkPlan.objects.filter(status=WorkPlan.Status.ACTIVE).values_list(
        "pk", "school__district__timezone"
    )
    for plan_id, zone in plans:
        # The month as the district's calendar has it when beat fires.
        outbox.enqueue(
            "workplans.tasks.send_plan_digest",
            plan_id,
            month or clock.today_in(zone).strftime("%Y-%m"),
        )
    return len(plans)


@shared_task
def send_plan_digest(plan_id: int, month: str) -> int:
    """Queue the month's digest of one plan to each member of its ILT, once per plan and month.

    Each person's e-mail is its own task, so a failure for one is retried for that one alone.
    """
    plan = (
        WorkPlan.objects.select_related("school__district")
        .filter(pk=plan_id, status=WorkPlan.Status.ACTIVE)
        .first()
    )
    if plan is None:
        return 0
    with transaction.atomic():
        _sent, created = DigestSent.objects.get_or_create(plan=plan, month=month)
        if not created:
            return 0
        with clock.override(plan.school):  # members' terms end on the district's day
            recipients = digest_recipients(plan.school)
        for person in recipients:
            outbox.enqueue("workplans.tasks.send_plan_digest_to", plan.pk, month, person.pk)
    return len(recipients)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_plan_digest_to(plan_id: int, month: str, user_id: int) -> bool:
    """The month's progress of one plan to one person, at most once."""
    plan = (
        WorkPlan.objects.select_related("school__district", "school_year")
        .filter(pk=plan_id, status=WorkPlan.Status.ACTIVE)
        .first()
    )
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if plan is None or person is None:
        return False
    with transaction.atomic():
        if not outbox.claim_send(f"digest:{plan.pk}:{month}:{person.pk}"):
            return False
        goals = selectors.goals_of(plan)
        link = site_url(
            reverse("workplans:plan_detail", kwargs={"slug": plan.school.slug, "pk": plan.pk})
        )
        context = {"plan": plan, "goals": goals, "month": month, "link": link}
        with translation.override(person.preferred_language):
            subject = render_to_string("workplans/email/digest_subject.txt", context).strip()
            body = render_to_string("workplans/email/digest.txt", context)
        send_mail(subject, body, None, [person.email])
    return True
