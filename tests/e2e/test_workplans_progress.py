"""A teacher leader finds an overdue step, posts an update with evidence, sees the goal's status."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from leadership import clock
from tests.leadership.factories import PASSWORD, SchoolYearFactory
from tests.workplans.factories import (
    ActionStepFactory,
    DataPointFactory,
    GoalFactory,
    MeasureFactory,
    WorkPlanFactory,
)
from workplans.models import Evidence

STATUS = re.compile(r"^Status")  # the field, not "How each status is decided"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def overdue_step(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = clock.today_in(world.district)
    plan = WorkPlanFactory(
        school=world.school, school_year=SchoolYearFactory(district=world.district)
    )
    goal = GoalFactory(
        plan=plan, order=1, smart_statement="Every third grader reads at grade level."
    )
    measure = MeasureFactory(
        goal=goal,
        baseline=Decimal(40),
        target=Decimal(60),
        baseline_date=today - timedelta(days=100),
        target_date=today + timedelta(days=100),
    )
    DataPointFactory(measure=measure, date=today - timedelta(days=50), value=Decimal(45))
    DataPointFactory(measure=measure, date=today, value=Decimal(50))
    return ActionStepFactory(
        goal=goal,
        owner=world.teacher_leader,
        title="Run the learning walk on discourse",
        start=today - timedelta(days=30),
        due=today - timedelta(days=3),
    )


def test_a_teacher_leader_posts_an_update_with_evidence(page, axe_check, world, overdue_step):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(world.teacher_leader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(f"/schools/{world.school.slug}/")
    page.get_by_role("link", name="My action steps").click()
    expect(page.get_by_role("heading", level=1, name="My action steps")).to_be_visible()
    card = page.locator(f"#step-{overdue_step.pk}")
    expect(card.get_by_text("Overdue")).to_be_visible()
    expect(card.get_by_text("Goal status: On track")).to_be_visible()
    axe_check(page, moderate=True)

    card.get_by_role("link", name="Post an update on “Run the learning walk on discourse”").click()
    form_card = page.locator(f"#step-{overdue_step.pk}")
    expect(form_card.get_by_role("button", name="Post the update")).to_be_visible()
    expect(page.get_by_label(STATUS)).to_be_focused()
    axe_check(page)
    page.get_by_label(STATUS).select_option("at_risk")
    page.get_by_label("What happened").fill("Only 4 of 12 classrooms could be visited.")
    page.get_by_label("Evidence files").set_input_files(
        files=[{"name": "walk-notes.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form_card.get_by_role("button", name="Post the update").click()

    updated = page.locator(f"#step-{overdue_step.pk}")
    expect(updated.get_by_text("Your update was posted.")).to_be_visible()
    expect(updated.get_by_text("Goal status: At risk")).to_be_visible()
    expect(updated.get_by_text("Step: At risk")).to_be_visible()
    expect(updated.get_by_role("link", name="walk-notes.pdf")).to_be_visible()
    expect(page).to_have_url(f"{page.url.split('/my/')[0]}/my/steps/")  # no page load
    axe_check(page, moderate=True)
    evidence = Evidence.objects.get()
    assert evidence.file.read() == PDF

    # The plan page shows the same status, the chart and its table, and passes axe too.
    plan = overdue_step.goal.plan
    page.goto(f"/schools/{world.school.slug}/plans/{plan.pk}/")
    expect(page.get_by_role("heading", level=2, name="Goal 1")).to_contain_text("At risk")
    expect(page.get_by_role("img", name="data against the path to the target")).to_be_visible()
    page.get_by_text("Data table:").click()
    expect(page.get_by_role("table").first).to_be_visible()
    axe_check(page)

    # An update posted here changes the goal's heading in place, without a page load.
    heading = page.get_by_role("heading", level=2, name="Goal 1")
    page.get_by_role("link", name="Post an update on “Run the learning walk on discourse”").click()
    page.get_by_label(STATUS).select_option("off_track")
    page.get_by_label("What happened").fill("The walk was cancelled twice.")
    page.get_by_role("button", name="Post the update").click()
    expect(page.get_by_text("Your update was posted.")).to_be_visible()
    expect(heading).to_contain_text("Off track")
    axe_check(page)
