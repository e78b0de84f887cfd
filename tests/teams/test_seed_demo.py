"""The demo district's schools get ILTs, a held meeting with approved minutes, a scheduled one."""

from io import StringIO

import pytest
from django.core.management import call_command

from teams import selectors
from teams.models import ActionItem, AgendaItem, Decision, Meeting, Team, TeamMember

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count() for m in (Team, TeamMember, Meeting, AgendaItem, Decision, ActionItem)
    ]


def test_seed_demo_gives_every_school_an_ilt_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", schools=3, quiet_logins=True, stdout=out)
    assert "3 ILTs" in out.getvalue()
    first = counts()
    assert first[0] == 3
    team = Team.objects.select_related("school").get(school__slug="lincoln-elementary")
    assert team.meetings.filter(status="held", minutes_status="approved").count() == 1
    scheduled = team.meetings.get(status="scheduled")
    assert scheduled.items.count() >= 3
    assert scheduled.items.filter(carried_action__isnull=False).exists()
    assert Decision.objects.filter(meeting__team=team).exists()
    _team, seats = selectors.ilt_seat_summary(team.school)
    assert [s.label for s in seats if s.vacant] == ["Student"]
    from leadership.models import User

    principal = User.objects.get(email="principal@riverside.example")
    assert selectors.facilitates_ilt(principal, team.school)

    call_command("seed_demo", schools=3, quiet_logins=True, stdout=StringIO())
    assert counts() == first
