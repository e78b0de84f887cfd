"""The principal or facilitator sets up a team: members, seats and the written charter."""

import pytest
from django.urls import reverse

from leadership.models import AuditEntry
from teams.models import DecisionRule, StakeholderSeat, Team, TeamMember
from teams.services import charter_version
from tests.leadership.factories import UserFactory
from tests.teams import factories as f

pytestmark = pytest.mark.django_db


def team_url(name, team):
    return reverse(name, kwargs={"slug": team.school.slug, "pk": team.pk})


def test_a_second_ilt_for_the_year_is_refused_with_the_input_kept(world, ilt, client_for):
    client = client_for(world.principal)
    response = client.post(
        reverse("teams:team_create", kwargs={"slug": "lincoln"}),
        {"kind": "ilt", "name": "Another ILT", "cadence": "weekly"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The school already has an ILT for this school year." in page
    assert 'value="Another ILT"' in page
    assert Team.objects.filter(kind="ilt").count() == 1
    response = client.post(
        reverse("teams:team_create", kwargs={"slug": "lincoln"}),
        {"kind": "grade_level", "name": "Grade 3 team", "cadence": "weekly"},
    )
    team = Team.objects.get(name="Grade 3 team")
    assert response.url == team.get_absolute_url()
    assert team.school_year == ilt.year


def test_only_people_of_the_school_join_its_teams(world, ilt, client_for):
    client = client_for(world.principal)
    stranger = UserFactory()
    response = client.post(
        team_url("teams:member_add", ilt.team),
        {"user": stranger.pk, "stakeholder_group": "teacher", "role": "member"},
    )
    assert response.status_code == 200
    assert not TeamMember.objects.filter(user=stranger).exists()
    client.post(
        team_url("teams:member_add", ilt.team),
        {"user": world.staff.pk, "stakeholder_group": "classified", "role": "timekeeper"},
    )
    member = TeamMember.objects.get(user=world.staff)
    assert (member.stakeholder_group, member.role) == ("classified", "timekeeper")


def test_a_charter_change_is_audited_before_and_after(world, ilt, client_for):
    client = client_for(world.principal)
    client.post(
        team_url("teams:rule_save", ilt.team),
        {
            "area": "Budget",
            "model": "consent",
            "who_decides": "The ILT",
            "quorum": 3,
            "version": charter_version(ilt.team),
        },
    )
    rule = DecisionRule.objects.get(pk=ilt.budget.pk)
    assert (rule.model, rule.quorum) == ("consent", 3)
    entry = AuditEntry.objects.get(action="decision_rule.save")
    assert entry.before["model"] == "consensus" and entry.after["model"] == "consent"
    response = client.post(
        team_url("teams:rule_save", ilt.team),
        {
            "area": "Schedule",
            "model": "majority",
            "who_decides": "",
            "quorum": -1,
            "version": charter_version(ilt.team),
        },
    )
    assert response.status_code == 200
    assert DecisionRule.objects.get(pk=ilt.schedule.pk).model == "majority"


def test_seats_are_set_and_a_vacant_one_is_flagged(world, ilt, client_for):
    client = client_for(world.principal)
    client.post(
        team_url("teams:seat_set", ilt.team), {"stakeholder_group": "student", "seats_required": 2}
    )
    client.post(
        team_url("teams:seat_set", ilt.team),
        {"stakeholder_group": "classified", "seats_required": 0},
    )
    groups = dict(
        StakeholderSeat.objects.filter(team=ilt.team).values_list(
            "stakeholder_group", "seats_required"
        )
    )
    assert groups == {"teacher": 2, "family": 1, "student": 2}
    page = client.get(ilt.team.get_absolute_url()).content.decode()
    assert "Student: 0 of 2 filled" in page and "2 vacant seats" in page


def test_members_cannot_change_the_charter(world, ilt, client_for):
    response = client_for(world.teacher_leader).post(
        team_url("teams:rule_save", ilt.team),
        {"area": "Budget", "model": "majority", "who_decides": "Me", "quorum": 0},
    )
    assert response.status_code == 403
    assert DecisionRule.objects.get(pk=ilt.budget.pk).model == "consensus"
    assert f.ilt_for(world) is ilt
