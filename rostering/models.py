"""Rostering's records: one OneRoster export uploaded for a district, its preview and apply."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadership.models import District


def roster_upload_path(instance: RosterImport, filename: str) -> str:
    return f"rostering/{instance.district_id}/{timezone.now():%Y%m%d-%H%M%S}-{filename}"


class RosterImport(models.Model):
    """One OneRoster export uploaded for a district: its preview, its apply, and the report."""

    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("Checking the export")
        READY = "ready", _("Ready to apply")
        INVALID = "invalid", _("Has errors")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        STALLED = "stalled", _("The worker applying it stopped")
        NOT_STARTED = "not_started", _("No worker began applying it")
        CRASHED = "crashed", _("An unexpected error stopped it")

    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        related_name="roster_imports",
        verbose_name=_("district"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept through the storage API between the preview and the apply, which may run on
    # another machine.
    file = models.FileField(_("export"), upload_to=roster_upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    source = models.CharField(
        max_length=20,
        default="upload",
        choices=[("upload", "upload"), ("command", "command"), ("sis", "sis")],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PREVIEWING
    )
    version = models.CharField(_("OneRoster version"), max_length=20, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    preview_counts = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    # [severity, file, line, message] per problem, at most ROSTER_MAX_PROBLEMS of them.
    problems = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The apply's signs of life. The worker's writes stay invisible until its one transaction
    # commits, so these are written on a connection of their own: when the apply was queued,
    # when a worker began it, and the worker's last heartbeat. A run whose heartbeat stopped
    # is marked failed by a periodic sweep (services.roster_imports_sweep_stalled).
    apply_queued_at = models.DateTimeField(null=True, blank=True)
    apply_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(
        _("why it failed"), max_length=20, choices=Failure.choices, blank=True
    )

    class Meta:
        # The table keeps the name it had when the model lived in leadership: moving the
        # model between apps moved no data (migration rostering 0001).
        db_table = "leadership_rosterimport"
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        constraints = [
            # One apply at a time per district, held by the database: two people pressing
            # apply on two exports of one district cannot both queue one.
            models.UniqueConstraint(
                fields=["district"],
                condition=models.Q(status="applying"),
                name="rosterimport_one_applying_per_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.original_name} · {self.get_status_display()}"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PREVIEWING, self.Status.APPLYING}


class SisConnection(models.Model):
    """A district's student information system, read over OneRoster REST (rostering/sis.py).

    The client secret is kept here because a district admin enters it on a page; it is never
    shown again, never logged and never put in a report. An operator who would rather keep it
    out of the database sets ROSTER_SIS_SECRETS (a JSON object of district slug -> secret) in
    the environment, which wins over a stored one.
    """

    class Version(models.TextChoices):
        V1_1 = "1.1", "OneRoster 1.1"
        V1_2 = "1.2", "OneRoster 1.2"

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="sis_connection"
    )
    base_url = models.URLField(
        _("OneRoster base URL"),
        max_length=500,
        help_text=_("The address before /ims/oneroster/…, as your information system gives it."),
    )
    token_url = models.URLField(
        _("token URL"),
        max_length=500,
        blank=True,
        help_text=_("Where OAuth 2 client credentials are exchanged; empty for base URL + /token."),
    )
    version = models.CharField(
        _("OneRoster version"), max_length=3, choices=Version.choices, default=Version.V1_1
    )
    client_id = models.CharField(_("client ID"), max_length=300)
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    nightly = models.BooleanField(
        _("sync every night"),
        default=True,
        help_text=_("Each night only what changed since the last sync is read."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The start of the last sync that was applied: the next delta asks for what changed
    # after it (a start, not an end, so that a change made during a sync is read again).
    synced_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("information system connection")
        verbose_name_plural = _("information system connections")

    def __str__(self) -> str:
        return f"{self.district} · {self.base_url}"
