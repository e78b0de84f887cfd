"""Family-engagement events, their texts per language, RSVPs, sent messages, check-ins, feedback."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadership.models import School

# A party is one family coming together; anything larger is a typing mistake, not a family.
MAX_ADULTS = 8
MAX_CHILDREN = 12


class EventKind(models.TextChoices):
    FAMILY_NIGHT = "family_night", _("Family night")
    WORKSHOP = "workshop", _("Workshop")
    CONFERENCE = "conference", _("Conference")
    COMMUNITY_MEETING = "community_meeting", _("Community meeting")
    LEARNING_WALK = "learning_walk", _("Learning walk with families")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Event(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="events", verbose_name=_("school")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # The place and the accessibility notes as written in the school's main language; a
    # translation (EventTranslation) may give them in another.
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    # Seats held by RSVPs that are going. Changed only by conditional UPDATEs in
    # engagement.services; the check constraint makes overbooking impossible at the database.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    rsvp_deadline = models.DateTimeField(_("RSVP by"), null=True, blank=True)
    interpretation_languages = models.JSONField(
        _("interpretation offered in"), default=list, blank=True
    )
    offers_childcare = models.BooleanField(_("childcare"), default=False)
    offers_transport = models.BooleanField(_("transport"), default=False)
    offers_food = models.BooleanField(_("food"), default=False)
    accessibility_notes = models.TextField(_("accessibility notes"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["school", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")),
                name="event_seats_within_capacity",
                violation_error_message=_("The event is full."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        text = self.text()
        return text.title if text else f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("engagement:event_detail", kwargs={"slug": self.school.slug, "pk": self.pk})

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def rsvp_open(self) -> bool:
        now = timezone.now()
        deadline = self.rsvp_deadline or self.starts_at
        return self.is_published and now < deadline and now < self.starts_at

    def text(self, language: str | None = None) -> EventTranslation | None:
        """The title and description in `language`, else the school's default, else any.

        Reads `translations.all()`, so a prefetched list costs no query.
        """
        texts = {t.language: t for t in self.translations.all()}
        for code in (language, self.school.default_language):
            if code and code in texts:
                return texts[code]
        return next(iter(texts.values()), None)


class EventTranslation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    # Blank: the event's own place and notes (written in the school's main language) stand.
    location = models.CharField(_("place"), max_length=300, blank=True)
    accessibility_notes = models.TextField(_("accessibility notes"), max_length=2000, blank=True)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language"], name="eventtranslation_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return self.title


def new_feed_token() -> str:
    """The secret of a calendar link: random and stored, never derived from SECRET_KEY."""
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret in a calendar-subscription link, for calendar apps that cannot sign in.

    The school's link (no person) is the one its staff hand out; a family's own link belongs
    to that family and answers only while it is a family of the school. Rotating gives a new
    token: the old link answers 404 from that moment."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="calendar_feeds", verbose_name=_("school")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    token = models.CharField(max_length=100, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(person__isnull=True),
                name="calendar_feed_one_per_school",
            ),
            models.UniqueConstraint(
                fields=["school", "person"],
                condition=Q(person__isnull=False),
                name="calendar_feed_one_per_person_and_school",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.person or _('school')}"


class RsvpStatus(models.TextChoices):
    GOING = "going", _("Going")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")


class Rsvp(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    family = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    status = models.CharField(_("status"), max_length=20, choices=RsvpStatus.choices)
    adults = models.PositiveSmallIntegerField(
        _("adults"), default=1, validators=[MaxValueValidator(MAX_ADULTS)]
    )
    children = models.PositiveSmallIntegerField(
        _("children"), default=0, validators=[MaxValueValidator(MAX_CHILDREN)]
    )
    interpretation_language = models.CharField(
        _("interpretation needed in"), max_length=40, blank=True
    )
    childcare_count = models.PositiveSmallIntegerField(
        _("children needing childcare"), default=0, validators=[MaxValueValidator(MAX_CHILDREN)]
    )
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    # The place in the waitlist: set when the RSVP joins it and kept while it waits.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        indexes = [models.Index(fields=["event", "status", "waitlisted_at"])]
        constraints = [
            models.UniqueConstraint(fields=["event", "family"], name="rsvp_one_per_family"),
            models.CheckConstraint(
                condition=Q(adults__gte=1) & Q(adults__lte=MAX_ADULTS),
                name="rsvp_adults_in_range",
            ),
            models.CheckConstraint(
                condition=Q(children__lte=MAX_CHILDREN), name="rsvp_children_max"
            ),
            models.CheckConstraint(
                condition=Q(childcare_count__lte=F("children")), name="rsvp_childcare_le_children"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family} · {self.event_id}"

    @property
    def party_size(self) -> int:
        return self.adults + self.children


class MessageKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    PROMOTED = "promoted", _("Off the waitlist")
    CANCELLED = "cancelled", _("Event cancelled")
    FEEDBACK = "feedback", _("Feedback request")


class SentMessage(models.Model):
    """One e-mail of a kind per RSVP: the unique constraint is what makes sending idempotent."""

    rsvp = models.ForeignKey(Rsvp, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rsvp", "kind"], name="sentmessage_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.rsvp_id}"


class CheckIn(models.Model):
    """Someone at the door: an RSVP that came, or a walk-in without one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="check_ins")
    rsvp = models.OneToOneField(
        Rsvp, on_delete=models.CASCADE, null=True, blank=True, related_name="check_in"
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    party_size = models.PositiveSmallIntegerField(
        _("people"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    checked_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rsvp__isnull=False) | ~Q(name=""), name="checkin_walkin_has_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"RSVP {self.rsvp_id}"


class Feedback(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    family = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "family"], name="feedback_once_per_family"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating} · {self.event_id}"
