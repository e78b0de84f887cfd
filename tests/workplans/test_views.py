"""The workplans pages, as the people who use them act on them."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leadership import clock
from leadership.models import AuditEntry
from tests.leadership.factories import SchoolYearFactory
from tests.workplans.factories import (
    ActionStepFactory,
    DataPointFactory,
    GoalFactory,
    MeasureFactory,
    WorkPlanFactory,
)
from workplans import services
from workplans.models import ActionStep, DataPoint, Evidence, Goal, Measure, StepStatus, WorkPlan

HTMX = {"HTTP_HX_REQUEST": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%test\n"


def url(name, **kwargs):
    return reverse(f"workplans:{name}", kwargs=kwargs)


def plan_url(plan):
    return url("plan_detail", slug=plan.school.slug, pk=plan.pk)


# --- plan page ------------------------------------------------------------------------


def test_the_plan_page_shows_goals_measures_chart_table_status_and_rule(
    client_for, world, plan, on_track_data, step
):
    response = client_for(world.staff).get(plan_url(plan))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Reading at grade level rises to 60%." in html
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "Data table: Reading at grade level" in html
    assert "On track" in html
    assert "How the status is worked out" in html
    assert "Plan the learning walk" in html
    assert "Overdue" in html
    assert "style=" not in html.split("<main", 1)[1]


def test_a_learning_activity_says_its_kind_once(client_for, world, plan, step):
    from workplans.models import LearningActivity

    named = LearningActivity.objects.create(
        goal=step.goal, kind="learning_walk", title="Learning walk: grade 3 reading"
    )
    LearningActivity.objects.create(goal=step.goal, kind="pd_session", title="Close reading")
    step.learning_activity = named
    step.save(update_fields=["learning_activity"])
    client = client_for(world.principal)
    page = client.get(plan_url(plan)).content.decode()
    assert "Learning walk: grade 3 reading" in page
    assert "Learning walk</strong>: Learning walk" not in page
    assert "<strong>PD session</strong>: Close reading" in page
    assert "<dd>Learning walk: grade 3 reading</dd>" in page  # the step's card
    assert "Learning walk: Learning walk" not in page


def test_small_groups_are_suppressed_on_the_page_and_in_the_export(
    client_for, world, plan, measure
):
    DataPointFactory(
        measure=measure, date=date(2026, 5, 1), value=Decimal("71.5"), n=6, group="english_learners"
    )
    DataPointFactory(
        measure=measure,
        date=date(2026, 6, 1),
        value=Decimal("48.25"),
        n=30,
        group="english_learners",
    )
    client = client_for(world.principal)
    html = client.get(plan_url(plan)).content.decode()
    assert "71.5" not in html and "Suppressed" in html and "fewer than 10" in html
    assert "48.25" in html

    export = client.get(url("plan_export", slug=world.school.slug, pk=plan.pk))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    data = [row for row in rows if row["record"] == "data"]
    assert [(r["value"], r["n"]) for r in data] == [("suppressed", "<10"), ("48.25", "30")]
    assert "71.5" not in export.content.decode()

    printed = client.get(url("plan_print", slug=world.school.slug, pk=plan.pk)).content.decode()
    assert "71.5" not in printed and "Suppressed" in printed


def test_the_threshold_is_the_districts(client_for, world, plan, measure):
    world.district.small_group_threshold = 5
    world.district.save()
    DataPointFactory(measure=measure, value=Decimal("71.5"), n=6, group="english_learners")
    html = client_for(world.principal).get(plan_url(plan)).content.decode()
    assert "71.5" in html


def test_the_export_lists_goals_measures_data_and_steps(
    client_for, world, plan, on_track_data, step
):
    response = client_for(world.district_admin).get(
        url("plan_export", slug=world.school.slug, pk=plan.pk)
    )
    assert response["Content-Type"].startswith("text/csv")
    records = [row["record"] for row in csv.DictReader(io.StringIO(response.content.decode()))]
    assert records == ["goal", "measure", "data", "data", "step"]


def test_families_see_only_the_published_summary(client_for, world, plan, on_track_data, step):
    client = client_for(world.family)
    assert client.get(plan_url(plan)).status_code == 403
    services.plan_set_published(plan=plan, actor=world.principal, published=True)
    html = client.get(plan_url(plan)).content.decode()
    assert "Our plan for" in html and "Reading at grade level rises to 60%." in html
    assert "Plan the learning walk" not in html  # no steps, owners or data for families
    assert "<svg" not in html


# --- plan lifecycle -------------------------------------------------------------------


def test_a_principal_starts_activates_and_closes_a_plan(client_for, world, year):
    client = client_for(world.principal)
    response = client.post(url("plan_create", slug=world.school.slug), {"school_year": year.pk})
    plan = WorkPlan.objects.get(school=world.school)
    assert response.status_code == 302 and plan.status == WorkPlan.Status.DRAFT
    status_url = url("plan_status", slug=world.school.slug, pk=plan.pk)
    client.post(status_url, {"status": "active"})
    client.post(status_url, {"status": "closed"})
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.CLOSED
    response = client.post(status_url, {"status": "active"}, follow=True)
    assert str(services.PLAN_CLOSED) in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.CLOSED


def test_a_second_plan_for_the_same_year_is_refused(client_for, world, plan):
    response = client_for(world.principal).post(
        url("plan_create", slug=world.school.slug), {"school_year": plan.school_year.pk}
    )
    assert str(services.PLAN_EXISTS) in response.content.decode()
    assert WorkPlan.objects.count() == 1


def test_a_closed_plan_refuses_every_edit_with_a_message(
    client_for, world, plan, goal, measure, step
):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    client = client_for(world.principal)
    response = client.post(
        url("goal_create", slug=world.school.slug, pk=plan.pk),
        {"focus_area": "culture", "smart_statement": "New goal"},
        **HTMX,
    )
    assert response.status_code == 200
    assert str(services.PLAN_CLOSED) in response.content.decode()
    assert Goal.objects.count() == 1
    response = client.post(
        url("step_progress", slug=world.school.slug, pk=step.pk),
        {"status": "done", "narrative": "Finished"},
        **HTMX,
    )
    assert str(services.PLAN_CLOSED) in response.content.decode()
    assert not step.updates.exists()
    with pytest.raises(Exception, match="closed"):
        services.datapoint_create(
            measure=measure, actor=world.principal, date=date(2026, 5, 1), value=Decimal(1)
        )


def test_a_new_plan_can_start_from_last_years_unfinished_goals(
    client_for, world, plan, goal, measure
):
    finished = GoalFactory(plan=plan, smart_statement="Finished goal")
    done_measure = MeasureFactory(goal=finished, baseline=Decimal(10), target=Decimal(20))
    DataPointFactory(measure=done_measure, value=Decimal(21))
    DataPointFactory(measure=measure, value=Decimal(47))
    this_year = plan.school_year.start
    next_year = SchoolYearFactory(
        district=world.district, start=this_year.replace(year=this_year.year + 1), is_current=False
    )
    client_for(world.principal).post(
        url("plan_create", slug=world.school.slug),
        {"school_year": next_year.pk, "copy_unfinished": "on"},
    )
    new_plan = WorkPlan.objects.get(school_year=next_year)
    assert [g.smart_statement for g in new_plan.goals.all()] == [goal.smart_statement]
    copied = Measure.objects.get(goal__plan=new_plan)
    assert (copied.baseline, copied.target, copied.baseline_date) == (
        Decimal(47),
        Decimal(60),
        next_year.start,
    )


# --- goals, measures, data ------------------------------------------------------------


def test_a_goal_edit_is_kept_in_the_history_with_before_and_after(client_for, world, plan, goal):
    client = client_for(world.principal)
    response = client.post(
        url("goal_edit", slug=world.school.slug, pk=goal.pk),
        {
            "focus_area": "culture",
            "smart_statement": "Attendance improves.",
            "order": 1,
            "version": services.goal_version(goal),
        },
        **HTMX,
    )
    assert response.status_code == 200 and response["HX-Redirect"] == plan_url(plan)
    entry = AuditEntry.objects.get(action="goal.update")
    assert entry.before["focus_area"] == "instruction" and entry.after["focus_area"] == "culture"
    html = client.get(plan_url(plan)).content.decode()
    assert "Goal changed" in html and "Attendance improves." in html
    assert "<dt>focus area</dt><dd>instruction</dd>" in html
    assert world.principal.get_full_name() in html


def test_a_target_equal_to_the_baseline_is_refused(client_for, world, goal):
    response = client_for(world.principal).post(
        url("measure_create", slug=world.school.slug, pk=goal.pk),
        {
            "name": "Attendance",
            "unit": "%",
            "direction": "up",
            "baseline": "90",
            "baseline_date": "2026-08-17",
            "target": "90",
            "target_date": "2027-06-01",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert str(services.TARGET_EQUALS_BASELINE) in html
    assert 'id="id_target_error"' in html  # beside the target, not above the form
    assert 'value="Attendance"' in html  # the input is kept
    assert not Measure.objects.exists()


def test_a_data_point_is_added_in_the_browser(client_for, world, plan, measure):
    response = client_for(world.principal).post(
        url("datapoint_create", slug=world.school.slug, pk=measure.pk),
        {"date": "2026-10-01", "value": "52.5", "n": "120"},
    )
    assert response.status_code == 302
    point = DataPoint.objects.get()
    assert (point.value, point.n) == (Decimal("52.5"), 120)
    assert AuditEntry.objects.filter(action="measure.data_add").exists()


def test_a_second_value_for_the_same_date_is_refused_and_the_input_kept(client_for, world, measure):
    DataPointFactory(measure=measure, date=date(2026, 10, 1), value=Decimal(41))
    response = client_for(world.principal).post(
        url("datapoint_create", slug=world.school.slug, pk=measure.pk),
        {"date": "2026-10-01", "value": "52.5"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "already has a value for this date" in html and 'value="52.5"' in html
    assert DataPoint.objects.count() == 1


def test_a_measure_edit_is_audited_with_before_and_after(client_for, world, plan, measure):
    response = client_for(world.principal).post(
        url("measure_edit", slug=world.school.slug, pk=measure.pk),
        {
            "name": "Reading at grade level",
            "unit": "%",
            "direction": "up",
            "baseline": "40",
            "baseline_date": measure.baseline_date.isoformat(),
            "target": "65",
            "target_date": measure.target_date.isoformat(),
            "version": services.measure_version(measure),
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.target == Decimal(65)
    entry = AuditEntry.objects.get(action="measure.update")
    assert (entry.before["target"], entry.after["target"]) == ("60.00", "65.00")
    html = client_for(world.staff).get(plan_url(plan)).content.decode()
    assert "Measure changed" in html


def test_a_step_edit_moves_the_due_date_and_is_audited(client_for, world, step):
    response = client_for(world.principal).post(
        url("step_edit", slug=world.school.slug, pk=step.pk),
        {
            "title": step.title,
            "owner": world.staff.pk,
            "start": step.start.isoformat(),
            "due": (step.due + timedelta(days=20)).isoformat(),
            "version": services.step_version(step),
        },
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.owner == world.staff
    entry = AuditEntry.objects.get(action="step.update")
    assert (
        entry.before["owner"] == world.teacher_leader.pk and entry.after["owner"] == world.staff.pk
    )


def _upload(client, measure, text, **extra):
    return client.post(
        url("datapoint_upload", slug=measure.goal.plan.school.slug, pk=measure.pk),
        {"file": SimpleUploadedFile("data.csv", text.encode(), content_type="text/csv")},
        **extra,
    )


def test_a_bad_csv_is_rejected_whole_with_a_line_by_line_report(client_for, world, measure):
    text = (
        "date,value,n,group\n"
        "2026-09-01,41,200,\n"
        "2026-13-01,42,200,\n"
        "2026-10-01,forty,200,\n"
        "2026-11-01,43,12,martians\n"
        "2026-09-01,44,200,\n"
    )
    response = _upload(client_for(world.principal), measure, text, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "<td>3</td><td>“2026-13-01” is not a date (use YYYY-MM-DD).</td>" in html
    assert "<td>4</td><td>“forty” is not a number.</td>" in html
    assert "<td>5</td><td>“martians” is not a known student group.</td>" in html
    assert "<td>6</td><td>Duplicate of line 2 (same date and group).</td>" in html
    assert not DataPoint.objects.exists()


def test_a_good_csv_is_imported(client_for, world, measure):
    text = "date,value,n,group\n2026-09-01,41,200,\n2026-10-01,43.5,14,English learners\n"
    response = _upload(client_for(world.principal), measure, text)
    assert response.status_code == 302
    assert sorted(DataPoint.objects.values_list("value", "group")) == [
        (Decimal("41"), ""),
        (Decimal("43.5"), "english_learners"),
    ]


def test_a_csv_row_already_in_the_measure_is_refused(client_for, world, measure):
    DataPointFactory(measure=measure, date=date(2026, 9, 1))
    response = _upload(client_for(world.principal), measure, "date,value\n2026-09-01,41\n")
    assert "already has a value for 2026-09-01" in response.content.decode()
    assert DataPoint.objects.count() == 1


# --- steps and progress ---------------------------------------------------------------


def test_a_due_date_before_the_start_is_refused(client_for, world, goal):
    response = client_for(world.principal).post(
        url("step_create", slug=world.school.slug, pk=goal.pk),
        {
            "title": "Learning walk",
            "owner": world.teacher_leader.pk,
            "start": "2026-10-10",
            "due": "2026-10-01",
        },
        **HTMX,
    )
    assert str(services.DUE_BEFORE_START) in response.content.decode()
    assert 'id="id_due_error"' in response.content.decode()  # beside the due date
    assert not ActionStep.objects.exists()


def test_a_step_is_added_with_an_owner_and_audited(client_for, world, goal):
    client_for(world.principal).post(
        url("step_create", slug=world.school.slug, pk=goal.pk),
        {
            "title": "Learning walk",
            "owner": world.teacher_leader.pk,
            "team_name": "ILT",
            "start": "2026-10-01",
            "due": "2026-10-10",
        },
    )
    step = ActionStep.objects.get()
    assert step.owner == world.teacher_leader
    assert AuditEntry.objects.get(action="step.create").after["title"] == "Learning walk"


def test_a_family_member_cannot_own_a_step(world, goal):
    with pytest.raises(Exception, match="staff member"):
        services.step_create(
            goal=goal,
            actor=world.principal,
            title="x",
            owner=world.family,
            start=date(2026, 9, 1),
            due=date(2026, 9, 2),
        )


def test_learning_walk_tallies_are_aggregate(client_for, world, plan, goal):
    client_for(world.principal).post(
        url("learning_create", slug=world.school.slug, pk=goal.pk),
        {
            "kind": "learning_walk",
            "title": "Discourse walk",
            "tallies": "Students explain their reasoning; 7; 12",
        },
    )
    html = client_for(world.staff).get(plan_url(plan)).content.decode()
    assert "Students explain their reasoning: seen in 7 of 12 classrooms" in html


def test_tallies_with_more_seen_than_visited_are_refused(client_for, world, goal):
    response = client_for(world.principal).post(
        url("learning_create", slug=world.school.slug, pk=goal.pk),
        {"kind": "learning_walk", "title": "Walk", "tallies": "Talk; 9; 4"},
    )
    assert "seen cannot exceed" in response.content.decode()


def test_the_owner_posts_an_update_in_place_with_evidence(
    client_for, world, plan, on_track_data, step
):
    client = client_for(world.teacher_leader)
    update_url = url("step_progress", slug=world.school.slug, pk=step.pk)
    form = client.get(update_url + "?next=/my/steps/", **HTMX).content.decode()
    assert f'id="step-{step.pk}"' in form and "<form" in form and "<html" not in form
    response = client.post(
        update_url,
        {
            "status": "at_risk",
            "narrative": "Two classes could not be visited.",
            "next": "/my/steps/",
            "evidence": [SimpleUploadedFile("walk.pdf", PDF), SimpleUploadedFile("photo.png", PNG)],
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Your update was posted." in html
    assert "Step: At risk" in html
    # The goal's status, in the card and (out of band) everywhere else on the page.
    assert f'wp-goal-status-{step.goal_id}">At risk</span>' in html
    assert f'hx-swap-oob="outerHTML:.wp-goal-status-{step.goal_id}"' in html
    step.refresh_from_db()
    assert step.status == StepStatus.AT_RISK and step.last_update_at is not None
    files = list(Evidence.objects.order_by("original_name"))
    assert [f.original_name for f in files] == ["photo.png", "walk.pdf"]
    assert files[1].file.read() == PDF
    entry = AuditEntry.objects.get(action="step.progress")
    assert entry.before == {"status": "not_started"} and entry.after["status"] == "at_risk"

    download = client.get(url("evidence_download", slug=world.school.slug, pk=files[1].pk))
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
        ("script.exe", b"MZ\x90\x00", "not an allowed file type"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not contain what its name says"),
        ("fake.png", PDF, "does not contain what its name says"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_posted(
    client_for, world, step, name, content, message
):
    response = client_for(world.teacher_leader).post(
        url("step_progress", slug=world.school.slug, pk=step.pk),
        {
            "status": "done",
            "narrative": "Finished the walk.",
            "evidence": SimpleUploadedFile(name, content),
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "Finished the walk." in html  # the narrative is kept
    assert not step.updates.exists() and not Evidence.objects.exists()
    step.refresh_from_db()
    assert step.status == StepStatus.NOT_STARTED


def test_without_javascript_the_update_form_is_a_page_and_posting_redirects(
    client_for, world, plan, step
):
    client = client_for(world.teacher_leader)
    update_url = url("step_progress", slug=world.school.slug, pk=step.pk)
    page = client.get(update_url + "?next=/my/steps/").content.decode()
    assert "<html" in page and "Post the update" in page
    response = client.post(
        update_url, {"status": "done", "narrative": "Walk done.", "next": "/my/steps/"}
    )
    assert response.status_code == 302 and response["Location"] == "/my/steps/"
    step.refresh_from_db()
    assert step.status == StepStatus.DONE


def test_an_outside_next_address_is_ignored(client_for, world, plan, step):
    response = client_for(world.teacher_leader).post(
        url("step_progress", slug=world.school.slug, pk=step.pk),
        {"status": "done", "narrative": "Walk done.", "next": "https://evil.example/"},
    )
    assert response["Location"] == plan_url(plan)


def test_staff_cannot_update_someone_elses_step(client_for, world, step):
    response = client_for(world.staff).post(
        url("step_progress", slug=world.school.slug, pk=step.pk),
        {"status": "done", "narrative": "x"},
    )
    assert response.status_code == 403 and not step.updates.exists()


def test_evidence_of_another_school_is_404(client_for, world, step, year):
    services.progress_update_create(
        step=step,
        actor=world.teacher_leader,
        status=StepStatus.ON_TRACK,
        narrative="x",
        files=[SimpleUploadedFile("a.txt", b"hello")],
    )
    evidence = Evidence.objects.get()
    response = client_for(world.other_school_principal).get(
        url("evidence_download", slug=world.other_school.slug, pk=evidence.pk)
    )
    assert response.status_code == 404


def test_my_steps_lists_my_open_steps_due_soonest_first(client_for, world, plan, goal, step):
    later = ActionStepFactory(
        goal=goal,
        owner=world.teacher_leader,
        title="Later step",
        start=clock.today_in(world.district),
        due=clock.today_in(world.district) + timedelta(days=40),
    )
    ActionStepFactory(
        goal=goal, owner=world.teacher_leader, title="Done step", status=StepStatus.DONE
    )
    ActionStepFactory(goal=goal, owner=world.staff, title="Someone else's step")
    draft = WorkPlanFactory(
        school=world.school,
        school_year=SchoolYearFactory(
            district=world.district,
            start=plan.school_year.start.replace(year=plan.school_year.start.year + 1),
            is_current=False,
        ),
        status=WorkPlan.Status.DRAFT,
    )
    ActionStepFactory(goal=GoalFactory(plan=draft), owner=world.teacher_leader, title="Draft step")
    html = client_for(world.teacher_leader).get(url("my_steps")).content.decode()
    assert html.index(step.title) < html.index(later.title)
    for absent in ("Done step", "Someone else's step", "Draft step"):
        assert absent not in html
    assert "Overdue" in html


def test_the_school_page_links_to_the_plan(client_for, world, plan):
    html = (
        client_for(world.staff)
        .get(reverse("leadership:school_detail", kwargs={"slug": world.school.slug}))
        .content.decode()
    )
    assert plan_url(plan) in html


def test_the_school_page_shows_families_the_published_summary_only(client_for, world, plan):
    school_url = reverse("leadership:school_detail", kwargs={"slug": world.school.slug})
    client = client_for(world.family)
    assert plan_url(plan) not in client.get(school_url).content.decode()
    services.plan_set_published(plan=plan, actor=world.principal, published=True)
    html = client.get(school_url).content.decode()
    assert plan_url(plan) in html and "Our plan for" in html
    assert url("my_steps") not in html


def test_an_ilt_facilitator_edits_the_plan(client_for, world, plan):
    from teams.models import Team, TeamMember

    client = client_for(world.staff)
    goal_url = url("goal_create", slug=world.school.slug, pk=plan.pk)
    data = {"focus_area": "leadership", "smart_statement": "Shared leadership grows."}
    assert client.post(goal_url, data).status_code == 403
    ilt = Team.objects.create(
        school=world.school, school_year=plan.school_year, kind="ilt", name="Lincoln ILT"
    )
    TeamMember.objects.create(
        team=ilt, user=world.staff, stakeholder_group="teacher", role="facilitator"
    )
    client = client_for(world.staff)  # a new request: rights are read afresh
    assert client.post(goal_url, data).status_code == 302
    assert Goal.objects.get().smart_statement == "Shared leadership grows."


def test_an_ilt_member_who_does_not_facilitate_cannot_edit(client_for, world, plan):
    from teams.models import Team, TeamMember

    ilt = Team.objects.create(
        school=world.school, school_year=plan.school_year, kind="ilt", name="Lincoln ILT"
    )
    TeamMember.objects.create(team=ilt, user=world.teacher_leader, stakeholder_group="teacher")
    response = client_for(world.teacher_leader).get(
        url("goal_create", slug=world.school.slug, pk=plan.pk)
    )
    assert response.status_code == 403


def test_status_uses_today_for_overdue(world, step):
    from workplans.selectors import decorate_step

    step.due = clock.today_in(world.district)
    assert decorate_step(step).is_overdue is False
