"""The weekly reminder and the monthly digest: right people, right content, never twice."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from leadership import clock
from tests.workplans.factories import ActionStepFactory, ProgressUpdateFactory
from workplans import tasks
from workplans.models import ActionStep, DigestSent, ReminderSent, StepStatus


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """The beat tasks queue through the outbox: their work is handed over on commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_owners_of_overdue_or_stale_steps_are_reminded_once_a_week(
    world, goal, step, mailoutbox, on_commit
):
    today = clock.today_in(world.district)
    fresh = ActionStepFactory(
        goal=goal,
        owner=world.staff,
        title="Fresh step",
        start=today - timedelta(days=3),
        due=today + timedelta(days=30),
    )
    stale = ActionStepFactory(
        goal=goal,
        owner=world.staff,
        title="Stale step",
        start=today - timedelta(days=60),
        due=today + timedelta(days=30),
    )
    ActionStep.objects.filter(pk=stale.pk).update(
        last_update_at=timezone.now() - timedelta(days=20)
    )
    ActionStepFactory(
        goal=goal,
        owner=world.staff,
        title="Done step",
        status=StepStatus.DONE,
        start=today - timedelta(days=60),
        due=today - timedelta(days=1),
    )
    ProgressUpdateFactory(step=fresh)

    with on_commit():
        assert tasks.queue_step_reminders(today.isoformat()) == 2
    by_person = {m.to[0]: m for m in mailoutbox}
    assert set(by_person) == {world.teacher_leader.email, world.staff.email}
    assert "Plan the learning walk" in by_person[world.teacher_leader.email].body
    assert "overdue" in by_person[world.teacher_leader.email].body
    staff_body = by_person[world.staff.email].body
    assert "Stale step" in staff_body
    assert "Fresh step" not in staff_body and "Done step" not in staff_body
    assert "/my/steps/" in staff_body

    # The same week again: nothing more. Next week: again.
    with on_commit():
        tasks.queue_step_reminders((today + timedelta(days=(6 - today.weekday()))).isoformat())
    assert len(mailoutbox) == 2
    with on_commit():
        tasks.queue_step_reminders((today + timedelta(days=7)).isoformat())
    assert len(mailoutbox) == 4
    assert ReminderSent.objects.filter(step=step).count() == 2


def test_closed_plans_send_no_reminder(world, plan, step, mailoutbox):
    plan.status = "closed"
    plan.save()
    assert tasks.queue_step_reminders() == 0
    assert mailoutbox == []


def test_the_monthly_digest_goes_to_the_ilt_once(
    world, plan, on_track_data, step, mailoutbox, on_commit
):
    with on_commit():
        assert tasks.queue_monthly_digests("2026-11") == 1
    # Without the teams app's ILT roster: the principal and the teacher leaders.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.principal.email, world.teacher_leader.email]
    )
    body = mailoutbox[0].body
    assert "Reading at grade level rises to 60%." in body and "On track" in body
    assert f"/plans/{plan.pk}/" in body
    with on_commit():
        tasks.queue_monthly_digests("2026-11")
    assert len(mailoutbox) == 2
    assert DigestSent.objects.count() == 1
    with on_commit():
        tasks.queue_monthly_digests("2026-12")
    assert len(mailoutbox) == 4


def test_the_digest_goes_to_the_current_ilt_when_the_school_has_one(
    world, plan, mailoutbox, on_commit
):
    from teams.models import Team, TeamMember

    ilt = Team.objects.create(
        school=world.school, school_year=plan.school_year, kind="ilt", name="Lincoln ILT"
    )
    for user, group in [(world.staff, "teacher"), (world.family, "family")]:
        TeamMember.objects.create(team=ilt, user=user, stakeholder_group=group)
    with on_commit():
        tasks.send_plan_digest(plan.pk, "2026-11")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.staff.email, world.family.email])


def test_iso_week_label():
    assert tasks.iso_week(date(2026, 11, 23)) == "2026-W48"


def refuse_mail_to(monkeypatch, address: str, times: int) -> list[str]:
    """The mail server refuses `address` the first `times` tries; returns every try."""
    from django.core.mail.backends.locmem import EmailBackend

    tries: list[str] = []
    send = EmailBackend.send_messages

    def flaky(backend, messages):
        for message in messages:
            tries.append(message.to[0])
            if message.to == [address] and tries.count(address) <= times:
                raise OSError(f"550 mailbox of {address} unavailable")
        return send(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    return tries


def test_a_digest_that_failed_for_the_third_person_goes_to_that_person_alone(
    world, plan, mailoutbox, on_commit, monkeypatch, settings
):
    from collections import Counter

    from leadership import outbox
    from leadership.models import OutboxTask
    from teams.models import Team, TeamMember

    ilt = Team.objects.create(
        school=world.school, school_year=plan.school_year, kind="ilt", name="Lincoln ILT"
    )
    people = [world.teacher_leader, world.staff, world.family]  # by pk: the family is third
    for user in people:
        TeamMember.objects.create(team=ilt, user=user, stakeholder_group="teacher")
    # The family's mailbox refuses the first try: its digest is left in the outbox (in
    # process, a task's retry is not run inline), while the two others have theirs.
    tries = refuse_mail_to(monkeypatch, world.family.email, times=1)
    with on_commit():
        assert tasks.send_plan_digest(plan.pk, "2026-11") == 3
    assert Counter(m.to[0] for m in mailoutbox) == {
        world.teacher_leader.email: 1,
        world.staff.email: 1,
    }
    assert tries.count(world.family.email) == 1
    left = OutboxTask.objects.get(dispatched_at__isnull=True)
    assert left.task == "workplans.tasks.send_plan_digest_to"
    assert left.args == [plan.pk, "2026-11", world.family.pk] and "550" in left.last_error

    # The mailbox is back; the sweep retries the family's digest and nobody else's.
    settings.OUTBOX_OVERDUE_SECONDS = 0
    with on_commit():
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0
        assert tasks.send_plan_digest(plan.pk, "2026-11") == 0
    assert Counter(m.to[0] for m in mailoutbox) == {person.email: 1 for person in people}
    assert tries.count(world.teacher_leader.email) == 1 and tries.count(world.staff.email) == 1
    # A redelivered per-person task sends nothing more.
    assert tasks.send_plan_digest_to(plan.pk, "2026-11", world.staff.pk) is False
    assert len(mailoutbox) == 3
