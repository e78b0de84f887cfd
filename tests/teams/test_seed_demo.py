"""The demo district's schools get an ILT with a school year of meetings: the ones already over
held with attendance, minutes, decisions and action items, the rest scheduled."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from leadership.models import User
from teams import selectors
from teams.models import ActionItem, AgendaItem, Attendance, Decision, Meeting, Team, TeamMember

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_mid_year")]


def counts():
    return [
        m.objects.count()
        for m in (Team, TeamMember, Meeting, Attendance, AgendaItem, Decision, ActionItem)
    ]


def test_seed_demo_gives_every_school_an_ilt_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", schools=3, quiet_logins=True, stdout=out)
    assert "3 ILTs" in out.getvalue()
    first = counts()
    assert first[0] == 3
    now = timezone.now()
    team = Team.objects.select_related("school").get(school__slug="lincoln-elementary")
    meetings = list(team.meetings.order_by("starts_at"))
    assert len(meetings) == 15
    held = [m for m in meetings if m.status == "held"]
    scheduled = [m for m in meetings if m.status == "scheduled"]
    assert len(held) >= 2 and len(held) + len(scheduled) == 15
    assert meetings[: len(held)] == held  # the held ones come first
    assert all(m.ends_at <= now < s.ends_at for m in held[-1:] for s in scheduled[:1])
    # Minutes are approved at the next meeting: all but the latest held meeting's.
    assert [m.minutes_status for m in held] == ["approved"] * (len(held) - 1) + ["draft"]
    members = team.members.count()
    for meeting in held:
        assert meeting.attendance.count() == members
        assert meeting.items.exclude(notes="").count() >= 3
    next_meeting = scheduled[0]
    assert next_meeting.items.filter(carried_action__isnull=True).count() >= 3
    open_actions = ActionItem.objects.filter(team=team, status="open")
    carried = next_meeting.items.filter(carried_action__isnull=False)
    assert sorted(carried.values_list("carried_action", flat=True)) == sorted(
        open_actions.values_list("pk", flat=True)
    )

    decisions = list(Decision.objects.select_related("rule", "meeting"))
    assert decisions
    for decision in decisions:
        present = decision.meeting.attendance.filter(present=True).count()
        assert decision.present == present >= decision.rule.quorum
        assert decision.model_used == decision.rule.model
        assert decision.created_at >= decision.meeting.starts_at
    statuses = {a.status for a in ActionItem.objects.all()}
    assert {"done", "open"} <= statuses
    assert any(a.is_overdue for a in ActionItem.objects.all())
    assert Attendance.objects.filter(present=False).exists()

    _team, seats = selectors.ilt_seat_summary(team.school)
    assert [s.label for s in seats if s.vacant] == ["Student"]
    principal = User.objects.get(email="principal@riverside.example")
    assert selectors.facilitates_ilt(principal, team.school)

    call_command("seed_demo", schools=3, quiet_logins=True, stdout=StringIO())
    assert counts() == first
