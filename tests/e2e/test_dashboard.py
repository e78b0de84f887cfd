"""A district admin filters the dashboard to schools with goals off track, sorts, opens a
school, goes back and downloads the CSV of what the filters show."""

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.district.conftest import add_schools, build_activity
from tests.leadership.factories import PASSWORD


def test_district_admin_filters_sorts_opens_and_exports(page, axe_check, world):
    build_activity(world)
    add_schools(world, 30)  # more than a page
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(world.district_admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="District dashboard")).to_be_visible()
    results = page.locator("#dashboard-results")
    expect(results.locator(".dash-count")).to_contain_text("of 32 schools")
    axe_check(page, moderate=True)

    # Filter: htmx swaps the results and puts the state in the URL.
    page.get_by_label("Status").select_option("off_track")
    expect(results.locator(".dash-count")).to_contain_text("of 1 school")
    expect(page).to_have_url(re.compile(r"/districts/riverside/dashboard/\?status=off_track$"))
    expect(results.get_by_role("link", name="Lincoln Elementary")).to_be_visible()

    # Widen to every school with data problems, then sort by RSVPs, most first.
    page.get_by_label("Status").select_option("")
    expect(results.locator(".dash-count")).to_contain_text("of 32 schools")
    results.get_by_role("link", name="RSVPs").click()
    expect(page).to_have_url(re.compile(r"sort=-rsvps"))
    expect(results.locator("th[aria-sort=descending]")).to_contain_text("RSVPs")
    first_row = results.locator("tbody tr").first
    expect(first_row).to_contain_text("Lincoln Elementary")  # 3 RSVPs, the others 1
    axe_check(page, moderate=True)

    # Keyboard focus stays on the header used, and the new count is announced.
    expect(page.locator("#sort-rsvps")).to_be_focused()
    expect(page.locator("#dash-announce")).to_contain_text("of 32 schools")

    # The URL is shareable: opening it fresh shows the same view.
    page.reload()
    expect(results.locator("th[aria-sort=descending]")).to_contain_text("RSVPs")

    expect(page.get_by_label("Sort by")).to_have_value("-rsvps")  # the form follows the header
    page.get_by_label("Status").select_option("off_track")
    expect(results.locator(".dash-count")).to_contain_text("of 1 school")
    expect(page).to_have_url(re.compile(r"status=off_track&sort=-rsvps$"))
    results.get_by_role("link", name="Lincoln Elementary").click()
    expect(page.get_by_role("heading", level=1, name="Lincoln Elementary")).to_be_visible()
    expect(page.get_by_text("Read-only view for the district")).to_be_visible()
    expect(page.get_by_text("Math rises")).to_be_visible()
    axe_check(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"status=off_track"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these schools as CSV").click()
    download = download_info.value
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert [row[0] for row in rows[1:]] == ["Lincoln Elementary"]


def test_district_admin_adds_a_priority_and_sees_aligned_schools(page, axe_check, world):
    build_activity(world)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(world.district_admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="District priorities").first.click()
    expect(page.get_by_role("heading", level=2, name="Every student reads")).to_be_visible()
    expect(page.get_by_text("1 school has aligned goals.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Title").fill("Every family is a partner")
    page.get_by_role("button", name="Add priority").click()
    expect(page.get_by_text("Priority “Every family is a partner” added.")).to_be_visible()
    expect(page.get_by_text("No school has aligned a goal to this priority yet.")).to_be_visible()
    page.get_by_role("button", name="Add priority").click()  # empty title
    expect(page.get_by_role("alert")).to_contain_text("The priority was not saved")
    axe_check(page)
