"""Named checks of the teams app, read from memberships and team seats.

- the principal and the district's admins see every team of the school (admins read only);
- the principal and a team's facilitator run and edit its meetings;
- members (families among them) see everything of their team and answer polls;
- other staff of the school read the charter, and minutes and decisions once approved;
- families who are not members see nothing of teams.
"""

from __future__ import annotations

from leadership import clock
from leadership.models import School
from leadership.permissions import is_district_admin, is_principal, is_school_staff
from leadership.prepared import PreparedRows

from .models import Meeting, MinutesStatus, Team, TeamMember, TeamRole

# The selectors of this app read these checks to scope what they return; nothing here reads
# the selectors, so the two modules import in one direction only.


# No order: a mapping, and the model's order would join the teams to sort them. The SQL
# compiled once (leadership.prepared): read on every page of the teams.
_TEAM_ROLES = PreparedRows(
    lambda user, today: (
        TeamMember.objects.filter(user=user, is_active=True)
        .exclude(term_end__lt=today)
        .order_by()
        .values_list("team_id", "role")
    )
)


def team_roles(user) -> dict[int, str]:
    """{team id: team role} of the user's active team seats, one query, cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_accord_team_roles", None)
    if cached is not None:
        return cached
    roles = dict(_TEAM_ROLES.rows(user=user.pk, today=clock.today()))
    user._accord_team_roles = roles
    return roles


def team_role(user, team: Team | int) -> str | None:
    team_id = team if isinstance(team, int) else team.pk
    return team_roles(user).get(team_id)


def can_see_all_teams(user, school: School) -> bool:
    return is_principal(user, school) or is_district_admin(user, school.district_id)


def is_team_reader_of_school(user, school: School) -> bool:
    """Staff of the school read published minutes and decisions of every team."""
    return is_school_staff(user, school)


def is_member(user, team: Team) -> bool:
    return team_role(user, team) is not None


def can_view_teams(user, school: School) -> bool:
    """The school's team list and decision log: staff, admins, and families who sit on a team."""
    if can_see_all_teams(user, school) or is_team_reader_of_school(user, school):
        return True
    return any(True for _ in team_roles(user)) and _member_of_school_team(user, school)


def _member_of_school_team(user, school: School) -> bool:
    return Team.objects.filter(school=school, pk__in=list(team_roles(user))).exists()


def can_view_team(user, team: Team) -> bool:
    school = team.school
    return (
        can_see_all_teams(user, school)
        or is_member(user, team)
        or is_team_reader_of_school(user, school)
    )


def can_run_meeting(user, team: Team) -> bool:
    return is_principal(user, team.school) or team_role(user, team) == TeamRole.FACILITATOR


def can_view_meeting(user, meeting: Meeting) -> bool:
    team = meeting.team
    if can_see_all_teams(user, team.school) or is_member(user, team):
        return True
    return (
        is_team_reader_of_school(user, team.school)
        and meeting.minutes_status == MinutesStatus.APPROVED
    )


def can_vote(user, team: Team) -> bool:
    return is_member(user, team)
