"""A district admin uploads a OneRoster export, reads the preview, applies it, and finds
the new schools on the district page."""

import re

import pytest
from playwright.sync_api import expect

from leadership.models import Membership, School
from tests.leadership.factories import PASSWORD
from tests.rostering.conftest import base_files, zip_bytes


@pytest.fixture
def export_zip(tmp_path):
    path = tmp_path / "oneroster.zip"
    path.write_bytes(zip_bytes(base_files(), folder="oneroster/"))
    return path


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_district_admin_imports_a_roster(page, axe_check, world, export_zip):
    sign_in(page, world.district_admin)
    page.goto(world.district.get_absolute_url())
    page.get_by_role("link", name="Import a roster").click()
    expect(page.get_by_role("heading", name="Rostering", level=1)).to_be_visible()
    axe_check(page)

    page.get_by_label("OneRoster export").set_input_files(str(export_zip))
    page.get_by_role("button", name="Check the export").click()

    expect(page.get_by_role("heading", name="Roster import", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="What would change")).to_be_visible()
    people = page.get_by_role("row", name=re.compile(r"^People"))
    expect(people.get_by_role("cell").first).to_have_text("4")
    expect(page.get_by_text("Gil Guardian (p2) has no e-mail address")).to_be_visible()
    axe_check(page)
    assert not School.objects.filter(sourced_id="s1").exists()

    page.get_by_role("button", name="Apply the export").click()
    progress = page.locator("progress#import-progress")
    expect(progress).to_have_attribute("value", "100")
    expect(page.get_by_text("The export was applied")).to_be_visible()
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    axe_check(page)
    assert Membership.objects.filter(sourced_id="t1", is_active=True).exists()

    page.goto(world.district.get_absolute_url())
    expect(page.get_by_role("link", name="Maple Elementary")).to_be_visible()
    expect(page.get_by_role("link", name="Oak Middle")).to_be_visible()
    axe_check(page)


def test_an_export_with_errors_is_explained_and_not_applied(page, axe_check, world, tmp_path):
    users = base_files()["users.csv"].replace("givenName", "givenNme")
    path = tmp_path / "broken.zip"
    path.write_bytes(zip_bytes(base_files(**{"users.csv": users})))
    sign_in(page, world.district_admin)
    page.goto(f"/districts/{world.district.slug}/rostering/")
    page.get_by_label("OneRoster export").set_input_files(str(path))
    page.get_by_role("button", name="Check the export").click()
    expect(page.get_by_text("The export has 1 error")).to_be_visible()
    expect(page.get_by_text("The required column “givenName” is missing")).to_be_visible()
    expect(page.get_by_role("button", name="Apply the export")).to_have_count(0)
    axe_check(page)
    assert not School.objects.filter(sourced_id="s1").exists()


def test_district_admin_connects_the_sis_and_syncs(page, axe_check, world, tmp_path):
    from tests.rostering.conftest import FIXTURES
    from tests.rostering.oneroster_server import OneRosterServer

    server = OneRosterServer(FIXTURES / "v1p2-catalyst-test-data", version="1.2").start()
    try:
        sign_in(page, world.district_admin)
        page.goto(f"/districts/{world.district.slug}/rostering/")
        page.get_by_role("link", name=re.compile("straight from your information system")).click()
        expect(page.get_by_role("heading", name="Information system", level=1)).to_be_visible()
        expect(page.get_by_text("No sync yet.")).to_be_visible()
        axe_check(page)

        page.get_by_label("OneRoster base URL").fill(server.url)
        page.get_by_label("OneRoster version").select_option("1.2")
        page.get_by_label("Client ID").fill(server.client_id)
        page.get_by_label("Client secret").fill(server.secret)
        page.get_by_role("button", name="Save the connection").click()
        expect(page.get_by_text("The connection was saved.")).to_be_visible()
        expect(page.get_by_text("A secret is stored")).to_be_visible()
        axe_check(page)

        page.get_by_role("button", name="Sync now").click()
        expect(page.get_by_role("heading", name="Roster import", level=1)).to_be_visible()
        expect(page.get_by_text("The export was applied")).to_be_visible()
        axe_check(page)
        assert School.objects.filter(district=world.district, sourced_id="ORG_1").exists()
    finally:
        server.stop()
