"""Moving and cancelling a meeting (attendees told, .ics SEQUENCE up); removing a member."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership import clock
from teams import services
from teams.models import Attendance, Meeting, MeetingStatus, TeamMember, Vote
from teams.permissions import team_role
from tests.teams import factories as f


def url(name, meeting):
    return reverse(name, kwargs={"slug": meeting.team.school.slug, "pk": meeting.pk})


def ics_event(client, meeting):
    body = client.get(url("teams:meeting_ics", meeting)).content
    return next(c for c in icalendar.Calendar.from_ical(body).walk() if c.name == "VEVENT")


@pytest.mark.django_db(transaction=True)
def test_a_moved_meeting_tells_each_member_once_with_a_higher_sequence(world, client_for):
    ilt = f.ilt_for(world)
    world.family.preferred_language = "es"
    world.family.save()
    m = f.meeting(ilt.team, days=3)
    client = client_for(world.principal)
    assert ics_event(client, m)["SEQUENCE"] == 0
    new_start = clock.now_in(world.district) + timedelta(days=5)
    response = client.post(
        url("teams:meeting_reschedule", m),
        {
            "starts_at": new_start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 45,
            "location": "Library",
        },
        follow=True,
    )
    assert "The meeting was moved." in response.content.decode()
    m.refresh_from_db()
    assert m.sequence == 1 and m.duration_minutes == 45 and m.location == "Library"
    assert ics_event(client, m)["SEQUENCE"] == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [world.principal.email, world.teacher_leader.email, world.family.email]
    )
    spanish = next(msg for msg in mail.outbox if msg.to[0] == world.family.email)
    assert spanish.subject.startswith("Cambio:")
    assert spanish.attachments and b"SEQUENCE:1" in spanish.attachments[0][1].encode()


def test_a_meeting_cannot_be_moved_into_the_past(world, ilt, client_for):
    m = f.meeting(ilt.team, days=3)
    before = m.starts_at
    past = clock.now_in(world.district) - timedelta(days=1)
    response = client_for(world.principal).post(
        url("teams:meeting_reschedule", m),
        {"starts_at": past.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 60},
    )
    assert response.status_code == 200
    assert "A meeting cannot be moved into the past." in response.content.decode()
    m.refresh_from_db()
    assert m.starts_at == before and m.sequence == 0


def test_a_cancelled_meeting_says_why_and_its_calendar_entry_is_cancelled(
    world, ilt, client_for, django_capture_on_commit_callbacks
):
    m = f.meeting(ilt.team, days=3)
    client = client_for(world.principal)
    refused = client.post(url("teams:meeting_cancel", m), {"reason": ""})
    assert "The meeting was not cancelled." in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("teams:meeting_cancel", m), {"reason": "Snow day"})
    m.refresh_from_db()
    assert m.status == MeetingStatus.CANCELLED and m.sequence == 1
    event = ics_event(client, m)
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    assert len(mail.outbox) == 3 and "Snow day" in mail.outbox[0].body
    assert "Snow day" in client.get(m.get_absolute_url()).content.decode()
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=m, actor=world.principal, reason="Again")
    assert Meeting.objects.get(pk=m.pk).sequence == 1


def test_a_removed_member_leaves_the_team_and_their_history_stays(world, ilt, client_for):
    m = f.live_meeting(ilt, present=3)
    poll = f.open_poll(m)
    services.vote_cast(poll=poll, user=world.family, value="yes")
    client = client_for(world.principal)
    remove = reverse(
        "teams:member_remove",
        kwargs={"slug": "lincoln", "pk": ilt.team.pk, "member_pk": ilt.family.pk},
    )
    page = client.post(remove, follow=True).content.decode()
    assert "no longer sits on the team" in page and "Former members" in page
    member = TeamMember.objects.get(pk=ilt.family.pk)
    assert not member.is_active and member.term_end == clock.today_in(world.district)
    assert Vote.objects.filter(member=member).exists()
    assert Attendance.objects.filter(member=member).exists()
    world.family.refresh_from_db()
    assert team_role(world.family, ilt.team) is None
    again = client.post(remove, follow=True).content.decode()
    assert "This person no longer sits on the team." in again
    with pytest.raises(ValidationError):
        services.vote_cast(poll=f.open_poll(m), user=world.family, value="yes")
