"""One list of my work: action items and steps on one page, counted on the home page, and a
weekly e-mail of the same, at most once per person and week."""

from datetime import timedelta

import pytest
from django.urls import reverse

from leadership import clock, tasks
from leadership.models import SentMail
from teams.models import ActionItem, ActionStatus
from tests.teams import factories as tf
from tests.workplans.factories import ActionStepFactory, GoalFactory, WorkPlanFactory
from workplans.models import StepStatus

MY_WORK = reverse("leadership:my_work")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def busy_leader(world):
    """The teacher leader owns 3 open action items (one overdue, one done) and 3 steps."""
    ilt = tf.ilt_for(world)
    meeting = tf.held_meeting(ilt)
    tf.action(ilt, meeting, title="Share the screener", days=-2)
    tf.action(ilt, meeting, title="Book the library", days=5)
    tf.action(ilt, meeting, title="Already done", days=3, status=ActionStatus.DONE)
    tf.action(ilt, meeting, title="Not mine", owner=world.principal)
    plan = WorkPlanFactory(school=world.school, school_year=ilt.year)
    goal = GoalFactory(plan=plan)
    today = clock.today_in(world.district)
    for n in range(3):
        ActionStepFactory(
            goal=goal,
            owner=world.teacher_leader,
            title=f"Step {n}",
            start=today - timedelta(days=10),
            due=today + timedelta(days=n - 1),
        )
    ActionStepFactory(
        goal=goal,
        owner=world.teacher_leader,
        title="Finished step",
        status=StepStatus.DONE,
        start=today - timedelta(days=10),
        due=today,
    )
    return world.teacher_leader


def test_my_work_lists_action_items_and_steps_on_one_page(client_for, world, busy_leader):
    html = client_for(busy_leader).get(MY_WORK).content.decode()
    assert "Share the screener" in html and "Book the library" in html
    assert "Already done" not in html and "Not mine" not in html
    assert "Step 0" in html and "Step 2" in html and "Finished step" not in html
    assert html.index('id="action-items-heading"') < html.index('id="action-steps-heading"')
    assert html.count("badge badge-bad") == 2  # the overdue action item and "Step 0"


def test_the_home_page_counts_my_work(client_for, world, busy_leader):
    html = client_for(busy_leader).get(world.school.get_absolute_url()).content.decode()
    counts = html[html.index('id="my-work-heading"') :]
    assert "Action items</a>: <strong>2</strong>" in counts
    assert "Action steps</a>: <strong>3</strong>" in counts
    assert MY_WORK in counts


def test_someone_with_nothing_to_do_is_told_so(client_for, world):
    html = client_for(world.district_admin).get(MY_WORK).content.decode()
    assert "You have no open action items." in html
    assert "action-steps-heading" not in html  # works in no school: no steps to own


def test_my_work_reads_in_fixed_queries(client_for, busy_leader, django_assert_num_queries):
    client = client_for(busy_leader)
    # 6, and 4 for the sections of teams and voice: the person's team seats, proposals
    # waiting for an answer, items put forward, open surveys (none here).
    with django_assert_num_queries(7):
        client.get(MY_WORK)
    ActionItem.objects.filter(title="Already done").update(status=ActionStatus.OPEN)
    ActionStepFactory(goal=busy_leader.action_steps.first().goal, owner=busy_leader)
    with django_assert_num_queries(7):
        assert "Already done" in client.get(MY_WORK).content.decode()


def test_my_work_of_someone_on_no_team_reads_in_fixed_queries(
    client_for, world, django_assert_num_queries
):
    client = client_for(world.district_admin)
    # The session with the person and their roles, their action items, their team seats: sitting
    # on no team, no proposal is looked for.
    with django_assert_num_queries(3):
        html = client.get(MY_WORK).content.decode()
    assert "No proposal waits for your answer." in html


def test_the_weekly_email_goes_once_per_person_and_week_with_the_same_list(
    world, busy_leader, mailoutbox, on_commit
):
    world.teacher_leader.preferred_language = "es"
    world.teacher_leader.save()
    with on_commit():
        assert tasks.queue_my_work_weekly() == 1  # one chunk: the district's few people
    mine = [m for m in mailoutbox if m.to == [busy_leader.email]]
    assert len(mine) == 1
    assert "Share the screener" in mine[0].body and "Step 2" in mine[0].body
    assert "Hola" in mine[0].body  # in the person's language
    assert "/my/work/" in mine[0].body
    # The principal owns an action item too; the family and the staff member have nothing.
    assert {m.to[0] for m in mailoutbox} == {busy_leader.email, world.principal.email}
    week = tasks.iso_week(clock.today_in(world.district))
    assert SentMail.objects.filter(key=f"my-work:{busy_leader.pk}:{week}").exists()
    with on_commit():
        tasks.queue_my_work_weekly()
        assert tasks.send_my_work(world.district.pk, busy_leader.pk, week) is False
    assert len(mailoutbox) == 2  # a second run (or a retried task) sends nothing again


def test_a_person_whose_work_is_done_gets_no_email_and_the_week_stays_open(
    world, busy_leader, mailoutbox
):
    week = tasks.iso_week(clock.today_in(world.district))
    ActionItem.objects.filter(owner=world.principal).update(status=ActionStatus.DONE)
    assert tasks.send_my_work(world.district.pk, world.principal.pk, week) is False
    assert not mailoutbox and not SentMail.objects.exists()


def test_my_work_lists_proposals_to_answer_items_put_forward_and_surveys(
    client_for, world, busy_leader
):
    from datetime import timedelta as td

    from django.utils import timezone

    from teams.models import AgendaProposal, Proposal, ProposalStatus
    from tests.voice.factories import draft_survey
    from voice.models import Participation, SurveyStatus

    ilt = tf.ilt_for(world)
    waiting = Proposal.objects.create(
        team=ilt.team,
        rule=ilt.schedule,
        title="Adopt the new reading block",
        text="Ninety minutes, every morning.",
        closes_at=timezone.now() + td(days=3),
        opened_by=world.principal,
    )
    AgendaProposal.objects.create(
        team=ilt.team,
        proposed_by=busy_leader,
        title="Look at the January screener",
        status=ProposalStatus.PENDING,
    )
    survey = draft_survey(world)
    survey.status = SurveyStatus.OPEN
    survey.staff_audience = "all"
    survey.save()

    html = client_for(busy_leader).get(MY_WORK).content.decode()
    assert "Adopt the new reading block" in html and waiting.get_absolute_url() in html
    assert "Look at the January screener" in html
    assert "Surveys to answer" in html

    Participation.objects.create(survey=survey, user=busy_leader)
    html = client_for(busy_leader).get(MY_WORK).content.decode()
    assert "Surveys to answer" not in html  # answered: nothing left to do there


def test_a_principals_my_work_reads_in_fixed_queries(client_for, world, django_assert_num_queries):
    """As the load bench's principals see it: action items, a team seat, open surveys of the
    school. Whatever the number of surveys: the one answered and the one answered but still
    pending are left out, the one asking the principal's team is in."""
    from teams.models import Team, TeamKind
    from tests.voice.factories import add_question, draft_survey
    from voice import services as voice
    from voice.models import Participation, StaffAudience

    ilt = tf.ilt_for(world)
    meeting = tf.held_meeting(ilt)
    tf.action(ilt, meeting, title="Call the district", owner=world.principal, days=-1)
    tf.action(ilt, meeting, title="Order the books", owner=world.principal, days=4)

    def open_survey(title, teams=(), **audience):
        survey = draft_survey(world, families=False, students=False, **audience)
        voice.survey_update(
            actor=world.principal, survey=survey, title={"en": title, "es": title}, teams=teams
        )
        question = add_question(world, survey)
        voice.survey_open(actor=world.principal, survey=survey)
        return survey, question

    open_survey("Everyone's survey")
    written, _q = open_survey("Answered and written")
    Participation.objects.create(survey=written, user=world.principal)
    pending, question = open_survey("Answered and pending")
    voice.response_submit(
        survey=pending, user=world.principal, values={question.pk: 2}, language="en"
    )
    client = client_for(world.principal)
    # The session with the person and their roles, their action items, their team seats,
    # proposals waiting for their answer, items put forward, open steps, and the open surveys
    # not answered (those pending in Redis, not the database, are left out after).
    with django_assert_num_queries(7):
        html = client.get(MY_WORK).content.decode()
    assert "Call the district" in html and "Order the books" in html
    assert "Everyone&#x27;s survey" in html
    assert "Answered and" not in html
    # A survey asking some teams: one more query, for which of them the principal sits on.
    open_survey("The ILT's survey", teams=[ilt.team], staff_audience=StaffAudience.TEAMS)
    math = Team.objects.create(
        school=world.school, school_year=ilt.year, kind=TeamKind.SUBJECT, name="Math team"
    )
    open_survey("Another team's survey", teams=[math], staff_audience=StaffAudience.TEAMS)
    with django_assert_num_queries(8):
        html = client.get(MY_WORK).content.decode()
    assert "The ILT&#x27;s survey" in html and "Another team" not in html


def test_my_work_reads_run_their_sql_compiled_once(client_for, world, busy_leader):
    """The lists' reads are compiled once (leadership.prepared), each checked on its first call
    against the queryset's own SQL: were one to differ, it would run unprepared (slower, as
    right), and this fails."""
    from django.utils import timezone

    from teams import mywork as teams_mywork
    from teams import permissions as team_permissions
    from teams.models import AgendaProposal, Proposal, ProposalStatus
    from teams.permissions import team_roles
    from tests.voice.factories import draft_survey
    from voice import my_work as voice_my_work
    from voice.models import SurveyStatus
    from workplans import my_work as workplans_my_work
    from workplans.selectors import staff_school_ids

    ilt = tf.ilt_for(world)
    Proposal.objects.create(
        team=ilt.team,
        rule=ilt.schedule,
        title="Adopt the new reading block",
        text="Ninety minutes, every morning.",
        closes_at=timezone.now() + timedelta(days=3),
        opened_by=world.principal,
    )
    AgendaProposal.objects.create(
        team=ilt.team,
        proposed_by=busy_leader,
        title="Answered long ago",
        status=ProposalStatus.DECLINED,
        reason="Not this year.",
        decided_at=timezone.now() - timedelta(days=45),
    )
    AgendaProposal.objects.create(
        team=ilt.team,
        proposed_by=busy_leader,
        title="Answered last week",
        status=ProposalStatus.DECLINED,
        reason="Not this term.",
        decided_at=timezone.now() - timedelta(days=7),
    )
    survey = draft_survey(world)
    survey.status = SurveyStatus.OPEN
    survey.staff_audience = "all"
    survey.save()
    html = client_for(busy_leader).get(MY_WORK).content.decode()
    assert "Surveys to answer" in html and survey.text("title", "en") in html
    assert "Adopt the new reading block" in html
    assert "Answered last week" in html and "Answered long ago" not in html
    teams = tuple(team_roles(busy_leader))
    schools = tuple(staff_school_ids(busy_leader))
    assert teams and schools
    with timezone.override(world.district.timezone):
        assert teams_mywork._ACTION_ITEMS.is_prepared(owner=busy_leader.pk)
        now = timezone.now()
        assert teams_mywork._PROPOSALS.is_prepared(user=busy_leader.pk, teams=teams, now=now)
        since = clock.today_in(world.district)
        assert teams_mywork._PUT_FORWARD.is_prepared(user=busy_leader.pk, teams=teams, since=since)
        assert workplans_my_work._STEPS.is_prepared(owner=busy_leader.pk, schools=schools)
        assert team_permissions._TEAM_ROLES.is_prepared(user=busy_leader.pk, today=since)
        assert voice_my_work._OPEN_SURVEYS.is_prepared(user=busy_leader.pk, schools=schools)
