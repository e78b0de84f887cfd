"""The audit trail: one entry per write, with the values before and after."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .models import AuditEntry


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON-safe values (foreign keys by id), for before/after."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = value.pk if isinstance(value, models.Model) else value
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    school=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        school=school,
        before=before or {},
        after=after or {},
    )
    return entry
