"""Conversations between a family and its school, their messages and attached files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
