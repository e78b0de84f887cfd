"""The upload, preview, apply, report and invite pages, as a district admin uses them."""

import csv
import html as html_lib
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leadership.models import AuditEntry, Invitation, Membership, School, User
from rostering import importer, reader, services, source
from rostering.models import RosterImport
from tests.leadership.factories import InvitationFactory

from .conftest import base_files, zip_bytes, zip_folder

# Real commits: the preview and apply tasks are queued on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def list_url(world):
    return reverse("rostering:imports", kwargs={"slug": world.district.slug})


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def upload(client, world, *files, htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(list_url(world), {"files": list(files)}, **headers)


def zip_upload(files=None, name="export.zip", folder=""):
    return SimpleUploadedFile(name, zip_bytes(files or base_files(), folder), "application/zip")


def test_upload_preview_apply_and_report(world, client):
    client.force_login(world.district_admin)
    response = upload(client, world, zip_upload(folder="export/"))
    roster_import = RosterImport.objects.get()
    detail = reverse(
        "rostering:import_detail",
        kwargs={"slug": world.district.slug, "pk": roster_import.pk},
    )
    assert response.status_code == 302 and response["Location"] == detail
    # The export is kept through the storage API for the worker.
    assert roster_import.file.storage.exists(roster_import.file.name)
    assert roster_import.status == RosterImport.Status.READY
    assert roster_import.preview_counts["people_created"] == 4
    assert not User.objects.filter(email="tess@maple.example").exists()

    page = client.get(detail).content.decode()
    assert "What would change" in page
    assert "Apply the export" in page
    assert "Gil Guardian (p2) has no e-mail address" in page

    response = client.post(
        reverse(
            "rostering:import_apply",
            kwargs={"slug": world.district.slug, "pk": roster_import.pk},
        )
    )
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    assert roster_import.counts["memberships_created"] == 5
    assert roster_import.applied_by == world.district_admin
    assert User.objects.filter(email="tess@maple.example").exists()
    assert AuditEntry.objects.filter(action="rosterimport.apply").exists()
    page = client.get(detail).content.decode()
    assert "What changed" in page and "The export was applied" in page
    assert 'value="100"' in page

    district_page = client.get(world.district.get_absolute_url()).content.decode()
    assert "Maple Elementary" in district_page and "Oak Middle" in district_page

    # Applying twice is refused: the import is no longer ready.
    client.post(
        reverse(
            "rostering:import_apply",
            kwargs={"slug": world.district.slug, "pk": roster_import.pk},
        )
    )
    assert Membership.objects.exclude(sourced_id="").count() == 5


def test_separate_csv_files_are_accepted(world, client):
    client.force_login(world.district_admin)
    files = [SimpleUploadedFile(name, text.encode()) for name, text in base_files().items()]
    response = upload(client, world, *files)
    assert response.status_code == 302
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.READY
    assert roster_import.preview_counts["schools_created"] == 2


def test_a_real_export_zipped_from_the_fixtures(world, client):
    from .conftest import FIXTURES

    client.force_login(world.district_admin)
    data = zip_folder(FIXTURES / "v1p2-catalyst-test-data")
    upload(client, world, SimpleUploadedFile("oneroster.zip", data, "application/zip"))
    roster_import = RosterImport.objects.get()
    assert (roster_import.status, roster_import.version) == ("ready", "1.2")


def test_an_export_with_errors_shows_them_and_cannot_be_applied(world, client):
    client.force_login(world.district_admin)
    users = base_files()["users.csv"].replace("givenName", "givenNme")
    upload(client, world, zip_upload(base_files(**{"users.csv": users})))
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.INVALID
    kwargs = {"slug": world.district.slug, "pk": roster_import.pk}
    page = client.get(reverse("rostering:import_detail", kwargs=kwargs)).content.decode()
    message = str(reader.MISSPELT_COLUMN % {"column": "givenName", "found": "givenNme"})
    assert "The export has 1 error" in page
    assert "Apply the export" not in page
    assert message in html_lib.unescape(page)

    response = client.post(reverse("rostering:import_apply", kwargs=kwargs), follow=True)
    assert str(services.CANNOT_APPLY_ERRORS) in text(response)
    assert not School.objects.filter(sourced_id="s1").exists()

    report = client.get(reverse("rostering:import_problems", kwargs=kwargs))
    assert report["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert rows[0] == ["severity", "file", "line", "message"]
    assert ["error", "users.csv", "1", message] in rows


@pytest.mark.parametrize(
    ("upload_file", "message"),
    [
        (
            SimpleUploadedFile("roster.xlsx", b"PK\x03\x04junk"),
            services.NOT_CSV_OR_ZIP % {"name": "roster.xlsx"},
        ),
        (
            SimpleUploadedFile("export.zip", b"this is not a zip"),
            services.NOT_CSV_OR_ZIP % {"name": "export.zip"},
        ),
        (
            SimpleUploadedFile("people.csv", b"a,b\n"),
            services.UNKNOWN_CSV % {"name": "people.csv"},
        ),
        (
            SimpleUploadedFile("x.zip", zip_bytes({"../users.csv": "x"})),
            source.ZIP_BAD_NAME % {"name": "../users.csv"},
        ),
        (
            SimpleUploadedFile("x.zip", zip_bytes({"/etc/users.csv": "x"})),
            source.ZIP_BAD_NAME % {"name": "/etc/users.csv"},
        ),
        (
            SimpleUploadedFile("x.zip", zip_bytes({"a/b/users.csv": "x"})),
            source.ZIP_TOO_DEEP % {"name": "a/b/users.csv"},
        ),
    ],
    ids=["xlsx", "fake-zip", "unknown-csv", "dotdot", "absolute", "too-deep"],
)
def test_bad_uploads_are_refused_with_a_message(world, client, upload_file, message):
    client.force_login(world.district_admin)
    response = upload(client, world, upload_file, htmx=True)
    assert response.status_code == 200
    page = text(response)
    assert "The export was not accepted" in page
    assert str(message) in page
    assert not RosterImport.objects.exists()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused(world, client):
    client.force_login(world.district_admin)
    response = upload(client, world, SimpleUploadedFile("bomb.zip", zip_bomb()), htmx=True)
    assert str(source.ZIP_BOMB % {"name": "users.csv"}) in text(response)
    assert not RosterImport.objects.exists()


def test_too_large_an_upload_is_refused(world, client, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 100
    client.force_login(world.district_admin)
    response = upload(client, world, zip_upload(), htmx=True)
    assert "The upload is larger than" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_zip_that_lies_about_its_size_is_an_error_not_a_crash(world):
    src = source.ZipSource(io.BytesIO(zip_bytes(base_files())))
    # Shrink the declared size: reading must stop there, whatever the data says.
    src.members["users.csv"].file_size = 10
    report = importer.RosterRun(district=world.district, source=src).run(apply=True)
    assert not report.applied
    assert [(p.file, p.message) for p in report.errors] == [("users.csv", str(reader.DAMAGED))]


def test_invite_the_new_people_once_each_in_their_language(world, client, mailoutbox):
    client.force_login(world.district_admin)
    upload(client, world, zip_upload())
    roster_import = RosterImport.objects.get()
    services.roster_import_queue_apply(roster_import=roster_import, actor=world.district_admin)
    User.objects.filter(email="pat@home.example").update(preferred_language="es")
    # Someone already invited by hand is not invited again.
    InvitationFactory(school=world.school, email="al@maple.example")
    mail.outbox.clear()

    page = client.get(list_url(world)).content.decode()
    assert "3 people from the roster have not been invited yet." in page
    url = reverse("rostering:invite", kwargs={"slug": world.district.slug})
    response = client.post(url, {"school": ""}, follow=True)
    assert "Invitations are on their way" in response.content.decode()
    invited = Invitation.objects.exclude(email="al@maple.example")
    assert sorted(invited.values_list("email", "language")) == [
        ("dora@oak.example", "en"),
        ("pat@home.example", "es"),  # one invitation although Pat is family at two schools
        ("tess@maple.example", "en"),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "dora@oak.example",
        "pat@home.example",
        "tess@maple.example",
    ]
    client.post(url, {"school": ""})
    assert Invitation.objects.exclude(email="al@maple.example").count() == 3
    assert len(mailoutbox) == 3


def test_invite_one_school_only(world, client, mailoutbox):
    client.force_login(world.district_admin)
    upload(client, world, zip_upload())
    services.roster_import_queue_apply(
        roster_import=RosterImport.objects.get(), actor=world.district_admin
    )
    oak = School.objects.get(sourced_id="s2")
    client.post(
        reverse("rostering:invite", kwargs={"slug": world.district.slug}),
        {"school": oak.pk},
    )
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "dora@oak.example",
        "pat@home.example",
    ]


def test_the_progress_partial_polls_while_running(world, client):
    client.force_login(world.district_admin)
    roster_import = RosterImport.objects.create(
        district=world.district,
        file="rostering/x.zip",
        status=RosterImport.Status.APPLYING,
    )
    from django.core.cache import cache

    cache.set(services.progress_key(roster_import.pk), 42)
    url = reverse(
        "rostering:import_detail",
        kwargs={"slug": world.district.slug, "pk": roster_import.pk},
    )
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="42"' in html
    assert "<html" not in html


def test_the_list_page_queries_do_not_grow_with_imports(
    world, client, django_assert_max_num_queries
):
    for n in range(25):
        RosterImport.objects.create(
            district=world.district,
            file=f"rostering/{n}.zip",
            original_name=f"{n}.zip",
            uploaded_by=world.district_admin,
            status=RosterImport.Status.APPLIED,
        )
    client.force_login(world.district_admin)
    with django_assert_max_num_queries(12):
        response = client.get(list_url(world))
    assert response.content.decode().count("badge-ok") == 20


def test_apply_through_htmx_swaps_in_the_finished_status(world, client):
    client.force_login(world.district_admin)
    upload(client, world, zip_upload())
    roster_import = RosterImport.objects.get()
    kwargs = {"slug": world.district.slug, "pk": roster_import.pk}
    response = client.post(reverse("rostering:import_apply", kwargs=kwargs), HTTP_HX_REQUEST="true")
    page = text(response)
    assert response.status_code == 200
    assert "<html" not in page and 'id="import-status"' in page
    # Tasks run eagerly here, so the apply has finished by the time the partial renders.
    assert "The export was applied" in page and 'value="100"' in page
    assert "every 1s" not in page
    assert "1 warning." in page
