"""An apply that loses its worker: the sweep, applying again, one apply per district at a time,
the heartbeat, all-or-nothing, and what pressing "apply" answers in each state."""

import html as html_lib
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation

from leadership import clock, outbox
from leadership.models import AuditEntry, Membership, School, User
from rostering import applier, services, tasks
from rostering.applier import RosterApplier
from rostering.models import RosterImport

from .conftest import base_files, zip_bytes

# Real commits: other connections (the heartbeat, a second apply, the sweep) must see them.
pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)
Status = RosterImport.Status


def ready_import(world, name="export.zip") -> RosterImport:
    upload = SimpleUploadedFile(name, zip_bytes(base_files()), "application/zip")
    roster_import = services.roster_import_create(
        district=world.district, actor=world.district_admin, files=[upload]
    )
    roster_import.refresh_from_db()
    assert roster_import.status == Status.READY
    return roster_import


def applying(roster_import, *, queued=T0, started=T0, beat=T0) -> RosterImport:
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status=Status.APPLYING, apply_queued_at=queued, apply_started_at=started, heartbeat_at=beat
    )
    roster_import.refresh_from_db()
    return roster_import


def imported_rows():
    return (
        Membership.objects.exclude(sourced_id="").count(),
        School.objects.exclude(sourced_id="").count(),
        User.objects.filter(email__endswith=".example").count(),
    )


# --- the sweep -----------------------------------------------------------------------


def test_the_sweep_fails_a_run_whose_heartbeat_stopped(world):
    with time_machine.travel(T0, tick=False):
        roster_import = applying(ready_import(world))
    with time_machine.travel(T0 + timedelta(seconds=59), tick=False):
        assert services.roster_imports_sweep_stalled() == []
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLYING
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert tasks.sweep_stalled_roster_imports() == 1
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.failure) == (Status.FAILED, "stalled")
    entry = AuditEntry.objects.get(action="rosterimport.stalled")
    assert entry.object_id == str(roster_import.pk) and entry.after == {"failure": "stalled"}


def test_the_sweep_fails_a_run_no_worker_began(world):
    with time_machine.travel(T0, tick=False):
        roster_import = applying(ready_import(world), started=None, beat=None)
    with time_machine.travel(T0 + timedelta(seconds=599), tick=False):
        assert services.roster_imports_sweep_stalled() == []
    with time_machine.travel(T0 + timedelta(seconds=601), tick=False):
        assert services.roster_imports_sweep_stalled() == [roster_import.pk]
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.failure) == (Status.FAILED, "not_started")


def test_the_sweep_leaves_a_live_apply_alone_however_late_its_heartbeat(world):
    """A live apply holds its district's lock: a slow one is never failed by mistake."""
    roster_import = applying(ready_import(world), beat=timezone.now() - timedelta(hours=1))
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                applier.lock_district(world.district.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        assert services.roster_imports_sweep_stalled() == []
        roster_import.refresh_from_db()
        assert roster_import.status == Status.APPLYING
    finally:
        release.set()
        holder.join()
    assert services.roster_imports_sweep_stalled() == [roster_import.pk]


def test_a_failed_run_is_shown_and_can_be_applied_again(world, client):
    with time_machine.travel(T0, tick=False):
        roster_import = applying(ready_import(world))
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        services.roster_imports_sweep_stalled()
    client.force_login(world.district_admin)
    kwargs = {"slug": world.district.slug, "pk": roster_import.pk}
    page = html_lib.unescape(
        client.get(reverse("rostering:import_detail", kwargs=kwargs)).content.decode()
    )
    assert "The apply stopped before it finished" in page
    assert "Apply the export again" in page
    assert "every 1s" not in page  # no longer polling

    response = client.post(reverse("rostering:import_apply", kwargs=kwargs), follow=True)
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.failure) == (Status.APPLIED, "")
    assert "The export was applied" in response.content.decode()
    assert imported_rows() == (5, 2, 4)


# --- all or nothing, and the heartbeat -------------------------------------------------


def test_an_apply_that_breaks_half_way_leaves_nothing_and_can_be_applied_again(world, monkeypatch):
    roster_import = ready_import(world)
    before = imported_rows()
    real = RosterApplier._write_people

    def breaks(self):
        assert School.objects.filter(sourced_id="s1").exists()  # schools were written
        raise RuntimeError("the worker fell over")

    monkeypatch.setattr(RosterApplier, "_write_people", breaks)
    monkeypatch.setattr(outbox, "dispatch", lambda row_id: False)  # queued, not yet run
    services.roster_import_queue_apply(roster_import=roster_import, actor=world.district_admin)
    with pytest.raises(RuntimeError):
        tasks.apply_roster_import(roster_import.pk)
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.failure) == (Status.FAILED, "crashed")
    assert imported_rows() == before

    monkeypatch.setattr(RosterApplier, "_write_people", real)
    services.roster_import_queue_apply(roster_import=roster_import, actor=world.district_admin)
    assert tasks.apply_roster_import(roster_import.pk) is True
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLIED
    assert imported_rows() == (5, 2, 4)


def test_the_heartbeat_is_seen_from_outside_while_the_apply_runs(world, monkeypatch, settings):
    settings.ROSTER_HEARTBEAT_SECONDS = 0.1
    roster_import = ready_import(world)
    monkeypatch.setattr(outbox, "dispatch", lambda row_id: False)  # queued, not yet run
    services.roster_import_queue_apply(roster_import=roster_import, actor=world.district_admin)
    real = RosterApplier._write

    def slow(self, apply):
        time.sleep(1.0)
        return real(self, apply)

    monkeypatch.setattr(RosterApplier, "_write", slow)
    result = []

    def work():
        try:
            result.append(tasks.apply_roster_import(roster_import.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    beats = set()
    deadline = time.monotonic() + 10
    while worker.is_alive() and time.monotonic() < deadline:
        row = RosterImport.objects.values("status", "apply_started_at", "heartbeat_at").get(
            pk=roster_import.pk
        )
        if row["status"] == Status.APPLYING and row["heartbeat_at"]:
            beats.add(row["heartbeat_at"])
            assert row["apply_started_at"] is not None
        time.sleep(0.05)
    worker.join()
    assert result == [True]
    assert len(beats) >= 3, "the heartbeat did not advance while the apply ran"
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLIED


# --- one apply per district --------------------------------------------------------------


def run_together(*calls):
    """Run the calls in threads released at once; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(5)
            results[i] = call()
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_exports_of_one_district_cannot_both_be_queued(world, monkeypatch):
    first, second = ready_import(world, "a.zip"), ready_import(world, "b.zip")
    monkeypatch.setattr(outbox, "dispatch", lambda row_id: False)  # queued, not yet run
    results = run_together(
        lambda: services.roster_import_queue_apply(roster_import=first, actor=world.district_admin),
        lambda: services.roster_import_queue_apply(
            roster_import=second, actor=world.district_admin
        ),
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    queued = [r for r in results if isinstance(r, RosterImport)]
    assert len(queued) == 1 and len(refused) == 1, results
    winner = queued[0]
    assert refused[0].messages == [str(services.OTHER_APPLYING % {"name": winner.original_name})]
    assert list(
        RosterImport.objects.filter(status=Status.APPLYING).values_list("pk", flat=True)
    ) == [winner.pk]


def test_two_workers_given_the_same_apply_apply_it_once(world, monkeypatch):
    """A redelivered task beside the first one: the district's lock lets one apply; the other
    waits, finds it applied, and does nothing."""
    roster_import = ready_import(world)
    monkeypatch.setattr(outbox, "dispatch", lambda row_id: False)  # queued, not yet run
    services.roster_import_queue_apply(roster_import=roster_import, actor=world.district_admin)
    real, inside, overlap = RosterApplier._write, [], []

    def watched(self, apply):
        if inside:
            overlap.append(True)
        inside.append(True)
        time.sleep(0.5)
        try:
            return real(self, apply)
        finally:
            inside.pop()

    monkeypatch.setattr(RosterApplier, "_write", watched)
    results = run_together(
        lambda: tasks.apply_roster_import(roster_import.pk),
        lambda: tasks.apply_roster_import(roster_import.pk),
    )
    assert sorted(results) == [False, True]
    assert overlap == []
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLIED
    assert roster_import.counts["memberships_created"] == 5
    assert imported_rows() == (5, 2, 4)


# --- what pressing "apply" answers -------------------------------------------------------


def local(value, district):
    return formats.date_format(
        timezone.localtime(value, clock.zone_of(district)), "SHORT_DATETIME_FORMAT"
    )


STATES = {
    "previewing": lambda w, ri, other: (
        {"status": Status.PREVIEWING},
        str(services.STILL_CHECKING),
    ),
    "invalid": lambda w, ri, other: ({"status": Status.INVALID}, str(services.CANNOT_APPLY_ERRORS)),
    "applying": lambda w, ri, other: (
        {"status": Status.APPLYING, "apply_queued_at": T0},
        str(services.ALREADY_APPLYING % {"time": local(T0, w.district)}),
    ),
    "applied": lambda w, ri, other: (
        {"status": Status.APPLIED, "applied_at": T0},
        str(services.ALREADY_APPLIED % {"when": local(T0, w.district)}),
    ),
    "another applying": lambda w, ri, other: (
        {"status": Status.FAILED},
        str(services.OTHER_APPLYING % {"name": other.original_name}),
    ),
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("state", STATES)
def test_pressing_apply_says_why_not_in_each_state(world, client, state, language, monkeypatch):
    roster_import = ready_import(world, "this.zip")
    other = ready_import(world, "other.zip")
    monkeypatch.setattr(outbox, "dispatch", lambda row_id: False)  # queued, not yet run
    if state == "another applying":
        applying(other)
    User.objects.filter(pk=world.district_admin.pk).update(preferred_language=language)
    fields, _message = STATES[state](world, roster_import, other)
    RosterImport.objects.filter(pk=roster_import.pk).update(**fields)
    before = RosterImport.objects.values().get(pk=roster_import.pk)
    with translation.override(language):
        expected = STATES[state](world, roster_import, other)[1]
    if language == "en" and state in {"applying", "applied"}:
        assert "2 p.m." not in expected  # the district's wall clock, not UTC
    client.force_login(world.district_admin)
    url = reverse(
        "rostering:import_apply",
        kwargs={"slug": world.district.slug, "pk": roster_import.pk},
    )
    page = html_lib.unescape(client.post(url, follow=True).content.decode())
    assert expected in page
    partial = html_lib.unescape(client.post(url, HTTP_HX_REQUEST="true").content.decode())
    assert f'role="alert">{expected}</p>' in partial
    assert RosterImport.objects.values().get(pk=roster_import.pk) == before
