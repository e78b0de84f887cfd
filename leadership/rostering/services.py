"""Every write of rostering: store an upload, preview it, apply it, invite the people it made."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadership import audit, outbox, tokens
from leadership.exports import csv_writer
from leadership.models import Invitation, Membership, Role, RosterImport, School, User
from leadership.services import SEND_INVITATION

from .importer import Report, RosterRun
from .source import ONEROSTER_FILES, ExportRefused, ExportSource, ZipSource, max_upload_bytes

NOT_CSV_OR_ZIP = _("“%(name)s” is neither a CSV file nor a zip archive.")
UNKNOWN_CSV = _("“%(name)s” is not a OneRoster file name (such as users.csv).")
TOO_BIG = _("The upload is larger than %(limit)s MB.")
NOTHING_UPLOADED = _("Choose a zip archive or the CSV files of the export.")
ONE_ZIP_ONLY = _("Upload one zip archive, or CSV files, not both.")
NOT_READY = _("This import cannot be applied: preview it again and fix its errors first.")
HAS_ERRORS = _("The export has errors; nothing was changed.")

STORE_PROBLEMS = 5000


def max_problems() -> int:
    return getattr(settings, "ROSTER_MAX_PROBLEMS", STORE_PROBLEMS)


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
        outbox.enqueue("leadership.rostering.tasks.preview_roster_import", roster_import.pk)
    return roster_import


def _open_source(roster_import: RosterImport) -> tuple[ExportSource, object]:
    handle = roster_import.file.storage.open(roster_import.file.name, "rb")
    try:
        return ZipSource(handle), handle
    except ExportRefused:
        handle.close()
        raise


def _save_report(roster_import: RosterImport, report: Report, *, counts_field: str) -> None:
    limit = max_problems()
    roster_import.version = report.version[:20]
    roster_import.problems = [p.as_list() for p in report.problems[:limit]]
    roster_import.error_count = len(report.errors)
    roster_import.warning_count = len(report.warnings)
    setattr(roster_import, counts_field, dict(report.counts))


def roster_import_preview(*, roster_import: RosterImport) -> Report:
    """The dry run: read and check everything, count what would change, write nothing."""
    try:
        source, handle = _open_source(roster_import)
    except ExportRefused as refused:
        report = Report()
        report.error("", None, refused.message)
    else:
        with handle:
            run = RosterRun(
                district=roster_import.district,
                source=source,
                progress=_reporter(roster_import.pk),
            )
            report = run.run(apply=False)
    _save_report(roster_import, report, counts_field="preview_counts")
    roster_import.status = (
        RosterImport.Status.INVALID if report.has_errors else RosterImport.Status.READY
    )
    roster_import.progress = 100
    roster_import.save()
    return report


@transaction.atomic
def roster_import_queue_apply(*, roster_import: RosterImport, actor: User) -> RosterImport:
    """Mark the import as applying and queue the worker; refused unless the preview was clean."""
    roster_import = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if roster_import.status != RosterImport.Status.READY:
        raise ValidationError(NOT_READY)
    roster_import.status = RosterImport.Status.APPLYING
    roster_import.progress = 0
    roster_import.applied_by = actor
    roster_import.save(update_fields=["status", "progress", "applied_by"])
    cache.set(progress_key(roster_import.pk), 0, 60 * 60)
    outbox.enqueue("leadership.rostering.tasks.apply_roster_import", roster_import.pk)
    return roster_import


def roster_import_apply(*, roster_import: RosterImport, actor: User | None) -> Report:
    """Apply the export whole, in one transaction, or nothing of it.

    The export is read again: the district may have changed since the preview.
    """
    try:
        source, handle = _open_source(roster_import)
    except ExportRefused as refused:
        report = Report()
        report.error("", None, refused.message)
    else:
        with handle:
            run = RosterRun(
                district=roster_import.district,
                source=source,
                progress=_reporter(roster_import.pk),
            )
            report = run.run(apply=True)
    _save_report(roster_import, report, counts_field="counts")
    if report.applied:
        roster_import.status = RosterImport.Status.APPLIED
        roster_import.applied_at = timezone.now()
        roster_import.progress = 100
    else:
        roster_import.status = RosterImport.Status.FAILED
    roster_import.save()
    audit.record(
        actor=actor,
        action="rosterimport.apply" if report.applied else "rosterimport.refused",
        obj=roster_import,
        after={"counts": dict(report.counts), "errors": len(report.errors)},
    )
    return report


def problems_csv(roster_import: RosterImport) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["severity", "file", "line", "message"])
    for severity, file, line, message in roster_import.problems:
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
    for pk in ids:
        outbox.enqueue(SEND_INVITATION, pk)
    return len(ids)


@transaction.atomic
def roster_invitations_queue(*, district, actor: User, school: School | None = None) -> None:
    """Queue the invitations of the roster's new people (the task is rerun safely)."""
    outbox.enqueue(
        "leadership.rostering.tasks.invite_new_roster_people",
        district.pk,
        actor.pk,
        school.pk if school else None,
    )
