"""Query counts of the list pages, with enough rows that an N+1 would show."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.models import Role
from teams import services
from teams.models import Attendance, PollKind, Proposal, StakeholderSeat, TeamMember, Vote
from tests.leadership.factories import person
from tests.teams import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_ilt(world, ilt):
    """An ILT with 12 members, 10 meetings, a live one with 8 items, polls, votes, decisions."""
    for n in range(9):
        user = person(Role.STAFF, school=world.school, email=f"member{n}@example.org")
        TeamMember.objects.create(team=ilt.team, user=user, stakeholder_group="teacher")
    StakeholderSeat.objects.create(team=ilt.team, stakeholder_group="student", seats_required=2)
    for n in range(8):
        f.held_meeting(ilt, days=-7 * (n + 2), approved=True)
    f.meeting(ilt.team, days=10)
    live = f.live_meeting(ilt, present=3)
    members = list(ilt.team.members.all())
    for n in range(7):
        f.item(live, title=f"Item {n}", order=n + 2)
    for n, item in enumerate(live.items.all()):
        poll = f.open_poll(live, PollKind.FIST_TO_FIVE)
        poll.item = item
        poll.save()
        Vote.objects.bulk_create(
            [Vote(poll=poll, member=m, value=str(i % 6)) for i, m in enumerate(members)]
        )
        services.decision_record(
            item=item,
            actor=world.principal,
            rule=ilt.schedule,
            model_used="majority",
            text=f"Decision {n}",
            outcome="adopted",
        )
        f.action(ilt, live, title=f"Action {n}", item=item)
        f.action(ilt, live, title=f"Overdue {n}", days=-2)
        # Items put forward by members, each with its pre-read, accepted into the meeting.
        proposal = f.proposal(ilt, title=f"Put forward {n}", link="https://example.org/read")
        services.agenda_proposal_accept(proposal=proposal, actor=world.principal, meeting=live)
    Attendance.objects.bulk_create(
        [Attendance(meeting=live, member=m, present=True) for m in members[3:]]
    )
    live.refresh_from_db()
    return live


def test_team_page_queries(world, ilt, busy_ilt, client_for, django_assert_num_queries):
    for n in range(4):
        f.proposal(ilt, title=f"Proposal {n}", file_name="pre-read.pdf", file="x/pre-read.pdf")
        f.proposal(ilt, title=f"Declined {n}", by=world.family, status="declined", reason="No")
    for n in range(3):
        for state in ("open", "decided"):
            Proposal.objects.create(
                team=ilt.team,
                rule=ilt.budget,
                title=f"Proposal {state} {n}",
                text="Two adults",
                opened_by=world.teacher_leader,
                closes_at=timezone.now() + timedelta(days=2),
                state=state,
            )
    client = client_for(world.principal)
    # ... plus the former members (history kept)
    # ... plus the proposals between meetings (open, then stated)
    # ... plus the items put forward: those waiting, those answered, the meetings to accept into,
    # and the principal's own seats (may they put items forward)
    # ... plus 2 for the work plans' section (the school's plans; the team's decisions)
    with django_assert_num_queries(18):
        response = client.get(ilt.team.get_absolute_url())
    page = response.content.decode()
    assert page.count("Overdue ") >= 8
    assert "Proposal 3" in page and "Declined 3" in page
    assert "Proposal open 2" in page and "Proposal decided 2" in page


def test_meeting_page_queries(world, busy_ilt, client_for, django_assert_num_queries):
    client = client_for(world.principal)
    # 22, and 4 for the work plans' panels (links, the plans to link to, the surveys to link
    # to, decisions' ties).
    with django_assert_num_queries(23):
        response = client.get(busy_ilt.get_absolute_url())
    page = response.content.decode()
    assert "Decision 7" in page and "Action 7" in page and "Item 6" in page
    assert page.count("Put forward by") == 8 and "Put forward 7" in page


def test_live_region_queries(world, busy_ilt, client_for, django_assert_num_queries):
    client = client_for(world.family)
    live = reverse("teams:meeting_live", kwargs={"slug": "lincoln", "pk": busy_ilt.pk})
    with django_assert_num_queries(13):
        response = client.get(live, HTTP_HX_REQUEST="true")
    assert "Decision 7" in response.content.decode()
    with django_assert_num_queries(3):
        assert client.get(live, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_decision_log_queries(world, busy_ilt, client_for, django_assert_num_queries):
    client = client_for(world.staff)
    url = reverse("teams:decision_log", kwargs={"slug": "lincoln"})
    busy_ilt.minutes_status = "approved"
    busy_ilt.save()
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.content.decode().count("Decision ") >= 8


def test_school_section_queries(world, busy_ilt, client_for, django_assert_num_queries):
    client = client_for(world.teacher_leader)
    # 14, 1 for community's part (may this staff member write announcements), 2 for the
    # counts of "my work" (open action items, open steps), 3 for its other sections (proposals
    # waiting for an answer, items put forward, open surveys).
    with django_assert_num_queries(17):
        response = client.get(world.school.get_absolute_url())
    assert "Overdue 7" in response.content.decode()
