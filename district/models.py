"""The district dashboard's stored figures, one row per school."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from leadership.models import School


class SchoolRollup(models.Model):
    """A school's figures on the district dashboard, precomputed so the dashboard reads one row
    per school instead of aggregating every meeting, goal and RSVP of the district per request.

    Fresh while `as_of` is today (the figures count "last 30 days", "overdue", "upcoming") and
    no write to the school's data has committed since they were computed: every such write
    adds one to the school's `leadership.SchoolVersion` when it commits, and
    `computed_version` is that version read before the figures were. Counters, not clocks,
    so servers whose clocks differ agree.
    A stale or missing row is recomputed on the next read.
    """

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="rollup")
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    computed_version = models.PositiveBigIntegerField(default=0)

    # ILT of the current school year
    has_ilt = models.BooleanField(default=False)
    seats_required = models.PositiveIntegerField(default=0)
    seats_filled = models.PositiveIntegerField(default=0)
    meetings_30d = models.PositiveIntegerField(default=0)
    attendance_30d = models.PositiveSmallIntegerField(null=True, blank=True)  # percent
    actions_open = models.PositiveIntegerField(default=0)
    actions_overdue = models.PositiveIntegerField(default=0)
    # work plan of the current school year
    has_plan = models.BooleanField(default=False)
    goals_total = models.PositiveIntegerField(default=0)
    goals_on_track = models.PositiveIntegerField(default=0)
    goals_at_risk = models.PositiveIntegerField(default=0)
    goals_off_track = models.PositiveIntegerField(default=0)
    goals_no_data = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    steps_done_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    # family engagement in the current school year
    events_held = models.PositiveIntegerField(default=0)
    events_upcoming = models.PositiveIntegerField(default=0)
    rsvps = models.PositiveIntegerField(default=0)
    event_attendance = models.PositiveSmallIntegerField(null=True, blank=True)  # percent
    interpretation_requests = models.PositiveIntegerField(default=0)
    # the latest survey's response rate (voice)
    survey_response_rate = models.PositiveSmallIntegerField(null=True, blank=True)  # percent
    # [[goal id, district priority id or null, status], ...] and {"2026-09": [on, risk, off, none]}
    goal_statuses = models.JSONField(default=list, blank=True)
    trend = models.JSONField(default=dict, blank=True)

    class Meta:
        # The table keeps the name it had when the dashboard lived in leadership.
        db_table = "leadership_schoolrollup"
        verbose_name = _("school dashboard figures")
        verbose_name_plural = _("school dashboard figures")

    def __str__(self) -> str:
        return f"{self.school} · {self.as_of}"
