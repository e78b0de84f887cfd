"""What people do on the teams pages, through the views."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from leadership import clock
from teams import services
from teams.models import ActionItem, AgendaItem, Decision, Meeting, MeetingStatus, PollKind, Vote
from tests.teams import factories as f

pytestmark = pytest.mark.django_db


def url(name, meeting, **extra):
    return reverse(name, kwargs={"slug": meeting.team.school.slug, "pk": meeting.pk, **extra})


def test_team_page_shows_seats_charter_members_and_overdue_items(world, ilt, client_for):
    earlier = f.held_meeting(ilt)
    f.action(ilt, earlier, title="Overdue thing", days=-3)
    f.action(ilt, earlier, title="Not yet due", days=5)
    page = client_for(world.principal).get(ilt.team.get_absolute_url()).content.decode()
    assert "Teacher: 1 of 2 filled" in page
    assert "1 vacant seat" in page
    assert "Classified staff: 0 of 1 filled" in page
    assert "Consensus" in page and "budget" in page
    assert "Overdue action items" in page and "Overdue thing" in page
    # Overdue items are for whoever runs the team; a member does not get the list.
    page = client_for(world.teacher_leader).get(ilt.team.get_absolute_url()).content.decode()
    assert "Overdue action items" not in page and "budget" in page


def test_staff_see_only_meetings_with_approved_minutes(world, ilt, client_for):
    approved = f.held_meeting(ilt, approved=True)
    draft = f.held_meeting(ilt, days=-7)
    page = client_for(world.staff).get(ilt.team.get_absolute_url()).content.decode()
    assert approved.get_absolute_url() in page
    assert draft.get_absolute_url() not in page


def test_principal_schedules_a_meeting_in_the_district_time_zone(world, ilt, client_for):
    response = client_for(world.principal).post(
        reverse("teams:meeting_schedule", kwargs={"slug": "lincoln", "pk": ilt.team.pk}),
        {
            "starts_at": "2026-12-01T16:00",
            "duration_minutes": 60,
            "location": "Library",
            "repeat": 2,
        },
    )
    assert response.status_code == 302
    meetings = list(Meeting.objects.filter(team=ilt.team).order_by("starts_at"))
    assert len(meetings) == 2
    # America/Chicago in December is UTC-6.
    assert meetings[0].starts_at == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


def test_an_absurd_time_box_is_refused_with_the_input_kept(world, ilt, client_for):
    m = f.live_meeting(ilt)
    response = client_for(world.principal).post(
        url("teams:agenda_item_add", m),
        {"title": "Attendance deep dive", "minutes_allotted": "-5", "kind": "discuss"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A time box is between 1 and 240 minutes." in page
    assert 'value="Attendance deep dive"' in page
    assert not AgendaItem.objects.filter(title="Attendance deep dive").exists()


def test_a_stale_minutes_save_shows_both_versions(world, ilt, client_for):
    m = f.live_meeting(ilt)
    item = m.current_item
    services.minutes_save(item=item, actor=world.teacher_leader, notes="Their notes", version=1)
    response = client_for(world.principal).post(
        url("teams:minutes_save", m, item_pk=item.pk), {"notes": "My own notes", "version": 1}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert str(services.MINUTES_STALE) in page.replace("&#x27;", "'")
    assert "Their notes" in page and "My own notes" in page
    assert 'name="version" value="2"' in page
    item.refresh_from_db()
    assert item.notes == "Their notes"


def test_a_refused_decision_shows_the_reason_and_records_nothing(world, ilt, client_for):
    m = f.live_meeting(ilt, present=1)
    response = client_for(world.principal).post(
        url("teams:decision_record", m),
        {
            "item": m.current_item_id,
            "rule": ilt.budget.pk,
            "text": "Buy the books",
            "outcome": "adopted",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The decision was not recorded." in page
    assert "need a quorum of 2 members present; 1 are marked present" in page
    assert 'value="Buy the books"' in page
    assert not Decision.objects.exists()


def test_how_it_was_decided_is_the_method_of_the_decision_area(world, ilt, client_for):
    m = f.live_meeting(ilt, present=3)
    client = client_for(world.principal)
    page = client.get(m.get_absolute_url()).content.decode()
    assert "budget: Consensus" in page and 'name="model_used"' not in page
    client.post(
        url("teams:decision_record", m),
        {
            "item": m.current_item_id,
            "rule": ilt.budget.pk,
            "model_used": "majority",  # not asked again: ignored
            "text": "Buy the books",
            "outcome": "adopted",
        },
    )
    assert Decision.objects.get().model_used == "consensus"


def test_a_member_votes_from_their_own_device_and_the_tally_updates(world, ilt, client_for):
    m = f.live_meeting(ilt)
    poll = f.open_poll(m, PollKind.FIST_TO_FIVE)
    client = client_for(world.family)
    response = client.post(
        url("teams:poll_vote", m, poll_pk=poll.pk), {"value": "4"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "Your answer was recorded." in page
    assert "4: <strong>1</strong>" in page
    response = client.post(
        url("teams:poll_vote", m, poll_pk=poll.pk), {"value": "2"}, HTTP_HX_REQUEST="true"
    )
    assert str(services.POLL_ANSWERED) in response.content.decode().replace("&#x27;", "'")
    assert Vote.objects.get().value == "4"


def test_the_live_region_answers_304_until_something_changes(world, ilt, client_for):
    m = f.live_meeting(ilt)
    client = client_for(world.teacher_leader)
    live = url("teams:meeting_live", m)
    first = client.get(live, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and first["ETag"]
    same = client.get(live, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 304 and same.content == b""
    services.agenda_item_add(meeting=m, actor=world.principal, title="New", minutes_allotted=5)
    services.decision_record(
        item=m.current_item,
        actor=world.principal,
        rule=ilt.schedule,
        model_used="majority",
        text="Thursdays it is",
        outcome="adopted",
    )
    changed = client.get(live, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "Thursdays it is" in changed.content.decode()


def test_the_meeting_page_runs_a_meeting(world, ilt, client_for):
    m = f.meeting(ilt.team, days=0)
    f.item(m, title="Reading data")
    client = client_for(world.principal)
    client.post(url("teams:meeting_start", m))
    client.post(url("teams:meeting_attendance", m), {"member": ilt.leader.pk, "present": "1"})
    client.post(url("teams:meeting_attendance", m), {"member": ilt.family.pk, "present": "1"})
    client.post(
        url("teams:action_item_create", m),
        {
            "title": "Send the letter",
            "owner": world.teacher_leader.pk,
            "due": (clock.today_in(world.district) + timedelta(days=5)).isoformat(),
        },
    )
    client.post(url("teams:meeting_close", m))
    m.refresh_from_db()
    assert m.status == MeetingStatus.HELD
    assert m.attendance.filter(present=True).count() == 2
    assert ActionItem.objects.get().owner == world.teacher_leader
    response = client.post(
        url("teams:agenda_item_add", m),
        {"title": "Too late", "minutes_allotted": 5, "kind": "inform"},
    )
    assert str(services.MEETING_CLOSED) in response.content.decode().replace("&#x27;", "'")
    assert not AgendaItem.objects.filter(title="Too late").exists()


def test_approved_minutes_are_read_only_with_history_and_printable(world, ilt, client_for):
    held = f.held_meeting(ilt)
    item = f.item(held, title="Budget")
    services.minutes_save(item=item, actor=world.principal, notes="We agreed.", version=1)
    f.meeting(ilt.team, days=0, status=MeetingStatus.IN_PROGRESS)
    client = client_for(world.principal)
    client.post(url("teams:minutes_approve", held))
    held.refresh_from_db()
    assert held.minutes_status == "approved"
    page = client.get(held.get_absolute_url()).content.decode()
    assert "History of the minutes" in page and "approved the minutes" in page
    assert url("teams:minutes_save", held, item_pk=item.pk) not in page
    printed = client_for(world.staff).get(url("teams:meeting_print", held)).content.decode()
    assert "We agreed." in printed and "Approved on" in printed


def test_school_page_shows_my_open_action_items_and_vacant_seats(world, ilt, client_for):
    earlier = f.held_meeting(ilt)
    f.action(ilt, earlier, title="Mine to do", owner=world.teacher_leader)
    f.action(ilt, earlier, title="Someone else's", owner=world.family)
    page = client_for(world.teacher_leader).get(world.school.get_absolute_url()).content.decode()
    assert "Mine to do" in page and "Someone else" not in page
    assert "2 required seats vacant" in page


def test_decision_log_searches(world, ilt, client_for):
    m = f.live_meeting(ilt, present=3)
    for text in ("Adopt phonics sequence", "Move data meeting"):
        services.decision_record(
            item=m.current_item,
            actor=world.principal,
            rule=ilt.schedule,
            model_used="majority",
            text=text,
            outcome="adopted",
        )
    page = (
        client_for(world.family)
        .get(reverse("teams:decision_log", kwargs={"slug": "lincoln"}), {"q": "phonics"})
        .content.decode()
    )
    assert "Adopt phonics sequence" in page and "Move data meeting" not in page
    # Staff read decisions once the minutes are approved.
    page = (
        client_for(world.staff)
        .get(reverse("teams:decision_log", kwargs={"slug": "lincoln"}))
        .content.decode()
    )
    assert "Adopt phonics sequence" not in page


def test_the_facilitator_closes_a_poll_by_hand(world, ilt, client_for):
    m = f.live_meeting(ilt)
    poll = f.open_poll(m, PollKind.YES_NO)
    client = client_for(world.principal)
    page = client.post(url("teams:poll_close", m, poll_pk=poll.pk), follow=True)
    assert "The poll is closed." in page.content.decode()
    poll.refresh_from_db()
    assert not poll.is_open
    again = client.post(url("teams:poll_close", m, poll_pk=poll.pk), follow=True)
    assert "This poll is already closed." in again.content.decode()
    refused = client_for(world.family).post(
        url("teams:poll_vote", m, poll_pk=poll.pk), {"value": "yes"}, follow=True
    )
    assert "This poll is closed." in refused.content.decode()


def test_the_facilitator_reassigns_an_action_item_and_a_stale_edit_is_refused(
    world, ilt, client_for
):
    m = f.live_meeting(ilt)
    action = f.action(ilt, m, owner=world.teacher_leader, title="Order the books")
    client = client_for(world.principal)
    edit = url("teams:action_item_edit", m, action_pk=action.pk)
    page = client.get(edit).content.decode()
    assert "Order the books" in page
    version = services.action_version(action)
    due = clock.today_in(world.district) + timedelta(days=14)
    data = {
        "title": "Order the K-2 books",
        "owner": world.family.pk,
        "due": due,
        "version": version,
    }
    response = client.post(edit, data, follow=True)
    assert "The action item was saved." in response.content.decode()
    action.refresh_from_db()
    assert action.owner == world.family and action.due == due
    # The same form again (loaded before that save) is stale: refused, nothing changes.
    stale = client.post(edit, data | {"title": "Something else", "owner": world.principal.pk})
    assert "Someone else saved this while you were editing it" in stale.content.decode()
    action.refresh_from_db()
    assert action.title == "Order the K-2 books" and action.owner == world.family
    # Only members of the team own action items.
    outsider = services.action_version(action)
    refused = client.post(edit, data | {"owner": world.staff.pk, "version": outsider})
    assert refused.status_code == 200
    assert ActionItem.objects.get(pk=action.pk).owner == world.family


def test_the_page_says_which_minutes_can_be_approved_and_why(world, ilt, client_for):
    client = client_for(world.principal)
    held = f.held_meeting(ilt, days=-1)
    page = client.get(held.get_absolute_url()).content.decode()
    assert "they can be approved once it has started" in page
    assert "Approve these minutes" not in page
    refused = client.post(url("teams:minutes_approve", held), follow=True).content.decode()
    assert "Minutes are approved at the team" in refused
    # The team's rule: approve the minutes when the meeting closes.
    rule = reverse("teams:minutes_rule_set", kwargs={"slug": "lincoln", "pk": ilt.team.pk})
    client.post(rule, {"minutes_rule": "at_close"})
    page = client.get(held.get_absolute_url()).content.decode()
    assert "these can be approved now" in page and "Approve these minutes" in page
    client.post(url("teams:minutes_approve", held))
    held.refresh_from_db()
    assert held.minutes_status == "approved"
