"""A proposal under consent: blocked by an objection from a phone, amended, and passed."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from leadership import clock
from teams import services
from teams.models import Decision, DecisionRule, Proposal
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_teams_meeting import sign_in
from tests.teams import factories as f


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """A member's phone: a small touch screen, its own session."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield tab
    context.close()
    if errors:
        pytest.fail("Console errors on the phone:\n" + "\n".join(errors), pytrace=False)


def test_a_consent_proposal_is_blocked_amended_and_passed(
    page, phone, axe_check, live_server, world, mailbox
):
    ilt = f.ilt_for(world)
    DecisionRule.objects.create(
        team=ilt.team, area="staffing", model="consent", who_decides="The ILT"
    )
    closes = clock.now_in(world.district) + timedelta(days=2)

    # The teacher leader opens the proposal on the team page.
    sign_in(page.context, live_server, world.teacher_leader)
    page.goto(ilt.team.get_absolute_url())
    form = page.get_by_role("form", name="Open a proposal")
    form.get_by_label("Decision area").select_option("staffing")
    form.get_by_label("Title").fill("Recess duty rota")
    form.get_by_label("Proposal", exact=True).fill("Two adults on the yard at every recess.")
    form.get_by_label("Answers close at").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Open the proposal").click()
    expect(page.get_by_text("The proposal is open for answers.")).to_be_visible()
    axe_check(page)
    proposal = Proposal.objects.get()

    # The principal consents; the family member objects from a phone.
    services.proposal_answer(proposal=proposal, user=world.principal, value="consent")
    sign_in(phone.context, live_server, world.family)
    phone.goto(proposal.get_absolute_url())
    phone.get_by_role("button", name="I object").click()
    expect(phone.get_by_role("alert")).to_contain_text("Say what you object to")
    phone.get_by_label("Your objection (if you object)").fill("Fridays we have one adult only")
    phone.get_by_role("button", name="I object").click()
    expect(phone.get_by_text("Your answer was recorded.")).to_be_visible()
    axe_check(phone)
    services.proposal_answer(proposal=proposal, user=world.teacher_leader, value="consent")

    # Blocked: everyone answered, still open; the opener amends it.
    page.goto(proposal.get_absolute_url())
    expect(page.locator("#answers")).to_contain_text("Fridays we have one adult only")
    expect(page.get_by_text("Open for answers")).to_be_visible()
    page.get_by_label("Amended proposal").fill("Two adults at every recess; one on Fridays.")
    page.get_by_role("button", name="Amend").click()
    expect(page.get_by_text("The proposal was amended.")).to_be_visible()
    expect(page.get_by_role("heading", name="The proposal (version 2)")).to_be_visible()

    # Everyone answers the new version; the last answer states the outcome.
    services.proposal_answer(proposal=proposal, user=world.principal, value="consent")
    page.get_by_role("button", name="I consent").click()
    expect(page.get_by_text("Your answer was recorded.")).to_be_visible()
    phone.reload()
    phone.get_by_role("button", name="I consent").click()
    expect(phone.get_by_role("heading", name="Outcome")).to_be_visible()
    expect(phone.get_by_text("Adopted")).to_be_visible()
    axe_check(phone)

    decision = Decision.objects.get()
    assert decision.outcome == "adopted" and decision.model_used == "consent"
    assert decision.present == 3
    assert sorted(m.to[0] for m in mailbox) == sorted(
        [world.principal.email, world.teacher_leader.email, world.family.email]
    )
    page.goto(f"/schools/{world.school.slug}/decisions/")
    expect(page.get_by_role("cell", name="Recess duty rota")).to_be_visible()
    axe_check(page)
