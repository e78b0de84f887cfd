"""Pick the users and pages the load benchmark drives, in the bench database; print JSON.

Run by tests/perf/test_load_bench.py as a subprocess with the bench server's environment
(DATABASE_URL of the bench database), never against a real database: it gives the chosen
family accounts a password (families normally sign in by an e-mailed code) so that the
benchmark can sign them in through the ordinary login form.

    python tests/perf/load/prepare.py <sessions per scenario> <family password>
"""

import json
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db.models import Case, F, IntegerField, Value, When  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from engagement.models import Event, EventStatus  # noqa: E402
from leadership.models import District, Membership, Role, School, SchoolYear, User  # noqa: E402
from teams.models import Meeting, MeetingStatus, TeamKind, TeamMember  # noqa: E402
from workplans.models import WorkPlan  # noqa: E402


def main(count: int, family_password: str) -> dict:
    district = District.objects.get(slug="riverside")
    year = SchoolYear.objects.get(district=district, is_current=True)
    schools = list(School.objects.filter(district=district).order_by("id"))
    admin = (
        Membership.objects.active()
        .filter(district=district, role=Role.DISTRICT_ADMIN)
        .select_related("user")
        .order_by("id")
        .first()
    )

    # Staff sign in with the demo password; families (who have none) are chosen apart.
    staff_ids = set(
        Membership.objects.active()
        .filter(district=district)
        .exclude(role=Role.FAMILY)
        .values_list("user_id", flat=True)
    )

    # (c) each school's principal on that school's plan for the current year.
    plans = {
        plan.school_id: plan
        for plan in WorkPlan.objects.filter(school__in=schools, school_year=year).order_by("id")
    }
    principals = []
    for membership in (
        Membership.objects.active()
        .filter(school__in=schools, role=Role.PRINCIPAL, school_year=year)
        .select_related("user", "school")
        .order_by("school_id", "id")
    ):
        plan = plans.get(membership.school_id)
        if plan is None or any(p["school"] == membership.school.slug for p in principals):
            continue
        principals.append(
            {
                "email": membership.user.email,
                "school": membership.school.slug,
                "path": reverse(
                    "workplans:plan_detail", kwargs={"slug": membership.school.slug, "pk": plan.pk}
                ),
            }
        )
        if len(principals) == count:
            break

    # (d) members of ILTs whose meeting is live (in progress) or about to be (scheduled: the
    # page polls in both states), staff only, meeting by meeting.
    meetings = (
        Meeting.objects.filter(
            team__school__district=district,
            team__kind=TeamKind.ILT,
            status__in=[MeetingStatus.IN_PROGRESS, MeetingStatus.SCHEDULED],
        )
        .annotate(
            live_first=Case(
                When(status=MeetingStatus.IN_PROGRESS, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("team__school")
        .order_by("live_first", "team__school_id", "starts_at", "id")
    )
    live, seen_teams = [], set()
    for meeting in meetings:
        if meeting.team_id in seen_teams:
            continue  # one meeting per team: the one its members would have open
        seen_teams.add(meeting.team_id)
        slug = meeting.team.school.slug
        for member in (
            TeamMember.objects.active()
            .filter(team=meeting.team)
            .select_related("user")
            .order_by("role", "id")
        ):
            if member.user_id not in staff_ids:
                continue  # the family seat: staff only here (they have the demo password)
            live.append(
                {
                    "email": member.user.email,
                    "user_id": member.user_id,
                    "meeting": meeting.pk,
                    "status": meeting.status,
                    "school": slug,
                    "path": reverse("teams:meeting_live", kwargs={"slug": slug, "pk": meeting.pk}),
                    "page": reverse(
                        "teams:meeting_detail", kwargs={"slug": slug, "pk": meeting.pk}
                    ),
                }
            )
            if len(live) == count:
                break
        if len(live) == count:
            break

    # (e, f) families of schools with an upcoming published event open for RSVP.
    now = timezone.now()
    open_events: dict[int, Event] = {}
    for event in (
        Event.objects.filter(
            school__in=schools,
            status=EventStatus.PUBLISHED,
            starts_at__gt=now,
            rsvp_deadline__gt=now,
            capacity__gte=F("seats_taken") + 2,
        )
        .select_related("school")
        .order_by("school_id", "starts_at", "id")
    ):
        open_events.setdefault(event.school_id, event)
    # One family per school in turn, so that the families are spread over the district.
    by_school: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.active()
        .filter(school_id__in=list(open_events), role=Role.FAMILY)
        .exclude(user_id__in=staff_ids)  # staff who are also parents: keep to family accounts
        .select_related("user", "school")
        .order_by("school_id", "user__email")
    ):
        by_school.setdefault(membership.school_id, []).append(membership)
    families, taken = [], set()
    queues = list(by_school.values())
    while len(families) < count and any(queues):
        for queue in queues:
            if not queue or len(families) == count:
                continue
            membership = queue.pop(0)
            if membership.user_id in taken:
                continue
            taken.add(membership.user_id)
            event = open_events[membership.school_id]
            slug = membership.school.slug
            kwargs = {"slug": slug, "pk": event.pk}
            families.append(
                {
                    "email": membership.user.email,
                    "user_id": membership.user_id,
                    "school": slug,
                    "event": event.pk,
                    "event_path": reverse("engagement:event_detail", kwargs=kwargs),
                    "rsvp_path": reverse("engagement:rsvp_submit", kwargs=kwargs),
                }
            )
    User.objects.filter(pk__in=[f["user_id"] for f in families]).update(
        password=make_password(family_password)
    )

    bench_pages = new_pages(district, admin, principals, families)

    return {
        **bench_pages,
        "schools": len(schools),
        "people": User.objects.count(),
        "admin": admin.user.email if admin else None,
        "district": district.slug,
        "principals": principals,
        "live": live,
        "families": families,
    }


BENCH_SURVEY = "bench"  # Survey.template_key of the survey this script builds (once)
BENCH_RESPONSES = 600
BENCH_CONVERSATIONS = 60


def new_pages(district, admin, principals, families) -> dict:
    """The pages added since the first scenarios: a survey's results (its owner, a survey with
    many responses), its answer page (a staff member) and class link (anonymous), the inbox of
    family messages, my work, and the API's list endpoints (a district token). Built once in
    the bench database, in bulk where the data is large; a new API token each run (its
    secret is shown only when made)."""
    from api import services as api_services
    from api.models import ApiToken, Scope
    from community.models import Conversation, Message, Topic
    from voice import services as voice
    from voice import tokens
    from voice.models import Answer, QuestionKind, Response, StaffAudience, Survey

    if not principals:
        return {}
    principal = User.objects.get(email=principals[0]["email"])
    school = School.objects.get(slug=principals[0]["school"])

    def t(text: str) -> dict[str, str]:
        return {"en": text, "es": f"{text} (es)", "vi": f"{text} (vi)"}

    survey = Survey.objects.filter(school=school, template_key=BENCH_SURVEY).first()
    if survey is not None and survey.responses.count() < BENCH_RESPONSES:
        survey.delete()  # an earlier run stopped half-way
        survey = None
    if survey is None:
        survey = voice.survey_create(actor=principal, school=school, title=t("How are we doing?"))
        Survey.objects.filter(pk=survey.pk).update(template_key=BENCH_SURVEY)
        survey = voice.survey_update(
            actor=principal,
            survey=survey,
            staff_audience=StaffAudience.ALL,
            families=True,
            students=True,
        )
        yes_no = [t("Yes"), t("No")]
        questions = [
            voice.question_save(
                actor=principal,
                survey=survey,
                kind=QuestionKind.AGREEMENT,
                text=t(f"Statement {n}"),
            )
            for n in range(1, 7)
        ]
        questions.append(
            voice.question_save(
                actor=principal,
                survey=survey,
                kind=QuestionKind.SINGLE,
                text=t("Did you come to an event?"),
                options=yes_no,
            )
        )
        wish = voice.question_save(
            actor=principal, survey=survey, kind=QuestionKind.LONG_TEXT, text=t("Ideas?")
        )
        voice.survey_open(actor=principal, survey=survey)
        voice.link_create(actor=principal, survey=survey, label="Grade 5")
        today = timezone.localdate()
        stakeholders = ["staff", "family", "student"]
        responses = Response.objects.bulk_create(
            Response(
                survey=survey,
                stakeholder=stakeholders[n % 3],
                group_label="Grade 5" if n % 3 == 2 else "",
                language="en",
                submitted_on=today,
            )
            for n in range(BENCH_RESPONSES)
        )
        answers = []
        for n, response in enumerate(responses):
            for k, question in enumerate(questions):
                choices = len(question.options) or 5  # agreement: five points
                answers.append(
                    Answer(response=response, question=question, option=(n + k) % choices)
                )
            if n % 4 == 0:
                answers.append(Answer(response=response, question=wish, text=f"Idea number {n}"))
        Answer.objects.bulk_create(answers, batch_size=2000)
        survey.refresh_from_db()
    link = survey.links.filter(is_active=True).first()
    staff = (
        Membership.objects.active()
        .filter(school=school, role=Role.STAFF)
        .select_related("user")
        .order_by("id")
        .first()
    )

    if not Conversation.objects.filter(school=school, subject__startswith="Bench ").exists():
        parents = list(
            Membership.objects.active()
            .filter(school=school, role=Role.FAMILY)
            .values_list("user_id", flat=True)
            .order_by("id")[:BENCH_CONVERSATIONS]
        )
        now = timezone.now()
        rows = Conversation.objects.bulk_create(
            Conversation(
                school=school,
                family_id=family_id,
                topic=Topic.QUESTION,
                subject=f"Bench question {n}",
                created_at=now,
                last_message_at=now,
            )
            for n, family_id in enumerate(parents)
        )
        Message.objects.bulk_create(
            Message(
                conversation=row,
                author_id=row.family_id,
                from_family=True,
                body="Where does the bus stop?",
                created_at=now,
            )
            for row in rows
        )

    ApiToken.objects.filter(district=district, name="Load bench").delete()
    admin_user = admin.user if admin else principal
    _token, secret = api_services.token_create(
        actor=admin_user, district=district, name="Load bench", scopes=[Scope.READ]
    )
    kwargs = {"slug": school.slug, "pk": survey.pk}
    return {
        "survey": {
            "owner": principal.email,
            "school": school.slug,
            "results": reverse("voice:survey_results", kwargs=kwargs),
            "answer": reverse("voice:survey_answer", kwargs=kwargs),
            "staff": staff.user.email if staff else None,
            "link": reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})
            if link
            else None,
            "responses": survey.responses.count(),
        },
        "inbox": reverse("community:inbox", kwargs={"slug": school.slug}),
        "mywork": reverse("leadership:my_work"),
        "api_token": secret,
        "api": ["/api/v1/schools/", "/api/v1/goals/", "/api/v1/events/"],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), sys.argv[2])))
