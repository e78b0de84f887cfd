"""Rostering straight from the SIS over OneRoster REST, against a small OneRoster REST server
started on this machine (tests/rostering/oneroster_server.py) that serves the fixture exports.

A sync reads everything first, then runs the file import's own check and all-or-nothing apply:
a SIS that refuses the credentials, fails mid-way, sends garbage or answers too late leaves the
district untouched and the import "has errors" with one clear problem.
"""

from __future__ import annotations

import html
import logging
import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from leadership.models import Membership, School, User
from rostering import services, sis
from rostering.models import RosterImport, SisConnection
from rostering.services import problem_rows

from .conftest import FIXTURES, ORGS, SESSIONS, USERS_HEADER, USERS_ROWS, write_folder
from .oneroster_server import OneRosterServer

# Real commits: the sync and its apply are queued on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

MANIFEST = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
STAMP = "2026-09-01T08:00:00.000Z"


def stamped(text: str, stamp: str = STAMP) -> str:
    """A CSV whose rows carry a dateLastModified, as a SIS's records do."""
    lines = text.strip("\n").split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        first, second, rest = line.split(",", 2)
        rest = rest.split(",", 1)[1]  # drop the empty dateLastModified
        out.append(f"{first},{second},{stamp},{rest}")
    return "\n".join(out) + "\n"


@pytest.fixture
def sis_folder(tmp_path):
    users = "\n".join([USERS_HEADER, *USERS_ROWS]) + "\n"
    return write_folder(
        tmp_path / "sis",
        {
            "manifest.csv": MANIFEST,
            "orgs.csv": stamped(ORGS),
            "academicSessions.csv": stamped(SESSIONS),
            "users.csv": stamped(users),
        },
    )


@pytest.fixture
def server_for():
    started = []

    def start(folder, **kwargs) -> OneRosterServer:
        server = OneRosterServer(folder, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def connect(world, server: OneRosterServer, **overrides) -> SisConnection:
    fields = {
        "base_url": server.url,
        "client_id": server.client_id,
        "client_secret": server.secret,
        "version": server.version,
    }
    fields.update(overrides)
    return services.sis_connection_save(
        district=world.district, actor=world.district_admin, **fields
    )


def sync(client, world, full: bool = False) -> RosterImport:
    client.force_login(world.district_admin)
    response = client.post(
        reverse("rostering:sis_sync", kwargs={"slug": world.district.slug}),
        {"full": "1"} if full else {},
    )
    assert response.status_code == 302, response.content[:500]
    roster_import = RosterImport.objects.filter(source="sis").latest("created_at")
    assert response["Location"] == reverse(
        "rostering:import_detail", kwargs={"slug": world.district.slug, "pk": roster_import.pk}
    )
    roster_import.refresh_from_db()
    return roster_import


def messages_of(roster_import: RosterImport) -> list[str]:
    return [message for _sev, _file, _line, message in problem_rows(roster_import.problems)]


def rostered(world) -> int:
    return Membership.objects.filter(district=world.district).exclude(sourced_id="").count()


def test_a_v1p2_sis_is_read_with_its_roles_and_applied_like_the_file_import(
    world, client, server_for
):
    server = server_for(FIXTURES / "v1p2-catalyst-test-data", version="1.2")
    connect(world, server)
    roster_import = sync(client, world)
    assert roster_import.status == RosterImport.Status.APPLIED, messages_of(roster_import)
    assert roster_import.version == "1.2"
    school = School.objects.get(district=world.district, sourced_id="ORG_1")
    assert (school.name, school.student_count) == ("Gotham High School", 1)
    # Bruce Wayne is a student: never made a user (the fixture world's own names are random).
    assert not User.objects.filter(full_name="Bruce Wayne").exists()
    assert not Membership.objects.filter(sourced_id="USER_0").exists()
    assert "POST /token" in server.requests
    assert any(r.startswith("GET /ims/oneroster/rostering/v1p2/users?") for r in server.requests)
    connection = SisConnection.objects.get(district=world.district)
    assert connection.synced_from == roster_import.created_at


def test_every_page_is_read_and_the_result_equals_the_uploaded_export(
    world, client, server_for, settings, sis_folder
):
    settings.ROSTER_SIS_PAGE_SIZE = 2
    server = server_for(sis_folder)
    connect(world, server)
    roster_import = sync(client, world)
    assert roster_import.status == RosterImport.Status.APPLIED, messages_of(roster_import)
    pages = [r for r in server.requests if r.startswith("GET /ims/oneroster/v1p1/users?")]
    assert [p.split("offset=")[1].split("&")[0] for p in pages] == ["0", "2", "4", "6"]
    # The same five roles as the file import gives this export (test_importer's mapping).
    assert rostered(world) == 5
    assert set(
        School.objects.filter(district=world.district).values_list("sourced_id", flat=True)
    ) >= {"s1", "s2"}


def test_the_nightly_sync_asks_only_for_changes_and_deactivates_nobody_missing(
    world, client, server_for, sis_folder
):
    server = server_for(sis_folder)
    connect(world, server)
    first = sync(client, world)
    assert first.status == RosterImport.Status.APPLIED, messages_of(first)
    before = rostered(world)
    # The first sync began before these changes, so the next one asks for what changed since.
    SisConnection.objects.filter(district=world.district).update(
        synced_from=timezone.now() - timedelta(minutes=5)
    )
    later = (timezone.now() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    tess = next(u for u in server.collections["users"] if u["sourcedId"] == "t1")
    tess.update(givenName="Tessa", dateLastModified=later)

    assert services.roster_sync_nightly() == [
        RosterImport.objects.filter(source="sis").latest("created_at").pk
    ]
    second = RosterImport.objects.filter(source="sis").latest("created_at")
    second.refresh_from_db()
    assert second.status == RosterImport.Status.APPLIED, messages_of(second)
    asked = [r for r in server.requests if "filter=" in r]
    assert asked and all("dateLastModified%3E" in r for r in asked)
    assert User.objects.get(email="tess@maple.example").full_name.startswith("Tessa")
    # Only Tess came in the delta: nobody else was deactivated for being missing from it.
    assert rostered(world) == before
    assert (
        Membership.objects.filter(district=world.district, is_active=False)
        .exclude(sourced_id="")
        .count()
        == 0
    )


def test_a_wrong_secret_is_refused_plainly_and_the_secret_is_never_written_down(
    world, client, server_for, sis_folder, caplog
):
    server = server_for(sis_folder)
    connect(world, server, client_secret="not-the-secret-XYZ")
    with caplog.at_level(logging.DEBUG):
        roster_import = sync(client, world)
    assert roster_import.status == RosterImport.Status.INVALID
    assert messages_of(roster_import) == [str(sis.SIS_REFUSED_CREDENTIALS % {"status": 401})]
    assert rostered(world) == 0
    written = caplog.text + str(roster_import.problems) + roster_import.original_name
    assert "not-the-secret-XYZ" not in written
    page = client.get(reverse("rostering:sis", kwargs={"slug": world.district.slug}))
    assert "not-the-secret-XYZ" not in page.content.decode()


def test_a_server_error_mid_sync_leaves_nothing_half_applied(
    world, client, server_for, settings, sis_folder
):
    settings.ROSTER_SIS_PAGE_SIZE = 2
    server = server_for(sis_folder)
    server.fail = ("users", 3)  # orgs and sessions read, two pages of people, then a 500
    connect(world, server)
    roster_import = sync(client, world)
    assert roster_import.status == RosterImport.Status.INVALID
    assert messages_of(roster_import) == [
        str(sis.SIS_ERROR % {"status": 500, "what": sis.WHAT["users"]})
    ]
    assert rostered(world) == 0
    assert not School.objects.filter(district=world.district).exclude(sourced_id="").exists()
    assert SisConnection.objects.get(district=world.district).synced_from is None


def test_garbage_instead_of_json_is_named(world, client, server_for, sis_folder):
    server = server_for(sis_folder)
    server.garbage = "orgs"
    connect(world, server)
    roster_import = sync(client, world)
    assert roster_import.status == RosterImport.Status.INVALID
    assert messages_of(roster_import) == [str(sis.SIS_GARBAGE % {"what": sis.WHAT["orgs"]})]
    assert rostered(world) == 0


def test_a_page_that_never_comes_times_out_cleanly(world, client, server_for, settings, sis_folder):
    settings.ROSTER_SIS_TIMEOUT = 0.5
    server = server_for(sis_folder)
    server.slow = ("users", 3.0)
    connect(world, server)
    roster_import = sync(client, world)
    assert roster_import.status == RosterImport.Status.INVALID
    assert messages_of(roster_import) == [
        str(sis.SIS_TIMEOUT % {"seconds": "0.5", "what": sis.WHAT["users"]})
    ]
    assert rostered(world) == 0


def test_a_sis_that_is_not_there_is_named(world, client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    services.sis_connection_save(
        district=world.district,
        actor=world.district_admin,
        base_url=f"http://127.0.0.1:{port}",
        client_id="accord",
        client_secret="whatever",
    )
    roster_import = sync(client, world)
    assert roster_import.status == RosterImport.Status.INVALID
    (message,) = messages_of(roster_import)
    assert message.startswith(f"The information system at 127.0.0.1:{port} could not be reached")


def test_one_sync_at_a_time_per_district(world, server_for, sis_folder, monkeypatch):
    from leadership import outbox

    monkeypatch.setattr(outbox, "dispatch", lambda row_id: False)  # queued, not yet run
    connect(world, server_for(sis_folder))
    services.roster_sync_start(district=world.district, actor=world.district_admin)
    with pytest.raises(ValidationError) as refused:
        services.roster_sync_start(district=world.district, actor=world.district_admin)
    assert "already running" in refused.value.messages[0]
    assert RosterImport.objects.filter(source="sis").count() == 1


def test_nightly_syncs_only_the_districts_that_asked(world, server_for, sis_folder, monkeypatch):
    from leadership import outbox

    monkeypatch.setattr(outbox, "dispatch", lambda row_id: False)
    connect(world, server_for(sis_folder), nightly=False)
    assert services.roster_sync_nightly() == []
    SisConnection.objects.filter(district=world.district).update(nightly=True)
    assert len(services.roster_sync_nightly()) == 1


def test_sync_without_a_connection_says_connect_first(world, client):
    client.force_login(world.district_admin)
    response = client.post(reverse("rostering:sis_sync", kwargs={"slug": world.district.slug}))
    assert response.status_code == 409
    assert str(services.NO_CONNECTION) in html.unescape(response.content.decode())
    assert not RosterImport.objects.exists()


def test_the_connection_page_keeps_the_secret_and_refuses_plain_http(world, client):
    client.force_login(world.district_admin)
    url = reverse("rostering:sis", kwargs={"slug": world.district.slug})
    data = {
        "base_url": "http://sis.example.org",
        "version": "1.1",
        "client_id": "accord",
        "client_secret": "s3cret-value",
        "nightly": "on",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Use an https:// address" in page and "s3cret-value" not in page
    assert not SisConnection.objects.exists()

    data["base_url"] = "https://sis.example.org"
    assert client.post(url, data).status_code == 302
    # Saved again without a secret: the stored one is kept.
    data.pop("client_secret")
    data["client_id"] = "accord-2"
    assert client.post(url, data).status_code == 302
    connection = SisConnection.objects.get()
    assert (connection.client_id, connection.client_secret) == ("accord-2", "s3cret-value")
    shown = client.get(url).content.decode()
    assert "s3cret-value" not in shown and "A secret is stored" in shown


def test_a_secret_from_the_environment_wins(world, settings):
    settings.ROSTER_SIS_SECRETS = {world.district.slug: "from-env"}
    connection = services.sis_connection_save(
        district=world.district,
        actor=world.district_admin,
        base_url="https://sis.example.org",
        client_id="accord",
    )
    assert connection.client_secret == ""
    assert services.sis_secret(connection) == "from-env"


def test_a_fault_of_ours_mid_sync_is_reported_not_left_running(
    world, client, server_for, sis_folder, monkeypatch
):
    connect(world, server_for(sis_folder))

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(sis, "csv_row", broken)
    roster_import = sync(client, world)
    assert roster_import.status == RosterImport.Status.INVALID
    assert messages_of(roster_import) == [str(services.SYNC_CRASHED)]
    assert rostered(world) == 0
