"""Conversations as the services would leave them (use the services where the test is about
them; these build the surroundings)."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from community.models import Attachment, Conversation, ConversationStatus, Message, Topic


def conversation(school, family, *, subject="Bus stop", body="Where does the bus stop?", **extra):
    now = extra.pop("created_at", None) or timezone.now()
    row = Conversation.objects.create(
        school=school,
        family=family,
        topic=extra.pop("topic", Topic.QUESTION),
        subject=subject,
        created_at=now,
        last_message_at=now,
        **extra,
    )
    Message.objects.create(
        conversation=row, author=family, from_family=True, body=body, created_at=now
    )
    return row


def answered(school, family, staff, *, hours=2.0, **extra):
    row = conversation(school, family, **extra)
    at = row.created_at + timedelta(hours=hours)
    Message.objects.create(
        conversation=row, author=staff, body="Here is the answer.", created_at=at
    )
    Conversation.objects.filter(pk=row.pk).update(
        status=ConversationStatus.WAITING, first_reply_at=at, last_message_at=at, assigned_to=staff
    )
    row.refresh_from_db()
    return row


def attachment(row, *, name="notes.txt", content=b"notes"):
    message = row.messages.first()
    file = Attachment(message=message, original_name=name, size=len(content))
    file.file.save(name, ContentFile(content), save=True)
    return file
