"""Reads of the voice app: surveys a person may see or answer, the audience, what blocks
opening."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from leadership.models import STAFF_ROLES, Membership, Role, School, User
from leadership.permissions import is_district_admin
from teams.models import TeamMember

from .models import (
    OPTION_KINDS,
    PlanEvidence,
    Question,
    Section,
    StaffAudience,
    Survey,
    SurveyStatus,
)
from .permissions import can_create_survey


def languages_of(survey: Survey) -> list[str]:
    return list(survey.school.languages or [settings.LANGUAGE_CODE])


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def survey_for_builder(*, pk: int) -> QuerySet[Survey]:
    return Survey.objects.select_related("school__district").prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("position", "id")),
        Prefetch("questions", queryset=Question.objects.order_by("position", "id")),
        "staff_teams",
        "owners",
    )


def school_surveys(*, user, school: School) -> QuerySet[Survey]:
    """What the person sees in the school's list: every survey for its managers; otherwise
    the surveys they own and the open ones they are asked to answer."""
    surveys = Survey.objects.filter(school=school).select_related("school")
    if can_create_survey(user, school):
        return surveys
    return surveys.filter(
        Q(owners=user) | Q(pk__in=[s.pk for s in open_for(user=user, school=school)])
    ).distinct()


def audience_filter(survey: Survey) -> Q | None:
    """The people (User) a survey asks, as one condition; None when it asks nobody with an
    account (students answer through class links)."""
    school = survey.school_id
    parts = Q(pk__in=[])
    any_part = False
    staff = Membership.objects.active().filter(school_id=school)
    if survey.staff_audience == StaffAudience.ALL:
        parts |= Q(pk__in=staff.filter(role__in=STAFF_ROLES).values("user_id"))
        any_part = True
    elif survey.staff_audience == StaffAudience.ROLES and survey.staff_roles:
        roles = [r for r in survey.staff_roles if r in STAFF_ROLES]
        parts |= Q(pk__in=staff.filter(role__in=roles).values("user_id"))
        any_part = True
    elif survey.staff_audience == StaffAudience.TEAMS:
        team_ids = [team.pk for team in survey.staff_teams.all()]
        if team_ids:
            members = TeamMember.objects.active().filter(team_id__in=team_ids)
            parts |= Q(pk__in=members.values("user_id"))
            any_part = True
    if survey.families:
        parts |= Q(pk__in=staff.filter(role=Role.FAMILY).values("user_id"))
        any_part = True
    return parts if any_part else None


def audience(survey: Survey) -> QuerySet[User]:
    condition = audience_filter(survey)
    if condition is None:
        return User.objects.none()
    return User.objects.filter(condition, is_active=True)


def is_in_audience(user, survey: Survey) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return audience(survey).filter(pk=user.pk).exists()


def open_for(*, user, school: School) -> list[Survey]:
    """The open surveys of the school this person is asked to answer."""
    surveys = list(
        Survey.objects.filter(school=school, status=SurveyStatus.OPEN)
        .select_related("school")
        .prefetch_related("staff_teams")
    )
    return [s for s in surveys if is_in_audience(user, s)]


def audience_size(survey: Survey) -> int:
    return audience(survey).count()


def has_audience(survey: Survey) -> bool:
    return audience_filter(survey) is not None or survey.students


def survey_problems(survey: Survey) -> list[str]:
    """What keeps the survey from opening, as sentences for its owners (reads prefetched
    sections and questions)."""
    problems: list[str] = []
    languages = languages_of(survey)
    questions = list(survey.questions.all())
    if not questions:
        problems.append(_("The survey has no questions."))
    if not has_audience(survey):
        problems.append(_("The survey has no audience: choose staff, families or students."))
    for code in languages:
        name = language_name(code)
        missing = []
        if not (survey.title or {}).get(code, "").strip():
            missing.append(_("the title"))
        for section in survey.sections.all():
            if not (section.title or {}).get(code, "").strip():
                missing.append(_("section “%(section)s”") % {"section": section})
        for number, question in enumerate(questions, start=1):
            if not (question.text or {}).get(code, "").strip():
                missing.append(_("question %(n)s") % {"n": number})
            elif question.kind in OPTION_KINDS and any(
                not (option.get(code) or "").strip() for option in question.options
            ):
                missing.append(_("the options of question %(n)s") % {"n": number})
        if missing:
            problems.append(
                _("Missing in %(language)s: %(items)s.")
                % {"language": name, "items": ", ".join(str(m) for m in missing)}
            )
    return problems


def can_view_district_surveys(user, school: School) -> bool:
    return is_district_admin(user, school.district_id)


def evidence_by_goal(goal_ids) -> dict[int, list]:
    """{goal id: [PlanEvidence, ...]} for the plan page (one query)."""
    found: dict[int, list] = {}
    rows = PlanEvidence.objects.filter(goal_id__in=list(goal_ids)).select_related("survey__school")
    for row in rows:
        found.setdefault(row.goal_id, []).append(row)
    return found
