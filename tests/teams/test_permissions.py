"""Permission matrix of the teams pages: role x URL -> status."""

from datetime import timedelta

import pytest

from leadership import clock
from teams import services
from teams.models import ActionItem, AgendaProposal, MeetingStatus, PollKind
from teams.services import charter_version
from tests.matrix import Row, check_row, parametrize
from tests.teams import factories as f


def everyone(status: int, **overrides) -> dict[str, int]:
    from tests.conftest import ROLES

    return {role: overrides.get(role, status) for role in ROLES}


OUTSIDERS_404 = dict(other_school_principal=404, other_district_admin=404)
# Team members (the principal facilitates; the teacher leader and the family sit on the ILT),
# the district's admins and the school's staff.
READERS = everyone(200, anonymous=302, **OUTSIDERS_404)
# A meeting whose minutes are not approved: members and admins, not the other staff.
MEMBERS_READ = everyone(200, anonymous=302, staff=403, **OUTSIDERS_404)
# Running a meeting: the principal (the facilitator here) only.
RUNNER = everyone(403, anonymous=302, principal=302, **OUTSIDERS_404)
RUNNER_200 = everyone(403, anonymous=302, principal=200, **OUTSIDERS_404)


def _school(world):
    f.ilt_for(world)  # the world's family sits on the ILT
    return {"slug": world.school.slug}


def _team(world):
    return {"slug": world.school.slug, "pk": f.ilt_for(world).team.pk}


def _scheduled(world):
    ilt = f.ilt_for(world)
    m = f.meeting(ilt.team)
    f.item(m)
    return {"slug": world.school.slug, "pk": m.pk}


def _approved(world):
    m = f.held_meeting(f.ilt_for(world), approved=True)
    return {"slug": world.school.slug, "pk": m.pk}


def _live(world):
    return {"slug": world.school.slug, "pk": f.live_meeting(f.ilt_for(world)).pk}


def _live_item(world):
    m = f.live_meeting(f.ilt_for(world))
    return {"slug": world.school.slug, "pk": m.pk, "item_pk": m.current_item_id}


def _held_with_next(world):
    ilt = f.ilt_for(world)
    held = f.held_meeting(ilt)
    f.meeting(ilt.team, days=0, status=MeetingStatus.IN_PROGRESS)
    return {"slug": world.school.slug, "pk": held.pk}


def _poll(world):
    m = f.live_meeting(f.ilt_for(world))
    poll = f.open_poll(m, PollKind.YES_NO)
    return {"slug": world.school.slug, "pk": m.pk, "poll_pk": poll.pk}


def _action(world):
    ilt = f.ilt_for(world)
    m = f.live_meeting(ilt)
    a = f.action(ilt, m, owner=world.teacher_leader)
    return {"slug": world.school.slug, "pk": m.pk, "action_pk": a.pk}


def _member(world):
    return {"member": f.ilt_for(world).leader.pk, "present": "1"}


def _decision(world):
    ilt = f.ilt_for(world)
    m = ilt.team.meetings.get(status=MeetingStatus.IN_PROGRESS)
    return {
        "item": m.current_item_id,
        "rule": ilt.schedule.pk,
        "model_used": "majority",
        "text": "Move the data meeting to Thursdays",
        "outcome": "adopted",
    }


def _action_data(world):
    return {
        "title": "Draft the letter",
        "owner": world.teacher_leader.pk,
        "due": (clock.today_in(world.district) + timedelta(days=7)).isoformat(),
    }


def _proposal(world):
    ilt = f.ilt_for(world)
    proposal = f.proposal(ilt)
    f.meeting(ilt.team)
    return {"slug": world.school.slug, "pk": ilt.team.pk, "proposal_pk": proposal.pk}


def _proposal_with_file(world):
    from django.core.files.base import ContentFile

    kwargs = _proposal(world)
    proposal = AgendaProposal.objects.get(pk=kwargs["proposal_pk"])
    proposal.file.save("rota.pdf", ContentFile(b"%PDF-1.4"), save=False)
    proposal.file_name = "rota.pdf"
    proposal.save()
    return kwargs


# Members of the team (the principal facilitates; the teacher leader and the family sit on it).
MEMBERS_POST = everyone(
    403, anonymous=302, principal=302, teacher_leader=302, family=302, **OUTSIDERS_404
)


def _decision_proposal(world, state="open", rule=None):
    from datetime import timedelta as td

    from django.utils import timezone

    from teams.models import Proposal

    ilt = f.ilt_for(world)
    proposal = Proposal.objects.create(
        team=ilt.team,
        rule=rule or ilt.budget,
        title="Rota",
        text="Two adults",
        opened_by=world.teacher_leader,
        closes_at=timezone.now() + td(days=2),
        state=state,
    )
    return {"slug": world.school.slug, "pk": proposal.pk}


def _awaiting_lead(world):
    from teams.models import DecisionRule

    rule = DecisionRule.objects.create(
        team=f.ilt_for(world).team, area="hiring", model="leader_after_input", who_decides="P"
    )
    return _decision_proposal(world, state="awaiting_lead", rule=rule)


MATRIX = [
    Row(
        "teams:proposal_open",
        MEMBERS_POST,
        kwargs=_team,
        method="POST",
        data=lambda w: {
            "area": "budget",
            "title": "Rota",
            "text": "Two adults",
            "closes_at": (clock.now_in(w.district) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    ),
    Row("teams:proposal_detail", MEMBERS_READ, kwargs=_decision_proposal),
    Row(
        "teams:proposal_answer",
        MEMBERS_POST,
        kwargs=_decision_proposal,
        method="POST",
        data=lambda w: {"value": "3"},
    ),
    # Members may ask; the service lets only the opener (the teacher leader) or the
    # facilitator amend, and the page says so to the others.
    Row(
        "teams:proposal_amend",
        everyone(
            403, anonymous=302, principal=302, teacher_leader=302, family=200, **OUTSIDERS_404
        ),
        kwargs=_decision_proposal,
        method="POST",
        data=lambda w: {"text": "One adult"},
    ),
    Row(
        "teams:proposal_decide",
        RUNNER,
        kwargs=_awaiting_lead,
        method="POST",
        data=lambda w: {"outcome": "adopted"},
    ),
    Row(
        "teams:proposal_create",
        MEMBERS_POST,
        kwargs=_team,
        method="POST",
        data=lambda w: {"title": "Recess rota", "kind": "discuss", "minutes_wanted": 10},
    ),
    Row(
        "teams:proposal_accept",
        RUNNER,
        kwargs=_proposal,
        method="POST",
        data=lambda w: {"meeting": f.ilt_for(w).team.meetings.get().pk},
    ),
    Row(
        "teams:proposal_decline",
        RUNNER,
        kwargs=_proposal,
        method="POST",
        data=lambda w: {"reason": "Next term"},
    ),
    Row("teams:proposal_file", MEMBERS_READ, kwargs=_proposal_with_file),
    Row("teams:team_list", READERS, kwargs=_school),
    Row("teams:team_detail", READERS, kwargs=_team),
    Row("teams:decision_log", READERS, kwargs=_school),
    Row(
        "teams:team_create",
        RUNNER,
        kwargs=_school,
        method="POST",
        data=lambda w: {"kind": "grade_level", "name": "Grade 3", "cadence": "weekly"},
    ),
    Row(
        "teams:member_add",
        RUNNER,
        kwargs=_team,
        method="POST",
        data=lambda w: {"user": w.staff.pk, "stakeholder_group": "classified", "role": "member"},
    ),
    Row(
        "teams:rule_save",
        RUNNER,
        kwargs=_team,
        method="POST",
        data=lambda w: {
            "area": "hiring",
            "model": "leader_after_input",
            "who_decides": "P",
            "quorum": 0,
            "version": charter_version(f.ilt_for(w).team),
        },
    ),
    Row(
        "teams:seat_set",
        RUNNER,
        kwargs=_team,
        method="POST",
        data=lambda w: {"stakeholder_group": "student", "seats_required": 2},
    ),
    Row(
        "teams:meeting_schedule",
        RUNNER,
        kwargs=_team,
        method="POST",
        data=lambda w: {
            "starts_at": "2026-12-01T16:00",
            "duration_minutes": 60,
            "location": "Library",
            "repeat": 1,
        },
    ),
    Row("teams:meeting_detail", MEMBERS_READ, kwargs=_scheduled),
    Row("teams:meeting_detail", READERS, kwargs=_approved),
    Row("teams:meeting_live", MEMBERS_READ, kwargs=_live),
    Row("teams:meeting_live", READERS, kwargs=_approved),
    Row("teams:meeting_ics", MEMBERS_READ, kwargs=_scheduled),
    Row("teams:meeting_print", MEMBERS_READ, kwargs=_scheduled),
    Row("teams:meeting_print", READERS, kwargs=_approved),
    Row(
        "teams:meeting_start",
        RUNNER,
        kwargs=_scheduled,
        method="POST",
        data=lambda w: {"other_day": "1"},
    ),
    Row("teams:meeting_close", RUNNER, kwargs=_live, method="POST"),
    Row(
        "teams:meeting_reschedule",
        RUNNER,
        kwargs=_scheduled,
        method="POST",
        data=lambda w: {
            "starts_at": (clock.now_in(w.district) + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
        },
    ),
    Row(
        "teams:meeting_cancel",
        RUNNER,
        kwargs=_scheduled,
        method="POST",
        data=lambda w: {"reason": "Snow day"},
    ),
    Row(
        "teams:member_remove",
        RUNNER,
        kwargs=lambda w: _team(w) | {"member_pk": f.ilt_for(w).family.pk},
        method="POST",
    ),
    Row("teams:agenda_send", RUNNER, kwargs=_scheduled, method="POST"),
    Row("teams:meeting_attendance", RUNNER, kwargs=_live, method="POST", data=_member),
    Row(
        "teams:agenda_item_add",
        RUNNER,
        kwargs=_live,
        method="POST",
        data=lambda w: {"title": "Attendance data", "minutes_allotted": 10, "kind": "discuss"},
    ),
    Row(
        "teams:agenda_item_move",
        RUNNER,
        kwargs=_live_item,
        method="POST",
        data=lambda w: {"direction": "down"},
    ),
    Row("teams:agenda_item_current", RUNNER, kwargs=_live_item, method="POST"),
    Row(
        "teams:minutes_save",
        RUNNER,
        kwargs=_live_item,
        method="POST",
        data=lambda w: {"notes": "We looked at the data.", "version": 1},
    ),
    Row("teams:minutes_approve", RUNNER, kwargs=_held_with_next, method="POST"),
    Row(
        "teams:poll_open",
        RUNNER,
        kwargs=_live,
        method="POST",
        data=lambda w: {"kind": "fist_to_five", "question": "How ready are we?"},
    ),
    Row(
        "teams:poll_vote",
        everyone(
            403,
            anonymous=302,
            principal=302,
            teacher_leader=302,
            family=302,
            **OUTSIDERS_404,
        ),
        kwargs=_poll,
        method="POST",
        data=lambda w: {"value": "yes"},
    ),
    Row(
        "teams:minutes_rule_set",
        RUNNER,
        kwargs=_team,
        method="POST",
        data=lambda w: {"minutes_rule": "at_close"},
    ),
    Row("teams:poll_close", RUNNER, kwargs=_poll, method="POST"),
    Row("teams:decision_record", RUNNER, kwargs=_live, method="POST", data=_decision),
    Row("teams:action_item_create", RUNNER, kwargs=_live, method="POST", data=_action_data),
    Row("teams:action_item_edit", RUNNER_200, kwargs=_action),
    Row(
        "teams:action_item_edit",
        RUNNER,
        kwargs=_action,
        method="POST",
        data=lambda w: (
            _action_data(w) | {"version": services.action_version(ActionItem.objects.get())}
        ),
    ),
    Row(
        "teams:action_item_done",
        everyone(403, anonymous=302, principal=302, teacher_leader=302, **OUTSIDERS_404),
        kwargs=_action,
        method="POST",
    ),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)


@pytest.fixture
def outsider_family(world):
    """A family of the school that sits on no team."""
    from leadership.models import Role
    from tests.leadership.factories import person

    return person(Role.FAMILY, school=world.school, email="not.member@example.org")


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("teams:team_list", _school),
        ("teams:team_detail", _team),
        ("teams:decision_log", _school),
        ("teams:meeting_detail", _approved),
    ],
)
def test_a_family_that_sits_on_no_team_sees_nothing_of_teams(
    name, kwargs, world, outsider_family, client
):
    from django.urls import reverse

    client.force_login(outsider_family)
    assert client.get(reverse(name, kwargs=kwargs(world))).status_code == 403


def test_the_school_page_shows_no_team_section_to_a_family_on_no_team(
    world, outsider_family, client
):
    f.ilt_for(world)
    client.force_login(outsider_family)
    response = client.get(world.school.get_absolute_url())
    assert response.status_code == 200
    assert "Leadership team" not in response.content.decode()
