"""The voice part of "my work" (leadership.mywork): open surveys that ask me and that I have
not answered yet, in every school where I am staff or family."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from leadership.models import STAFF_ROLES, FamilyGrade, Role, School
from leadership.mywork import Entry, Section
from leadership.permissions import roles_of
from leadership.prepared import PreparedRows
from teams.permissions import team_roles

from .models import StaffAudience, Survey, SurveyStatus
from .selectors import pending_of, written_participation

_STAFF_ROLES = frozenset(role.value for role in STAFF_ROLES)

# The open surveys of my schools that I have not answered (written), with what the list shows
# of them and of their school: the SQL compiled once (leadership.prepared), the rows made the
# models that select_related() and only() would make of them.
_SURVEY_FIELDS = (
    "id",
    "school_id",
    "title",
    "staff_audience",
    "staff_roles",
    "families",
    "family_grades",
)
_SCHOOL_FIELDS = ("id", "name", "slug", "languages")
_OPEN_SURVEYS = PreparedRows(
    lambda user, schools: (
        Survey.objects.filter(school_id__in=schools, status=SurveyStatus.OPEN)
        .exclude(written_participation(user))
        .order_by("-opened_at", "id")
        .values_list(*_SURVEY_FIELDS, "school__name", "school__slug", "school__languages")
    )
)


def _survey(row: tuple) -> Survey:
    survey = Survey.from_db(DEFAULT_DB_ALIAS, _SURVEY_FIELDS, row[: len(_SURVEY_FIELDS)])
    survey.school = School.from_db(
        DEFAULT_DB_ALIAS, _SCHOOL_FIELDS, (survey.school_id, *row[len(_SURVEY_FIELDS) :])
    )
    return survey


def _asks(survey: Survey, roles: frozenset[str], via_my_team: bool, my_grades: set[str]) -> bool:
    """As voice.selectors.audience_filter, for one person whose roles, and grades as a family
    at the survey's school, are already read; `via_my_team`: the survey asks one of the teams
    the person sits on."""
    staff = roles & _STAFF_ROLES
    if (
        survey.families
        and Role.FAMILY in roles
        and (not survey.family_grades or my_grades & set(survey.family_grades))
    ):
        return True
    if survey.staff_audience == StaffAudience.ALL:
        return bool(staff)
    if survey.staff_audience == StaffAudience.ROLES:
        return bool(staff & set(survey.staff_roles or []))
    if survey.staff_audience == StaffAudience.TEAMS:
        return via_my_team
    return False


def surveys_to_answer(*, user, today) -> Section | None:
    """In one query whatever the number of schools and surveys: the open surveys of my schools
    that I have not answered (written), with what the list shows of them and of their school;
    then the ones I answered and that are still pending, in one round trip to Redis. One more
    query, for the surveys that ask some teams, when one does and I sit on a team; one more,
    for my grades as a family at every school, when a survey asks only the families of some
    grades and I am a family there."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    if not roles.by_school:
        return None
    surveys = [
        _survey(row) for row in _OPEN_SURVEYS.rows(user=user.pk, schools=tuple(roles.by_school))
    ]
    if surveys:
        answered = pending_of(user, [survey.pk for survey in surveys])
        surveys = [survey for survey in surveys if survey.pk not in answered]
    if not surveys:
        return None
    via_my_teams: set[int] = set()
    if any(survey.staff_audience == StaffAudience.TEAMS for survey in surveys):
        my_teams = list(team_roles(user))  # read once a request, shared with the teams sections
        if my_teams:
            via_my_teams = set(
                Survey.staff_teams.through.objects.filter(
                    survey_id__in=[survey.pk for survey in surveys], team_id__in=my_teams
                ).values_list("survey_id", flat=True)
            )
    my_grades: dict[int, set[str]] = {}
    if any(
        survey.families and survey.family_grades and Role.FAMILY in roles.at(survey.school)
        for survey in surveys
    ):
        for school_id, grade in FamilyGrade.objects.filter(
            membership__user=user,
            membership__role=Role.FAMILY,
            membership__is_active=True,
            membership__school_id__in=list(roles.by_school),
        ).values_list("membership__school_id", "grade"):
            my_grades.setdefault(school_id, set()).add(grade)
    language = get_language()
    entries = [
        Entry(
            title=survey.text("title", language),
            url=reverse(
                "voice:survey_answer", kwargs={"slug": survey.school.slug, "pk": survey.pk}
            ),
            context=survey.school.name,
        )
        for survey in surveys
        if _asks(
            survey,
            roles.at(survey.school),
            survey.pk in via_my_teams,
            my_grades.get(survey.school_id, set()),
        )
    ]
    if not entries:
        return None
    return Section(
        key="surveys",
        title=_("Surveys to answer"),
        entries=entries,
        order=40,
    )
