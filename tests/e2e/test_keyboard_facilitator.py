"""A facilitator who uses only the keyboard runs an item from the start to a decision."""

import re

from playwright.sync_api import expect

from teams import services
from teams.models import Decision, MeetingStatus
from tests.e2e.test_teams_meeting import sign_in
from tests.teams import factories as f

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "";
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  return [label, e.innerText || "", e.getAttribute("aria-label") || ""].join(" ").trim();
}"""


def tab_to(page, text: str, limit: int = 200) -> None:
    """Press Tab until the focused element's label or text holds `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = re.sub(r"\s+", " ", page.evaluate(FOCUSED)).replace(" :", ":")
        if text in focused:
            return
    raise AssertionError(f"Tab never reached {text!r}")


def test_a_keyboard_only_facilitator_runs_an_item_to_a_decision(
    page, axe_check, live_server, world
):
    ilt = f.ilt_for(world)
    meeting = f.meeting(ilt.team, days=0)
    f.item(meeting, title="Phonics sequence", minutes_allotted=15)
    leader = str(world.teacher_leader)
    sign_in(page.context, live_server, world.principal)
    page.goto(meeting.get_absolute_url())

    tab_to(page, "Start the meeting")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The meeting has started.")).to_be_visible()
    expect(page.locator("#live-heading")).to_be_focused()

    tab_to(page, f"Mark present: {leader}")
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("button", name=re.compile(rf"Mark absent\s*:\s*{leader}"))
    ).to_be_focused()
    tab_to(page, f"Mark present: {world.family}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=re.compile("Mark absent"))).to_have_count(2)

    tab_to(page, "Minutes of “Phonics sequence”")
    page.keyboard.type("We compared two sequences.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The minutes were saved.")).to_be_visible()

    tab_to(page, "Kind of poll")
    page.keyboard.type("Fist")
    tab_to(page, "Question")
    page.keyboard.type("Ready to adopt the phonics sequence?")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The poll is open.")).to_be_visible()
    poll = meeting.items.get().polls.get()
    services.vote_cast(poll=poll, user=world.teacher_leader, value="4")
    services.vote_cast(poll=poll, user=world.family, value="5")
    expect(page.locator("#live .tally")).to_contain_text(re.compile(r"5:\s*1"))

    page.locator("#decision-heading").scroll_into_view_if_needed()
    tab_to(page, "Decision area")
    page.keyboard.type("curriculum")
    tab_to(page, "Decision")
    page.keyboard.type("Adopt the phonics sequence for K-2.")
    tab_to(page, "Tally from poll")
    page.keyboard.type("Ready")
    tab_to(page, "Record the decision")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The decision was recorded.")).to_be_visible()
    expect(page.locator("#live")).to_contain_text("Adopt the phonics sequence for K-2.")
    axe_check(page)

    decision = Decision.objects.get()
    assert decision.rule == ilt.curriculum and decision.model_used == "fist_to_five"
    assert decision.tally["counts"]["5"] == 1 and decision.present == 2
    assert meeting.__class__.objects.get(pk=meeting.pk).status == MeetingStatus.IN_PROGRESS
