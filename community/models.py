"""Conversations between a family and its school, their messages and attached files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from leadership.models import School

# What one message may hold: a long letter, not a document (documents are attached).
MAX_BODY = 4000
MAX_SUBJECT = 150
MAX_FILES = 3


class Topic(models.TextChoices):
    QUESTION = "question", _("A question")
    HELP = "help", _("We need help with something")
    ILT = "ilt", _("For the family representatives on the leadership team")


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")  # the school owes an answer
    WAITING = "waiting", _("Waiting for the family")  # the school answered
    CLOSED = "closed", _("Closed")


class Conversation(models.Model):
    """One family writing to one school. Only that family and the school's staff see it."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="conversations", verbose_name=_("school")
    )
    family = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        verbose_name=_("family"),
    )
    topic = models.CharField(_("about"), max_length=20, choices=Topic.choices)
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConversationStatus.choices,
        default=ConversationStatus.OPEN,
    )
    # Who at the school is answering: the first staff member to reply, unless one takes it.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    # The first answer from the school: what the principal's response times are made of.
    first_reply_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["school", "status", "last_message_at"]),
            models.Index(fields=["family", "school"]),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse(
            "community:conversation_detail", kwargs={"slug": self.school.slug, "pk": self.pk}
        )

    @property
    def is_closed(self) -> bool:
        return self.status == ConversationStatus.CLOSED


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_family = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=MAX_BODY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["author", "created_at"])]

    def __str__(self) -> str:
        return f"{self.conversation_id} · {self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the stored path never carries what the family called the file.
    return f"messages/{instance.message.conversation.school_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")

    def __str__(self) -> str:
        return self.original_name


# --- announcements --------------------------------------------------------------------

MAX_TITLE = 150
MAX_ANNOUNCEMENT = 5000


class FamilyAudience(models.TextChoices):
    NONE = "none", _("No families")
    ALL = "all", _("All families of the school")
    EVENT = "event", _("Families going to an event")


class Announcement(models.Model):
    """A letter from the school, in each of its languages, sent once to each person."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("school")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    families = models.CharField(
        _("families"), max_length=10, choices=FamilyAudience.choices, default=FamilyAudience.ALL
    )
    event = models.ForeignKey(
        "engagement.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    to_staff = models.BooleanField(_("staff"), default=False)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [
            models.Index(fields=["school", "sent_at"]),
            models.Index(fields=["author", "sent_at"]),
        ]

    def __str__(self) -> str:
        text = self.text()
        return text.title if text else f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse(
            "community:announcement_detail", kwargs={"slug": self.school.slug, "pk": self.pk}
        )

    def text(self, language: str | None = None) -> AnnouncementText | None:
        """The text in `language`, else in the school's main language (prefetch-friendly)."""
        texts = {t.language: t for t in self.texts.all()}
        for code in (language, self.school.default_language):
            if code and code in texts:
                return texts[code]
        return next(iter(texts.values()), None)


class AnnouncementText(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    body = models.TextField(_("text"), max_length=MAX_ANNOUNCEMENT)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "language"], name="announcementtext_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One person an announcement goes to, in one language: e-mailed once, maybe opened."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcement_deliveries"
    )
    language = models.CharField(max_length=10)
    emailed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "person"], name="delivery_once_per_person"
            )
        ]
        indexes = [models.Index(fields=["person", "announcement"])]

    def __str__(self) -> str:
        return f"{self.announcement_id} · {self.person_id}"


class Announcer(models.Model):
    """A staff member the principal allows to write announcements for the school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="announcers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="announcer_once_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.school_id}"


# --- community partners and the help they give ------------------------------------------


class ServiceKind(models.TextChoices):
    FOOD = "food", _("Food")
    HEALTH = "health", _("Health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    HOUSING = "housing", _("Housing")
    LEGAL_AID = "legal_aid", _("Legal aid")
    TUTORING = "tutoring", _("Tutoring")
    ADULT_CLASSES = "adult_classes", _("Classes for adults")


class Cost(models.TextChoices):
    FREE = "free", _("Free")
    SLIDING = "sliding", _("Pay what you can (sliding scale)")
    FEE = "fee", _("A fee")


class Partner(models.Model):
    """An organisation that helps the school's families: the school's own, or the district's
    (school empty), which every school of the district shows."""

    district = models.ForeignKey(
        "leadership.District", on_delete=models.CASCADE, related_name="partners"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="partners"
    )
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    cost = models.CharField(_("cost"), max_length=10, choices=Cost.choices, default=Cost.FREE)
    # Languages its staff speak, among those Accord offers, and any others in words.
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    other_languages = models.CharField(_("other languages spoken"), max_length=200, blank=True)
    events = models.ManyToManyField(
        "engagement.Event", blank=True, related_name="partners", verbose_name=_("co-hosts")
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("community partner")
        verbose_name_plural = _("community partners")
        indexes = [models.Index(fields=["district", "school", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def text(self, language: str | None = None, default: str | None = None):
        texts = {t.language: t for t in self.texts.all()}
        for code in (language, default):
            if code and code in texts:
                return texts[code]
        return next(iter(texts.values()), None)


class PartnerText(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10)
    description = models.TextField(_("the help it gives"), max_length=2000)
    hours = models.CharField(_("hours"), max_length=300, blank=True)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "language"], name="partnertext_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} · {self.language}"


class PartnerService(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("help"), max_length=20, choices=ServiceKind.choices)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "kind"], name="partnerservice_once")
        ]

    def __str__(self) -> str:
        return self.kind


class Coordinator(models.Model):
    """The school's community-school coordinator: a staff member the principal names. Only
    coordinators see the families' requests for help."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="coordinators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="coordinator_once_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.school_id}"


class HelpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("request for help", "Received")
    IN_PROGRESS = "in_progress", pgettext_lazy("request for help", "Being arranged")
    CLOSED = "closed", pgettext_lazy("request for help", "Closed")


MAX_HELP_DETAILS = 2000


class HelpRequest(models.Model):
    """A family asking, privately, for help of one kind; seen by the coordinators alone."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="help_requests")
    family = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests"
    )
    kind = models.CharField(_("help with"), max_length=20, choices=ServiceKind.choices)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    details = models.TextField(_("what would help"), max_length=MAX_HELP_DETAILS, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=HelpStatus.choices, default=HelpStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request for help")
        verbose_name_plural = _("requests for help")
        indexes = [
            models.Index(fields=["school", "status", "created_at"]),
            models.Index(fields=["family", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse(
            "community:help_request_detail", kwargs={"slug": self.school.slug, "pk": self.pk}
        )
