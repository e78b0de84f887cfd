"""A member puts an item forward with a pre-read; the facilitator accepts it into a meeting."""

import pytest
from playwright.sync_api import expect

from teams.models import AgendaItem, ProposalStatus
from tests.e2e import test_teams_meeting as meeting_e2e
from tests.e2e.test_teams_meeting import sign_in
from tests.teams import factories as f

second_page = meeting_e2e.second_page


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_member_proposes_an_agenda_item_and_it_is_accepted(
    page, second_page, axe_check, live_server, world, tmp_path
):
    ilt = f.ilt_for(world)
    meeting = f.meeting(ilt.team, days=7)
    pre_read = tmp_path / "rota.pdf"
    pre_read.write_bytes(b"%PDF-1.4\n% the rota\n")

    sign_in(page.context, live_server, world.teacher_leader)
    page.goto(ilt.team.get_absolute_url())
    form = page.get_by_role("form", name="Put an item forward for the agenda")
    form.get_by_label("Item").fill("Recess duty rota")
    form.get_by_label("Why it matters").fill("Two classes are alone at 10:15.")
    form.get_by_label("Kind").select_option("decide")
    form.get_by_label("Time needed (minutes)").fill("15")
    form.get_by_label("Pre-read file").set_input_files(str(pre_read))
    form.get_by_role("button", name="Put it forward").click()
    expect(page.get_by_text("Your item was put forward.")).to_be_visible()
    expect(page.locator("#proposals")).to_contain_text("Waiting for the facilitator")
    axe_check(page)

    sign_in(second_page.context, live_server, world.principal)
    second_page.goto(ilt.team.get_absolute_url())
    accept = second_page.get_by_role("form", name="Accept “Recess duty rota”")
    accept.get_by_label("Meeting").select_option(index=0)
    axe_check(second_page)
    accept.get_by_role("button", name="Accept into this meeting").click()
    expect(second_page.get_by_text("“Recess duty rota” is on the agenda")).to_be_visible()
    second_page.goto(meeting.get_absolute_url())
    expect(second_page.locator("#agenda")).to_contain_text("Recess duty rota")
    expect(second_page.get_by_role("link", name="rota.pdf")).to_be_visible()
    axe_check(second_page)

    page.reload()
    expect(page.locator("#proposals")).to_contain_text("Accepted")
    expect(page.get_by_role("link", name="on the agenda of")).to_be_visible()
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.proposal.status == ProposalStatus.ACCEPTED and item.minutes_allotted == 15
