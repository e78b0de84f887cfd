"""The RSVP link e-mailed to a family works in a real browser without signing in: the page is
opened from the link and its form posted. With `Referrer-Policy: no-referrer` Chromium sent
`Origin: null` with the form and CSRF protection refused it (403)."""

from playwright.sync_api import expect

from engagement import tokens
from engagement.models import Rsvp, RsvpStatus
from tests.engagement.factories import EventFactory, RsvpFactory


def test_a_family_changes_and_cancels_its_rsvp_from_the_emailed_link(page, axe_check, world):
    event = EventFactory(school=world.school, capacity=20)
    rsvp = RsvpFactory(event=event, family=world.family, adults=1)
    link = f"/rsvp/{tokens.make_rsvp_token(rsvp)}/"

    response = page.goto(link)
    assert response.headers["referrer-policy"] == "same-origin"
    axe_check(page)
    form = page.locator("#rsvp-form")
    form.locator("#id_adults").fill("2")
    form.locator("#id_children").fill("1")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Save changes to my RSVP").click()
    assert posted.value.status == 302  # not 403 from CSRF
    expect(page.locator("#rsvp-status")).to_contain_text("3 people")
    assert Rsvp.objects.get(pk=rsvp.pk).party_size == 3
    axe_check(page)

    page.get_by_role("button", name="Cancel my RSVP").click()
    expect(page.locator("#rsvp-status")).not_to_contain_text("3 people")
    assert Rsvp.objects.get(pk=rsvp.pk).status == RsvpStatus.CANCELLED
    # The link signed nobody in.
    assert not any(c["name"] == "sessionid" for c in page.context.cookies())
