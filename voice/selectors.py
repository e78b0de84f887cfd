"""Reads of the voice app: surveys a person may see or answer, the audience, what blocks
opening."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from leadership import grades as grade_codes
from leadership.lookups import from_row
from leadership.models import STAFF_ROLES, District, FamilyGrade, Membership, Role, School, User
from leadership.permissions import is_district_admin, roles_of
from leadership.prepared import Prepared
from teams.models import TeamMember

from . import pending, tokens
from .models import (
    OPTION_KINDS,
    Idea,
    IdeaExchange,
    IdeaRating,
    ListeningSession,
    ListeningTheme,
    Participation,
    PlanEvidence,
    Question,
    Section,
    StaffAudience,
    StudentLink,
    Survey,
    SurveyStatus,
    Theme,
)
from .permissions import can_create_survey, is_family, staff_role
from .suppression import suppressed_groups

logger = logging.getLogger(__name__)


def languages_of(survey: Survey) -> list[str]:
    """The languages the survey is written in: its school's, or for a district's survey every
    language any active school of the district uses (the district's order first)."""
    if survey.school_id is not None:
        return list(survey.school.languages or [settings.LANGUAGE_CODE])
    return district_languages(survey.district)


def district_languages(district) -> list[str]:
    """Every language an active school of the district uses, the district's order first."""
    used: list[str] = []
    for languages in School.objects.filter(district=district, is_active=True).values_list(
        "languages", flat=True
    ):
        # A school without languages uses the default one (School.default_language), as
        # district_survey_problems and the school's copy take it.
        used.extend(code for code in languages or [settings.LANGUAGE_CODE] if code not in used)
    ordered = [code for code in district.languages or [] if code in used]
    return ordered + [code for code in used if code not in ordered] or [settings.LANGUAGE_CODE]


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def survey_for_builder(*, pk: int) -> QuerySet[Survey]:
    return Survey.objects.select_related(
        "school__district", "district", "copied_from"
    ).prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("position", "id")),
        Prefetch(
            "questions",
            queryset=Question.objects.select_related("section").order_by("position", "id"),
        ),
        "staff_teams",
        "owners",
    )


def survey_for_answering(*, pk: int) -> QuerySet[Survey]:
    """A school's survey with its questions in order, for its answer page. The page puts its
    own school on it; the sections are read only when a question has one, and the teams only
    for a survey that asks teams (`with_teams`)."""
    return Survey.objects.filter(pk=pk).prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
    )


def with_teams(survey: Survey) -> Survey:
    """The survey with its staff teams read, when it asks teams (who is asked reads them)."""
    if survey.staff_audience == StaffAudience.TEAMS:
        prefetch_related_objects([survey], "staff_teams")
    return survey


def section_titles(survey: Survey, questions, language: str) -> dict[int, str]:
    """{section id: its title in `language`}: no query when no question is in a section."""
    if not any(question.section_id for question in questions):
        return {}
    return {s.pk: (s.title or {}).get(language, "") for s in survey.sections.all()}


def school_surveys(*, user, school: School) -> QuerySet[Survey]:
    """What the person sees in the school's list: every survey for its managers; otherwise
    the surveys they own and the open ones they are asked to answer."""
    surveys = Survey.objects.filter(school=school).select_related("school", "copied_from")
    if can_create_survey(user, school):
        return surveys
    return surveys.filter(
        Q(owners=user) | Q(pk__in=[s.pk for s in open_for(user=user, school=school)])
    ).distinct()


def audience_filter(survey: Survey) -> Q | None:
    """The people (User) a survey asks, as one condition; None when it asks nobody with an
    account (students answer through class links). The district's own survey (no school)
    asks nobody itself: its schools' copies do.

    Everyone asked by a role at the school (staff roles, families of some grades) is one
    subquery of memberships: PostgreSQL reads the school's memberships by index for it, where
    an OR of one subquery per role made it read every person of the district."""
    if survey.school_id is None:
        staff = Membership.objects.none()
    else:
        staff = Membership.objects.active().filter(school_id=survey.school_id)
    by_role = None
    by_team = None
    if survey.staff_audience == StaffAudience.ALL:
        by_role = Q(role__in=STAFF_ROLES)
    elif survey.staff_audience == StaffAudience.ROLES and survey.staff_roles:
        by_role = Q(role__in=[r for r in survey.staff_roles if r in STAFF_ROLES])
    elif survey.staff_audience == StaffAudience.TEAMS:
        team_ids = [team.pk for team in survey.staff_teams.all()]
        if team_ids:
            members = TeamMember.objects.active().filter(team_id__in=team_ids)
            by_team = Q(pk__in=members.values("user_id"))
    if survey.families:
        families = Q(role=Role.FAMILY)
        if survey.family_grades:
            families &= Q(grades__grade__in=survey.family_grades)
        by_role = families if by_role is None else by_role | families
    if by_role is None:
        return by_team
    asked = Q(pk__in=staff.filter(by_role).values("user_id"))
    return asked if by_team is None else asked | by_team


def grade_choices(school: School) -> list[tuple[str, str]]:
    """The grades a survey may ask the families of: those of the school's families, and those
    of its grade span (so a school not rostered yet can still choose). One query."""
    present = FamilyGrade.objects.filter(
        membership__school=school, membership__role=Role.FAMILY, membership__is_active=True
    ).values_list("grade", flat=True)
    codes = grade_codes.ordered({*present.distinct(), *grade_codes.in_span(school.grade_span)})
    return [(code, grade_codes.label(code)) for code in codes]


def family_grades_at(user, school: School) -> list[str]:
    """The grades of this family's children at the school, in school order."""
    return grade_codes.ordered(
        FamilyGrade.objects.filter(
            membership__user=user,
            membership__school=school,
            membership__role=Role.FAMILY,
            membership__is_active=True,
        ).values_list("grade", flat=True)
    )


def family_grade_group(user, survey: Survey) -> str:
    """The grade a family's answer is grouped under: their children's grade among those the
    survey asks (all of them when it asks every family); "several" when more than one; empty
    when none is known."""
    found = family_grades_at(user, survey.school)
    if survey.family_grades:
        found = [code for code in found if code in survey.family_grades]
    if len(found) > 1:
        return grade_codes.SEVERAL
    return found[0] if found else ""


def is_family_outside_grades(user, survey: Survey) -> bool:
    """A family of the school that the survey does not ask because it asks other grades."""
    return (
        survey.families
        and bool(survey.family_grades)
        and getattr(user, "is_authenticated", False)
        and is_family(user, survey.school)
        and not is_in_audience(user, survey)
    )


def audience(survey: Survey) -> QuerySet[User]:
    condition = audience_filter(survey)
    if condition is None:
        return User.objects.none()
    return User.objects.filter(condition, is_active=True)


def is_in_audience(user, survey: Survey) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return audience(survey).filter(pk=user.pk).exists()


def is_asked_by_role(user, survey: Survey) -> bool:
    """Whether the survey asks `user` for a role they hold at its school (all staff, some
    staff roles, every family), read from the active memberships loaded with them for the
    request: no query. The people audience_filter asks by role; False leaves anyone else
    (a team, the families of some grades) to is_in_audience."""
    if survey.school_id is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    held = roles_of(user).by_school.get(survey.school_id, frozenset())
    if survey.staff_audience == StaffAudience.ALL:
        asked = set(STAFF_ROLES)
    elif survey.staff_audience == StaffAudience.ROLES:
        asked = {role for role in survey.staff_roles or [] if role in STAFF_ROLES}
    else:
        asked = set()
    if survey.families and not survey.family_grades:
        asked.add(Role.FAMILY)
    return not held.isdisjoint(asked)


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


def audience_sizes(survey: Survey, school_ids) -> dict[int, int]:
    """{school id: how many people a copy of this survey asks in that school}, for every
    school at once in one grouped query: the same people as audience_size of each school's
    copy (settings without teams, as a district's survey has)."""
    condition = None
    if survey.staff_audience == StaffAudience.ALL:
        condition = Q(role__in=STAFF_ROLES)
    elif survey.staff_audience == StaffAudience.ROLES and survey.staff_roles:
        condition = Q(role__in=[r for r in survey.staff_roles if r in STAFF_ROLES])
    if survey.families:
        families = Q(role=Role.FAMILY)
        if survey.family_grades:
            families &= Q(grades__grade__in=survey.family_grades)
        condition = families if condition is None else condition | families
    ids = list(school_ids)
    if condition is None or not ids:
        return {}
    return dict(
        Membership.objects.active()
        .filter(condition, school_id__in=ids, user__is_active=True)
        .values_list("school_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )


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
    sections = list(survey.sections.all())
    for code in languages:
        missing = missing_texts(survey, sections, questions, code)
        if missing:
            problems.append(
                _("Missing in %(language)s: %(items)s.")
                % {"language": language_name(code), "items": ", ".join(missing)}
            )
    return problems


def missing_texts(survey: Survey, sections, questions, code: str) -> list[str]:
    """Every text a respondent reads in `code` that is not written in it yet: the title, the
    introduction (when the survey has one in any language), the section headings, the
    questions and their options. A survey opens only when this is empty for each language its
    respondents may choose, so nobody sees a page half in another language."""
    missing: list[str] = []
    if not (survey.title or {}).get(code, "").strip():
        missing.append(str(_("the title")))
    intro = survey.intro or {}
    if any((text or "").strip() for text in intro.values()) and not (intro.get(code) or "").strip():
        missing.append(str(_("the introduction")))
    for section in sections:
        if not (section.title or {}).get(code, "").strip():
            missing.append(str(_("section “%(section)s”") % {"section": section}))
    for number, question in enumerate(questions, start=1):
        if not (question.text or {}).get(code, "").strip():
            missing.append(str(_("question %(n)s") % {"n": number}))
        elif question.kind in OPTION_KINDS and any(
            not (option.get(code) or "").strip() for option in question.options
        ):
            missing.append(str(_("the options of question %(n)s") % {"n": number}))
    return missing


def can_view_district_surveys(user, school: School) -> bool:
    return is_district_admin(user, school.district_id)


def evidence_by_goal(goal_ids) -> dict[int, list]:
    """{goal id: [PlanEvidence, ...]} for the plan page (one query)."""
    found: dict[int, list] = {}
    rows = PlanEvidence.objects.filter(goal_id__in=list(goal_ids)).select_related(
        "survey__school", "listening_theme__school", "idea_theme__exchange__school"
    )
    for row in rows:
        found.setdefault(row.goal_id, []).append(row)
    return found


def is_family_at(user, school) -> bool:
    return is_family(user, school)


def exchanges_for(*, user, school: School) -> QuerySet[IdeaExchange]:
    """The school's idea exchanges this person runs (all, for the managers) or may join."""
    exchanges = IdeaExchange.objects.filter(school=school).select_related("school")
    if can_create_survey(user, school):
        return exchanges
    condition = Q(pk__in=[])
    if staff_role(user, school):
        condition |= Q(staff=True)
    if is_family(user, school):
        condition |= Q(families=True)
    return exchanges.filter(condition, status=SurveyStatus.OPEN)


SAMPLE_SIZE = 5
# Ideas drawn at random to find the sample in: the person's own are left out of them in Python
# (an idea's author key is salted per idea, so no query can match them), and a margin over
# SAMPLE_SIZE keeps the sample full unless the person wrote most of the ideas they have left.
SAMPLE_CANDIDATES = 4 * SAMPLE_SIZE


def ideas_to_rate(*, exchange: IdeaExchange, rater: str, user_id: int) -> list[Idea]:
    """A random sample of shown ideas of others (not written by the person `user_id`) that
    this person (`rater`, their rater key) has not rated yet (one query)."""
    rated = IdeaRating.objects.filter(idea__exchange=exchange, rater=rater).values("idea_id")
    candidates = (
        Idea.objects.filter(exchange=exchange, is_hidden=False)
        .exclude(pk__in=rated)
        .order_by("?")[:SAMPLE_CANDIDATES]
    )
    return [idea for idea in candidates if not tokens.is_author(idea, user_id)][:SAMPLE_SIZE]


def ideas_ranked(*, exchange: IdeaExchange, threshold: int) -> tuple[list, list, list[str]]:
    """(ideas, themes, groups): ideas and themes by average rating, each with the average per
    stakeholder group of the raters: None when fewer than `threshold` rated, or when the
    overall average would give such a group away (the results' complementary suppression).
    Four queries."""
    ideas = list(
        Idea.objects.filter(exchange=exchange, is_hidden=False)
        .select_related("theme")
        .annotate(avg=Avg("ratings__stars"), n=Count("ratings"))
        .order_by("-avg", "-n", "pk")
    )
    by_group: dict[tuple[int, str], tuple[float, int]] = {}
    groups: set[str] = set()
    for row in (
        IdeaRating.objects.filter(idea__exchange=exchange, idea__is_hidden=False)
        .values("idea_id", "stakeholder")
        .annotate(avg=Avg("stars"), n=Count("id"))
        .order_by()
    ):
        by_group[(row["idea_id"], row["stakeholder"])] = (row["avg"], row["n"])
        groups.add(row["stakeholder"])
    group_list = sorted(groups)
    for idea in ideas:
        sizes = {g: by_group[(idea.pk, g)][1] for g in group_list if (idea.pk, g) in by_group}
        hidden = suppressed_groups(sizes, threshold)
        idea.by_group = [
            round(by_group[(idea.pk, g)][0], 1) if g in sizes and g not in hidden else None
            for g in group_list
        ]
        idea.avg = round(idea.avg, 1) if idea.avg is not None else None
    themes = list(
        exchange.themes.annotate(
            avg=Avg("ideas__ratings__stars", filter=Q(ideas__is_hidden=False)),
            n=Count("ideas", filter=Q(ideas__is_hidden=False), distinct=True),
        ).order_by("-avg", "name")
    )
    # A theme's group is as large as the people who rated its ideas, not their ratings: one
    # person rating three ideas of a theme is one of the group, not three.
    theme_groups: dict[tuple[int, str], tuple[float, int]] = {}
    for row in (
        IdeaRating.objects.filter(
            idea__exchange=exchange, idea__is_hidden=False, idea__theme__isnull=False
        )
        .values("idea__theme_id", "stakeholder")
        .annotate(avg=Avg("stars"), n=Count("rater", distinct=True))
        .order_by()
    ):
        theme_groups[(row["idea__theme_id"], row["stakeholder"])] = (row["avg"], row["n"])
    for theme in themes:
        theme.avg = round(theme.avg, 1) if theme.avg is not None else None
        sizes = {
            g: theme_groups[(theme.pk, g)][1] for g in group_list if (theme.pk, g) in theme_groups
        }
        hidden = suppressed_groups(sizes, threshold)
        theme.by_group = [
            round(theme_groups[(theme.pk, g)][0], 1) if g in sizes and g not in hidden else None
            for g in group_list
        ]
    return ideas, themes, group_list


def school_sessions(*, school: School) -> QuerySet[ListeningSession]:
    return ListeningSession.objects.filter(school=school).prefetch_related("themes")


def theme_key(name: str) -> str:
    """A theme's name as themes are matched across sources: "Access to  books" and
    "access to books" are one theme (case and runs of spaces do not count)."""
    return " ".join(name.split()).casefold()


def themes_across(*, school: School, user=None) -> list[dict]:
    """Each theme of the school's list with where it was heard: the listening sessions and the
    surveys tagged with it and the idea-exchange themes of the same name (with their ideas).
    With `user`, each survey and idea-exchange theme says whether that person may open it
    (`can_open`; the sessions are open to everyone who sees the page). Five queries."""
    themes = list(
        ListeningTheme.objects.filter(school=school).prefetch_related(
            Prefetch("sessions", queryset=ListeningSession.objects.order_by("-held_on")),
            Prefetch(
                "surveys",
                queryset=Survey.objects.filter(school=school)
                .exclude(status=SurveyStatus.DRAFT)
                .select_related("school")
                .order_by("-opened_at", "-pk"),
            ),
        )
    )
    manager = user is not None and can_create_survey(user, school)
    owned: set[int] = set()
    if user is not None and not manager:
        owned = set(Survey.objects.filter(school=school, owners=user).values_list("pk", flat=True))
    by_name: dict[str, list] = {}
    for theme in (
        Theme.objects.filter(exchange__school=school)
        .select_related("exchange__school")
        .annotate(n=Count("ideas", filter=Q(ideas__is_hidden=False)))
    ):
        theme.can_open = manager or (user is not None and theme.exchange.created_by_id == user.pk)
        by_name.setdefault(theme_key(theme.name), []).append(theme)
    rows = []
    for theme in themes:
        sessions = list(theme.sessions.all())
        surveys = list(theme.surveys.all())
        for survey in surveys:
            survey.can_open = manager or survey.pk in owned
        exchanges = by_name.get(theme_key(theme.name), [])
        ideas = sum(t.n for t in exchanges)
        rows.append(
            {
                "theme": theme,
                "sessions": sessions,
                "heard": sum(s.heard_total for s in sessions),
                "surveys": surveys,
                "exchanges": exchanges,
                "ideas": ideas,
                "count": len(sessions) + len(surveys) + ideas,
            }
        )
    rows.sort(key=lambda row: (-row["count"], row["theme"].name))
    return rows


def dashboard_figures(school_ids) -> dict[int, dict]:
    """Per school, the response rate of its latest survey opened to people with accounts (those
    who answered over those asked when it opened), for the district dashboard. One query for
    any number of schools, and one round trip to Redis for the people still pending (counted
    twice only in the instant between a batch's commit and its removal from Redis)."""
    latest: dict[int, tuple[int, int, int]] = {}
    rows = (
        Survey.objects.filter(
            school_id__in=list(school_ids), opened_at__isnull=False, invited__gt=0
        )
        .annotate(answered=Count("participations"))
        .order_by("school_id", "-opened_at", "-pk")
        .values_list("school_id", "invited", "answered", "pk")
    )
    for school_id, invited, answered, survey_id in rows:
        latest.setdefault(school_id, (invited, answered, survey_id))
    waiting = pending.members_or_none(survey_id for _i, _a, survey_id in latest.values())
    return {
        school_id: {
            "survey_response_rate": min(
                100, round(100 * (answered + len(waiting.get(survey_id, ()))) / invited)
            )
        }
        for school_id, (invited, answered, survey_id) in latest.items()
    }


def pending_counts(survey_ids) -> dict[int, int]:
    """{survey id: people who answered and are not yet written} (voice.pending), for rates
    read beside a count of the participations: one round trip to Redis, none to the database.
    Empty during an outage (the database's count alone, until Redis is back)."""
    return {pk: len(user_ids) for pk, user_ids in pending.members_or_none(survey_ids).items()}


def has_participated(survey: Survey, user) -> bool:
    """Whether `user` has answered `survey`: written, or pending (voice.pending). Pending is
    read first (a batch leaves it only once written). During a Redis outage the database's
    answer alone: the form is shown, and the answer itself is refused until Redis is back."""
    try:
        if pending.contains(survey.pk, user.pk):
            return True
    except pending.Unavailable:
        pass
    return Participation.objects.filter(survey=survey, user=user).exists()


def written_participation(user) -> Exists:
    """True for a survey (the outer query's) whose participation of `user` is written. Whether
    they answered is this or `pending_of`: the surveys are read with this, one query, then the
    others are looked up in Redis."""
    return Exists(Participation.objects.filter(user=user, survey=OuterRef("pk")))


def pending_of(user, survey_ids) -> set[int]:
    """Of `survey_ids`, those `user` has answered and that are not yet written (voice.pending):
    one round trip to Redis, none when there is no survey (skipped during an outage)."""
    try:
        return pending.containing(survey_ids, user.pk)
    except pending.Unavailable:
        logger.warning("pending participations unreadable; reading the database's alone")
        return set()


# --- the answer pages: SQL compiled once per process (leadership.prepared, leadership.lookups)

_QUESTIONS_IN_ORDER = Prepared(
    lambda survey: Question.objects.filter(survey_id=survey).order_by("position", "id")
)
_PARTICIPATION = Prepared(
    lambda survey, user: Participation.objects.filter(survey_id=survey, user_id=user)
)


_SURVEY_SQL: list[str] = []


def _survey_sql() -> str:
    """A school's survey of an id with its questions in order (a row each, the survey's
    columns repeated; one row of no question when it has none): written once from the
    models' tables and columns (the id and the school's are parameters)."""
    if not _SURVEY_SQL:
        survey, question = Survey._meta, Question._meta
        columns = ", ".join(
            f'{alias}."{field.column}"'
            for model, alias in ((Survey, "v"), (Question, "q"))
            for field in model._meta.concrete_fields
        )
        _SURVEY_SQL.append(
            f"SELECT {columns} "  # noqa: S608
            f'FROM "{survey.db_table}" v '
            f'LEFT OUTER JOIN "{question.db_table}" q '
            f'ON q."{question.get_field("survey").column}" = v."{survey.pk.column}" '
            f'WHERE v."{survey.pk.column}" = %s AND v."{survey.get_field("school").column}" = %s '
            f'ORDER BY q."{question.get_field("position").column}", q."{question.pk.column}"'
        )
    return _SURVEY_SQL[0]


def survey_to_answer(*, pk: int, school: School) -> tuple[Survey, list[Question]] | None:
    """The school's survey of this id and its questions in order, for its answer page (as
    survey_for_answering reads them), in one query of SQL written once; None when the
    school has no such survey. The survey's school is `school`; its teams are not read
    (`with_teams`)."""
    if pk not in range(-(2**63), 2**63):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_survey_sql(), [pk, school.pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    width = len(Survey._meta.concrete_fields)
    survey = from_row(Survey, rows[0][:width])
    survey.school = school
    question_pk = width + Question._meta.concrete_fields.index(Question._meta.pk)
    questions = [from_row(Question, row[width:]) for row in rows if row[question_pk] is not None]
    return survey, questions


def questions_in_order(survey: Survey) -> list[Question]:
    """The survey's questions in order (as survey.questions.all() gives them), from SQL
    compiled once."""
    return _QUESTIONS_IN_ORDER.rows(survey=survey.pk)


def has_answered(survey: Survey, user) -> bool:
    """has_participated, with the written participation read from SQL compiled once."""
    try:
        if pending.contains(survey.pk, user.pk):
            return True
    except pending.Unavailable:
        pass
    return _PARTICIPATION.first(survey=survey.pk, user=user.pk) is not None


_LINK_MODELS = (StudentLink, Survey, School, District)
_LINK_SQL: list[str] = []


def _link_sql() -> str:
    """The active link of an id and nonce with its survey, the survey's school and district,
    as select_related("survey__school__district") reads it: written once from the models'
    tables and columns (the id and nonce are parameters)."""
    if not _LINK_SQL:
        link, survey, school, district = (model._meta for model in _LINK_MODELS)
        columns = ", ".join(
            f'{alias}."{field.column}"'
            for model, alias in zip(_LINK_MODELS, "lvsd", strict=True)
            for field in model._meta.concrete_fields
        )
        _LINK_SQL.append(
            f"SELECT {columns} "  # noqa: S608
            f'FROM "{link.db_table}" l '
            f'INNER JOIN "{survey.db_table}" v '
            f'ON v."{survey.pk.column}" = l."{link.get_field("survey").column}" '
            f'LEFT OUTER JOIN "{school.db_table}" s '
            f'ON s."{school.pk.column}" = v."{survey.get_field("school").column}" '
            f'LEFT OUTER JOIN "{district.db_table}" d '
            f'ON d."{district.pk.column}" = s."{school.get_field("district").column}" '
            f'WHERE l."{link.pk.column}" = %s AND l."{link.get_field("nonce").column}" = %s '
            f'AND l."{link.get_field("is_active").column}" '
            f"LIMIT 1"
        )
    return _LINK_SQL[0]


def active_link(*, pk: int, nonce: str) -> StudentLink | None:
    """The active class link of this id and nonce with its survey, school and district read
    with it (one query, SQL written once), or None."""
    if pk not in range(-(2**63), 2**63):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_link_sql(), [pk, nonce])
        row = cursor.fetchone()
    if row is None:
        return None
    widths = [len(model._meta.concrete_fields) for model in _LINK_MODELS]
    starts = [sum(widths[:i]) for i in range(5)]
    link, survey, school, district = (row[starts[i] : starts[i + 1]] for i in range(4))
    link = from_row(StudentLink, link)
    link.survey = from_row(Survey, survey)
    # A survey of no school (the district's own) has none, as select_related leaves it.
    if school[School._meta.concrete_fields.index(School._meta.pk)] is None:
        link.survey.school = None
    else:
        link.survey.school = from_row(School, school)
        link.survey.school.district = from_row(District, district)
    return link
