"""Preview and apply through a real Celery worker and broker (Redis in CI)."""

import time

from django.core.files.uploadedfile import SimpleUploadedFile

from leadership.models import Membership
from rostering import services
from rostering.models import RosterImport
from tests.worker import needs_broker

from .conftest import base_files, zip_bytes

pytestmark = needs_broker


def status_becomes(pk: int, status: str, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if RosterImport.objects.get(pk=pk).status == status:
            return True
        time.sleep(0.1)
    return False


def test_the_worker_previews_then_applies_once(real_worker, world):
    roster_import = services.roster_import_create(
        district=world.district,
        actor=world.district_admin,
        files=[SimpleUploadedFile("export.zip", zip_bytes(base_files()))],
    )
    assert status_becomes(roster_import.pk, RosterImport.Status.READY)
    assert not Membership.objects.exclude(sourced_id="").exists()

    services.roster_import_queue_apply(roster_import=roster_import, actor=world.district_admin)
    assert status_becomes(roster_import.pk, RosterImport.Status.APPLIED)
    roster_import.refresh_from_db()
    assert roster_import.counts["memberships_created"] == 5
    assert Membership.objects.exclude(sourced_id="").count() == 5

    # A duplicate delivery of the apply task finds the import applied and does nothing.
    from rostering.tasks import apply_roster_import

    apply_roster_import.delay(roster_import.pk)
    time.sleep(1)
    assert Membership.objects.exclude(sourced_id="").count() == 5
