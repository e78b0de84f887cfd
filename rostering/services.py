"""Every write of rostering: store an upload, preview it, apply it, invite the people it made."""

from __future__ import annotations

import io
import logging
import tempfile
import threading
import urllib.parse
import zipfile
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from leadership import audit, clock, outbox, tokens, versions
from leadership.exports import csv_writer
from leadership.models import District, Invitation, Membership, Role, School, User
from leadership.services import SEND_INVITATION

from . import reader, sis
from .applier import lock_district
from .importer import RosterRun
from .models import RosterImport, SisConnection
from .reader import Report
from .source import ONEROSTER_FILES, ExportRefused, ExportSource, ZipSource, max_upload_bytes

NOT_CSV_OR_ZIP = _("“%(name)s” is neither a CSV file nor a zip archive.")
UNKNOWN_CSV = _("“%(name)s” is not a OneRoster file name (such as users.csv).")
TOO_BIG = _("The upload is larger than %(limit)s MB.")
NOTHING_UPLOADED = _("Choose a zip archive or the CSV files of the export.")
ONE_ZIP_ONLY = _("Upload one zip archive, or CSV files, not both.")
HAS_ERRORS = _("The export has errors; nothing was changed.")

# What pressing "apply" answers, in each state of the import.
STILL_CHECKING = _(
    "The export is still being checked. You can apply it once the check has finished."
)
CANNOT_APPLY_ERRORS = _(
    "The export has errors, so it cannot be applied. Fix them in your information system "
    "and upload the export again."
)
ALREADY_APPLYING = _(
    "The export is already being applied (since %(time)s). This page shows when it has "
    "finished; there is no need to apply it again."
)
ALREADY_APPLIED = _(
    "The export was applied on %(when)s; to bring in later changes, upload a new export."
)
OTHER_APPLYING = _(
    "Another export of this district (“%(name)s”) is being applied now. Apply this one once "
    "that one has finished."
)

# A worker beats every ROSTER_HEARTBEAT_SECONDS while it applies. A run that has not beaten
# for ROSTER_APPLY_STALE_SECONDS, or that no worker began within ROSTER_APPLY_START_SECONDS
# of being queued, and whose district no transaction holds, is marked failed by the sweep.
HEARTBEAT_SECONDS = 10
APPLY_STALE_SECONDS = 60
APPLY_START_SECONDS = 600

log = logging.getLogger(__name__)


def max_problems() -> int:
    return reader.max_problems()


def progress_key(roster_import_id: int) -> str:
    return f"rostering:progress:{roster_import_id}"


def progress_of(roster_import: RosterImport) -> int:
    """Live progress: the worker writes it to the cache, since its own writes to the import
    row stay invisible until its transaction commits (the apply is one transaction)."""
    if not roster_import.is_running:
        return roster_import.progress
    return int(cache.get(progress_key(roster_import.pk), roster_import.progress))


def _reporter(roster_import_id: int):
    last = [-1]

    def report(percent: int) -> None:
        if percent != last[0]:
            last[0] = percent
            cache.set(progress_key(roster_import_id), percent, 60 * 60)

    return report


def check_upload(files: Iterable[UploadedFile]) -> None:
    """Type and size of an upload: one zip, or CSV files with OneRoster names."""
    files = list(files)
    if not files:
        raise ValidationError(NOTHING_UPLOADED)
    limit = max_upload_bytes()
    if sum(f.size or 0 for f in files) > limit:
        raise ValidationError(TOO_BIG % {"limit": limit // (1024 * 1024)})
    zips = [f for f in files if f.name.lower().endswith(".zip")]
    for upload in files:
        lower = upload.name.lower()
        if not lower.endswith((".zip", ".csv")):
            raise ValidationError(NOT_CSV_OR_ZIP % {"name": upload.name})
        head = upload.read(4)
        upload.seek(0)
        if lower.endswith(".zip") and head[:2] != b"PK":
            raise ValidationError(NOT_CSV_OR_ZIP % {"name": upload.name})
        if lower.endswith(".csv") and (b"\0" in head or head[:2] == b"PK"):
            raise ValidationError(NOT_CSV_OR_ZIP % {"name": upload.name})
        if lower.endswith(".csv") and upload.name.rsplit("/", 1)[-1] not in ONEROSTER_FILES:
            raise ValidationError(UNKNOWN_CSV % {"name": upload.name})
    if zips and len(files) > 1:
        raise ValidationError(ONE_ZIP_ONLY)
    if zips:
        try:
            ZipSource(zips[0])
        except ExportRefused as refused:
            raise ValidationError(refused.message) from refused
        zips[0].seek(0)


def _as_zip(files: list[UploadedFile]) -> File:
    """Separate CSV files, packed into one zip so the stored export is always one file."""
    packed = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for upload in files:
            with archive.open(upload.name.rsplit("/", 1)[-1], "w") as member:
                for block in upload.chunks():
                    member.write(block)
    packed.seek(0)
    return File(packed, name="export.zip")


@transaction.atomic
def roster_import_create(
    *, district, actor: User, files: list[UploadedFile], queue_preview: bool = True
) -> RosterImport:
    """Store the upload through the storage API and queue its preview."""
    check_upload(files)
    if len(files) == 1 and files[0].name.lower().endswith(".zip"):
        stored, name = files[0], files[0].name
    else:
        stored, name = _as_zip(files), ", ".join(f.name for f in files)
    roster_import = RosterImport(district=district, uploaded_by=actor, original_name=name[:255])
    roster_import.file.save("export.zip", stored, save=False)
    roster_import.save()
    audit.record(actor=actor, action="rosterimport.upload", obj=roster_import)
    if queue_preview:
        outbox.enqueue("rostering.tasks.preview_roster_import", roster_import.pk)
    return roster_import


def _open_source(roster_import: RosterImport) -> tuple[ExportSource, object]:
    handle = roster_import.file.storage.open(roster_import.file.name, "rb")
    try:
        return ZipSource(handle), handle
    except ExportRefused:
        handle.close()
        raise


def _save_report(roster_import: RosterImport, report: Report, *, counts_field: str) -> None:
    """Errors first, then warnings, up to the limit; each as [severity, file, line, message,
    values] with the message untranslated, so that the page shows it in the reader's
    language."""
    limit = max_problems()
    kept = (report.errors + report.warnings)[:limit]
    roster_import.version = report.version[:20]
    roster_import.problems = [p.as_list() for p in kept]
    roster_import.error_count = report.error_count
    roster_import.warning_count = report.warning_count
    setattr(roster_import, counts_field, dict(report.counts))


def problem_rows(problems: list) -> list[tuple]:
    """Stored problems as (severity, file, line, message in the current language). Rows kept
    before messages were stored untranslated have the text itself in fourth place."""
    rows = []
    for problem in problems:
        severity, file, line, message = problem[:4]
        params = problem[4] if len(problem) > 4 else None
        if len(problem) > 4:
            message = reader.render_message(message, params)
        rows.append((severity, file, line, message))
    return rows


def _run(roster_import: RosterImport, *, apply: bool) -> Report:
    """Read the stored export and preview or apply it; an export that cannot be opened is a
    report with that one error."""
    try:
        source, handle = _open_source(roster_import)
    except ExportRefused as refused:
        report = Report()
        report.error("", None, refused.template, **refused.params)
        return report
    with handle:
        run = RosterRun(
            district=roster_import.district, source=source, progress=_reporter(roster_import.pk)
        )
        return run.run(apply=apply)


def roster_import_preview(*, roster_import: RosterImport) -> Report:
    """The dry run: read and check everything, count what would change, write nothing."""
    report = _run(roster_import, apply=False)
    _save_report(roster_import, report, counts_field="preview_counts")
    roster_import.status = (
        RosterImport.Status.INVALID if report.has_errors else RosterImport.Status.READY
    )
    roster_import.progress = 100
    roster_import.save()
    return report


def _local(value, district) -> str:
    return formats.date_format(
        timezone.localtime(value, clock.zone_of(district)), "SHORT_DATETIME_FORMAT"
    )


def _refusal(roster_import: RosterImport) -> str | None:
    """Why this import cannot be applied now, in the reader's language; None if it can."""
    Status = RosterImport.Status
    status = roster_import.status
    if status in {Status.READY, Status.FAILED}:
        return None
    if status == Status.PREVIEWING:
        return str(STILL_CHECKING)
    if status == Status.APPLYING:
        since = roster_import.apply_queued_at or roster_import.created_at
        return str(ALREADY_APPLYING % {"time": _local(since, roster_import.district)})
    if status == Status.APPLIED:
        when = roster_import.applied_at or roster_import.created_at
        return str(ALREADY_APPLIED % {"when": _local(when, roster_import.district)})
    return str(CANNOT_APPLY_ERRORS)


def _other_applying(roster_import: RosterImport) -> ValidationError:
    other = (
        RosterImport.objects.filter(
            district_id=roster_import.district_id, status=RosterImport.Status.APPLYING
        )
        .exclude(pk=roster_import.pk)
        .first()
    )
    name = (other.original_name or str(other.pk)) if other else "—"
    return ValidationError(OTHER_APPLYING % {"name": name})


@transaction.atomic
def roster_import_queue_apply(*, roster_import: RosterImport, actor: User) -> RosterImport:
    """Mark the import as applying and queue the worker.

    Refused, with a message that says why, unless the preview was clean (ready) or an earlier
    apply failed. One import per district can be applying: the database holds that (a
    partial unique constraint), so two people pressing apply at the same moment on two
    exports of one district cannot both queue one.
    """
    roster_import = (
        RosterImport.objects.select_for_update(of=("self",))
        .select_related("district")
        .get(pk=roster_import.pk)
    )
    refusal = _refusal(roster_import)
    if refusal:
        raise ValidationError(refusal)
    roster_import.status = RosterImport.Status.APPLYING
    roster_import.progress = 0
    roster_import.applied_by = actor
    roster_import.apply_queued_at = timezone.now()
    roster_import.apply_started_at = None
    roster_import.heartbeat_at = None
    roster_import.failure = ""
    try:
        with transaction.atomic():
            roster_import.save(
                update_fields=[
                    "status",
                    "progress",
                    "applied_by",
                    "apply_queued_at",
                    "apply_started_at",
                    "heartbeat_at",
                    "failure",
                ]
            )
    except IntegrityError:
        raise _other_applying(roster_import) from None
    audit.record(actor=actor, action="rosterimport.queue_apply", obj=roster_import)
    cache.set(progress_key(roster_import.pk), 0, 60 * 60)
    outbox.enqueue("rostering.tasks.apply_roster_import", roster_import.pk)
    return roster_import


@transaction.atomic
def roster_import_apply(*, roster_import: RosterImport, actor: User | None) -> Report:
    """Apply the export whole, in one transaction with the import's new status, or nothing.

    The export is read again, under the district's lock: the district may have changed
    since the preview. An export that now has errors is marked invalid, nothing applied.
    """
    lock_district(roster_import.district_id)
    report = _run(roster_import, apply=True)
    _save_report(roster_import, report, counts_field="counts")
    fields = ["version", "problems", "error_count", "warning_count", "counts", "status"]
    if report.applied:
        roster_import.status = RosterImport.Status.APPLIED
        roster_import.applied_at = timezone.now()
        if roster_import.source == "sis":
            # The next nightly sync asks for what changed after this one began.
            SisConnection.objects.filter(district_id=roster_import.district_id).filter(
                Q(synced_from__isnull=True) | Q(synced_from__lt=roster_import.created_at)
            ).update(synced_from=roster_import.created_at)
        roster_import.progress = 100
        roster_import.failure = ""
        fields += ["applied_at", "progress", "failure"]
    else:
        roster_import.status = RosterImport.Status.INVALID
    roster_import.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="rosterimport.apply" if report.applied else "rosterimport.refused",
        obj=roster_import,
        after={"counts": dict(report.counts), "errors": report.error_count},
    )
    return report


class Heartbeat:
    """A thread that writes the import's heartbeat on a connection of its own while the
    worker's apply transaction runs, so other processes see that the worker is alive.

    The first beat also records when the apply began. Beats only touch a row still
    "applying", so a beat that lands after the apply committed changes nothing.
    """

    def __init__(self, roster_import_id: int):
        self.roster_import_id = roster_import_id
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(
            target=self._beat, name=f"roster-heartbeat-{self.roster_import_id}", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()

    def join(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=2 * heartbeat_seconds())

    def _beat(self) -> None:
        rows = RosterImport.objects.filter(
            pk=self.roster_import_id, status=RosterImport.Status.APPLYING
        )
        first = True
        try:
            while True:
                try:
                    now = timezone.now()
                    if first:
                        rows.update(apply_started_at=now, heartbeat_at=now)
                        first = False
                    else:
                        rows.update(heartbeat_at=now)
                except Exception:  # a lost connection: try again at the next beat
                    log.warning("roster import %s: heartbeat failed", self.roster_import_id)
                    connection.close()
                if self.stopped.wait(heartbeat_seconds()):
                    return
        finally:
            connection.close()  # this thread's own connection


def heartbeat_seconds() -> float:
    return getattr(settings, "ROSTER_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)


def apply_stale_seconds() -> float:
    return getattr(settings, "ROSTER_APPLY_STALE_SECONDS", APPLY_STALE_SECONDS)


def apply_start_seconds() -> float:
    return getattr(settings, "ROSTER_APPLY_START_SECONDS", APPLY_START_SECONDS)


def roster_import_run_queued_apply(*, roster_import_id: int) -> bool:
    """The worker's side of an apply: once, under the district's lock, with a heartbeat.

    A second delivery of the same task (Celery redelivers a message whose worker died, and
    `acks_late` keeps it until the end) waits for the district's lock, then finds the import
    applied, or failed by the sweep, and does nothing. If the worker dies, its transaction
    is rolled back by PostgreSQL and its lock released; the sweep then marks the run failed
    and it can be applied again.
    """
    Status = RosterImport.Status
    found = (
        RosterImport.objects.filter(pk=roster_import_id)
        .values_list("district_id", "status")
        .first()
    )
    if found is None or found[1] != Status.APPLYING:
        return False
    # Inside someone else's transaction (the tests' eager tasks) a beat could wait for a row
    # that transaction holds; a worker runs each task outside any.
    beat = None if connection.in_atomic_block else Heartbeat(roster_import_id)
    try:
        with transaction.atomic():
            lock_district(found[0])
            roster_import = (
                RosterImport.objects.select_related("district", "applied_by")
                .filter(pk=roster_import_id)
                .first()
            )
            if roster_import is None or roster_import.status != Status.APPLYING:
                return False
            if beat is not None:
                beat.start()
            roster_import_apply(roster_import=roster_import, actor=roster_import.applied_by)
            if beat is not None:
                beat.stop()
    except Exception:
        # Everything the apply wrote is rolled back; the import says it failed, and why.
        RosterImport.objects.filter(pk=roster_import_id, status=Status.APPLYING).update(
            status=Status.FAILED, failure=RosterImport.Failure.CRASHED
        )
        raise
    finally:
        if beat is not None:
            beat.join()
    return True


def roster_imports_sweep_stalled() -> list[int]:
    """Mark failed the runs whose worker vanished; returns their ids.

    Stalled: applying, and either its heartbeat stopped more than ROSTER_APPLY_STALE_SECONDS
    ago, or no worker began it within ROSTER_APPLY_START_SECONDS of being queued; and no
    transaction holds its district (a live apply holds it from start to commit, so a slow
    apply whose beats are late is never failed by mistake).
    """
    Status = RosterImport.Status
    now = timezone.now()
    stale = now - timedelta(seconds=apply_stale_seconds())
    unstarted = now - timedelta(seconds=apply_start_seconds())
    stalled = Q(heartbeat_at__lt=stale) | Q(
        Q(apply_queued_at__lt=unstarted)
        | Q(apply_queued_at__isnull=True, created_at__lt=unstarted),
        heartbeat_at__isnull=True,
    )
    failed = []
    candidates = RosterImport.objects.filter(stalled, status=Status.APPLYING)
    for pk, district_id in candidates.values_list("pk", "district_id"):
        with transaction.atomic():
            free = District.objects.select_for_update(no_key=True, skip_locked=True).filter(
                pk=district_id
            )
            if not list(free.values_list("pk", flat=True)):
                continue  # an apply of this district is running
            roster_import = (
                RosterImport.objects.select_for_update(of=("self",))
                .filter(stalled, pk=pk, status=Status.APPLYING)
                .first()
            )
            if roster_import is None:
                continue
            roster_import.status = Status.FAILED
            roster_import.failure = (
                RosterImport.Failure.STALLED
                if roster_import.apply_started_at
                else RosterImport.Failure.NOT_STARTED
            )
            roster_import.save(update_fields=["status", "failure"])
            audit.record(
                actor=None,
                action="rosterimport.stalled",
                obj=roster_import,
                after={"failure": roster_import.failure},
            )
            failed.append(pk)
    if failed:
        log.warning("roster imports marked failed, their worker gone: %s", failed)
    return failed


def problems_csv(roster_import: RosterImport) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["severity", "file", "line", "message"])
    for severity, file, line, message in problem_rows(roster_import.problems):
        writer.writerow([severity, file, line if line is not None else "", message])
    return out.getvalue()


# --- invitations after an import -----------------------------------------------------


def new_people_memberships(*, district, school: School | None = None):
    """Active school memberships from the roster whose person never signed in and was never
    invited in this district: the people an "invite everyone new" action reaches."""
    invited = Invitation.objects.filter(district=district).values("email")
    memberships = (
        Membership.objects.active()
        .filter(
            district=district,
            school__isnull=False,
            role__in=[Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF, Role.FAMILY],
            user__last_login__isnull=True,
            school__is_active=True,
        )
        .exclude(sourced_id="")
        .exclude(user__email__in=invited)
    )
    if school is not None:
        memberships = memberships.filter(school=school)
    return memberships


@transaction.atomic
def roster_invitations_create(*, district, actor: User, school: School | None = None) -> int:
    """Invite every new person of the roster (of one school, or of the district), once each.

    leadership.services.invitation_create refuses anyone who already holds the role, and the
    import has given them the role already, so the invitations are made here with the same
    fields, expiry and e-mail task. A person is invited once, in their preferred language
    (from the export where it had one, else the school's), for their first membership.
    """
    rows = (
        new_people_memberships(district=district, school=school)
        .select_related("user", "school")
        .order_by("user_id", "school__name", "role")
        .iterator(chunk_size=2000)
    )
    expires = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    batch, ids, seen = [], [], set()
    for membership in rows:
        user = membership.user
        if user.pk in seen:
            continue
        seen.add(user.pk)
        batch.append(
            Invitation(
                email=user.email,
                full_name=user.full_name,
                role=membership.role,
                district=district,
                school=membership.school,
                language=user.preferred_language or membership.school.default_language,
                nonce=tokens.new_nonce(),
                invited_by=actor,
                expires_at=expires,
            )
        )
        if len(batch) >= 1000:
            ids += [i.pk for i in Invitation.objects.bulk_create(batch)]
            batch = []
    ids += [i.pk for i in Invitation.objects.bulk_create(batch)]
    audit.record(
        actor=actor,
        action="rosterimport.invite_new",
        obj=school or district,
        school=school,
        after={"invitations": len(ids)},
    )
    if school is not None:
        versions.mark_changed(school=school)
    for pk in ids:
        outbox.enqueue(SEND_INVITATION, pk)
    return len(ids)


@transaction.atomic
def roster_invitations_queue(*, district, actor: User, school: School | None = None) -> None:
    """Queue the invitations of the roster's new people (the task is rerun safely)."""
    outbox.enqueue(
        "rostering.tasks.invite_new_roster_people",
        district.pk,
        actor.pk,
        school.pk if school else None,
    )


# --- the information system, read over OneRoster REST ------------------------------------

SECRET_REQUIRED = _("Enter the client secret your information system gave you.")
NO_CONNECTION = _("Connect the district's information system first.")
SYNC_RUNNING = _(
    "A sync of this district is already running (started %(time)s). This page shows it when "
    "it has finished."
)
SYNC_CRASHED = _(
    "An unexpected error stopped the sync before anything was changed. It has been logged; "
    "try again, or upload an export instead."
)
# A sync still reading after this long is taken to have died with its worker, and another
# may start.
SYNC_STALE_SECONDS = 60 * 60


def sis_secret(connection: SisConnection) -> str:
    """The client secret: from ROSTER_SIS_SECRETS (district slug -> secret) when the operator
    keeps secrets in the environment, else the one a district admin entered."""
    secrets = getattr(settings, "ROSTER_SIS_SECRETS", {}) or {}
    return secrets.get(connection.district.slug) or connection.client_secret


@transaction.atomic
def sis_connection_save(
    *,
    district: District,
    actor: User,
    base_url: str,
    client_id: str,
    client_secret: str = "",
    token_url: str = "",
    version: str = SisConnection.Version.V1_1,
    nightly: bool = True,
) -> SisConnection:
    """Create or change the district's connection. An empty secret keeps the stored one."""
    connection = SisConnection.objects.select_for_update().filter(
        district=district
    ).first() or SisConnection(district=district)
    connection.base_url = base_url.strip()
    connection.token_url = token_url.strip()
    connection.client_id = client_id.strip()
    connection.version = version
    connection.nightly = nightly
    if client_secret:
        connection.client_secret = client_secret
    if not sis_secret(connection):
        raise ValidationError({"client_secret": SECRET_REQUIRED})
    connection.full_clean()
    created = connection.pk is None
    connection.save()
    audit.record(
        actor=actor,
        action="sisconnection.create" if created else "sisconnection.update",
        obj=connection,
        # Never the secret: only whether it changed.
        after={
            "base_url": connection.base_url,
            "version": connection.version,
            "nightly": connection.nightly,
            "secret_changed": bool(client_secret),
        },
    )
    return connection


@transaction.atomic
def roster_sync_start(
    *, district: District, actor: User | None, full: bool = False
) -> RosterImport:
    """Queue a sync: an import of the district that the worker fills from the SIS, then
    checks and (when clean) applies like an uploaded export. One running sync per district."""
    connection = SisConnection.objects.select_for_update().filter(district=district).first()
    if connection is None:
        raise ValidationError(NO_CONNECTION)
    running = (
        RosterImport.objects.filter(
            district=district,
            source="sis",
            status=RosterImport.Status.PREVIEWING,
            created_at__gt=timezone.now() - timedelta(seconds=SYNC_STALE_SECONDS),
        )
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        raise ValidationError(SYNC_RUNNING % {"time": _local(running.created_at, district)})
    delta = not full and connection.synced_from is not None
    name = "{host} · OneRoster {version} · {what}".format(
        host=urllib.parse.urlsplit(connection.base_url).netloc,
        version=connection.version,
        what=_("changes since the last sync") if delta else _("everything"),
    )
    roster_import = RosterImport.objects.create(
        district=district,
        uploaded_by=actor,
        source="sis",
        original_name=name[:255],
        status=RosterImport.Status.PREVIEWING,
    )
    audit.record(actor=actor, action="rosterimport.sync", obj=roster_import, after={"full": full})
    outbox.enqueue("rostering.tasks.sync_roster_from_sis", roster_import.pk, not delta)
    return roster_import


def roster_sync_run(*, roster_import_id: int, full: bool) -> RosterImport | None:
    """Read the SIS into the import's export, check it, and queue its apply when it is clean.

    Nothing is written to the district before everything has been read: a SIS that refuses
    the credentials, fails mid-way, sends garbage or never answers leaves the import "has
    errors" with that one problem, and the district as it was.
    """
    roster_import = (
        RosterImport.objects.select_related("district", "district__sis_connection")
        .filter(pk=roster_import_id, source="sis")
        .first()
    )
    if roster_import is None or roster_import.status != RosterImport.Status.PREVIEWING:
        return None
    stored = roster_import.district.sis_connection
    connection = sis.Connection(
        base_url=stored.base_url,
        token_url=stored.token_url,
        client_id=stored.client_id,
        client_secret=sis_secret(stored),
        version=stored.version,
        timeout=float(getattr(settings, "ROSTER_SIS_TIMEOUT", 30)),
        page_size=int(getattr(settings, "ROSTER_SIS_PAGE_SIZE", 500)),
    )
    since = None if full or stored.synced_from is None else stored.synced_from
    try:
        fetched = sis.fetch(sis.Client(connection), since=since)
    except (sis.SisError, Exception) as refused:
        if not isinstance(refused, sis.SisError):
            # A fault of ours, not the SIS's: logged with its traceback (which holds no
            # secret: the token and the secret are only ever in request headers).
            log.exception("roster sync of district %s stopped", roster_import.district.slug)
            refused = sis.SisError(SYNC_CRASHED)
        report = Report()
        report.error("", None, refused.template, **refused.params)
        _save_report(roster_import, report, counts_field="preview_counts")
        roster_import.status = RosterImport.Status.INVALID
        roster_import.progress = 100
        roster_import.save()
        # The district and the reason; never the secret or the token.
        log.warning("roster sync of district %s failed: %s", roster_import.district.slug, refused)
        return roster_import
    roster_import.file.save("export.zip", ContentFile(fetched.zip_bytes()), save=False)
    roster_import.save(update_fields=["file"])
    roster_import_preview(roster_import=roster_import)
    if roster_import.status == RosterImport.Status.READY:
        roster_import_queue_apply(roster_import=roster_import, actor=roster_import.uploaded_by)
    return roster_import


def roster_sync_nightly() -> list[int]:
    """Queue a sync of every district whose connection asks for one each night."""
    queued = []
    for sis_connection in SisConnection.objects.filter(nightly=True).select_related("district"):
        try:
            queued.append(roster_sync_start(district=sis_connection.district, actor=None).pk)
        except ValidationError:
            continue  # one is running already
    return queued
