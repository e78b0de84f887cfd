"""The voice part of "my work" (leadership.mywork): open surveys that ask me and that I have
not answered yet, in every school where I am staff or family."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from leadership.models import STAFF_ROLES, FamilyGrade, Role
from leadership.mywork import Entry, Section
from leadership.permissions import roles_of
from teams.permissions import team_roles

from .models import StaffAudience, Survey, SurveyStatus
from .selectors import participated_of


def _asks(survey: Survey, roles: frozenset[str], my_teams: set[int], my_grades: set[str]) -> bool:
    """As voice.selectors.audience_filter, for one person whose roles, and grades as a family
    at the survey's school, are already read."""
    staff = {r for r in roles if r in {role.value for role in STAFF_ROLES}}
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
        return any(team.pk in my_teams for team in survey.staff_teams.all())
    return False


def surveys_to_answer(*, user, today) -> Section | None:
    """In four queries whatever the number of schools and surveys: the open surveys of my
    schools (with their teams), my teams (shared with the teams sections), the surveys I
    answered; one when no survey is open. One more, for my grades as a family at every school,
    when a survey asks only the families of some grades and I am a family there."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    if not roles.by_school:
        return None
    surveys = list(
        Survey.objects.filter(school_id__in=list(roles.by_school), status=SurveyStatus.OPEN)
        .select_related("school")
        .prefetch_related("staff_teams")
        .order_by("-opened_at", "id")
    )
    if not surveys:
        return None
    my_teams = set(team_roles(user))  # read once a request, shared with the teams sections
    answered = participated_of(user, [survey.pk for survey in surveys])
    my_grades: dict[int, set[str]] = {}
    if any(
        survey.families
        and survey.family_grades
        and Role.FAMILY in roles.at(survey.school)
        and survey.pk not in answered
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
        if survey.pk not in answered
        and _asks(survey, roles.at(survey.school), my_teams, my_grades.get(survey.school_id, set()))
    ]
    if not entries:
        return None
    return Section(
        key="surveys",
        title=_("Surveys to answer"),
        entries=entries,
        order=40,
    )
