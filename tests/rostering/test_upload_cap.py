"""The roster upload's own cap, applied while the export streams in."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rostering.models import RosterImport

from .conftest import base_files, zip_bytes


@pytest.fixture
def admin_client(world, client):
    client.force_login(world.district_admin)
    return client


def post(client, world, *files):
    return client.post(
        reverse("rostering:imports", kwargs={"slug": world.district.slug}),
        {"files": list(files)},
        HTTP_HX_REQUEST="true",
    )


def test_an_export_past_the_roster_cap_is_refused_with_the_limit(admin_client, world, settings):
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "roster": 1024}
    archive = zip_bytes(base_files())
    assert len(archive) > 1024
    response = post(admin_client, world, SimpleUploadedFile("export.zip", archive))
    page = response.content.decode()
    assert response.status_code == 200
    assert "“export.zip” is larger than 1.0\xa0KB, the most this form accepts." in page
    assert "Leave out the files Accord does not read" in page
    assert not RosterImport.objects.exists()


def test_the_roster_cap_is_larger_than_the_other_uploads(admin_client, world, settings):
    # A 3 MB export passes, where a data CSV or the default stops at 2 MB.
    assert settings.UPLOAD_MAX_BYTES["roster"] > settings.UPLOAD_MAX_BYTES["data_csv"]
    files = {**base_files(), "resources.csv": os.urandom(3 * 1024 * 1024)}  # read by no one
    archive = zip_bytes(files)
    assert len(archive) > settings.UPLOAD_MAX_BYTES["data_csv"]
    post(admin_client, world, SimpleUploadedFile("export.zip", archive))
    assert RosterImport.objects.count() == 1
