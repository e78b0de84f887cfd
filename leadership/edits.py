"""Two people editing the same record: the version a form was loaded from, and a stale save refused.

The version is a fingerprint (a hash) of the values the edit form changes, as they were
when the form was loaded. It needs no new column on any table, so rows that exist already
have a version at once; it moves only when what the form edits moves, not when the same
row changes for another reason (seats taken at an event, a step's reported status); and it
can cover values kept in other rows (an event's titles per language, a team's charter).
Writing back the very value that was there (A, B, then A again) reads as no change, which
for an edit form is the truth.

A service takes `version` (the fingerprint the form carried), locks the row, and calls
`refuse_if_stale`, which raises `StaleEdit` with the record as saved now. The view calls
`show_conflict`: the form keeps what the person typed and now carries the saved version,
so sending it again is a deliberate choice to put theirs in place of the saved one; the
page shows both versions, with who saved the other and when (the shared include
`includes/edit_conflict.html`). A meeting item's minutes do the same with their version
counter.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from . import clock
from .models import AuditEntry

EDIT_STALE = _(
    "Someone else saved this while you were editing it, so yours was not saved. Both versions "
    "are shown below. Save again to put yours in place of theirs, or change it first."
)


class VersionField(forms.CharField):
    """The version the form was loaded from, carried back on save (a hidden field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "error_messages",
            {"required": _("This form is out of date. Open the page again to edit it.")},
        )
        super().__init__(**kwargs)


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that, when it edits a saved row, carries the version it was loaded from."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]


def fingerprint(values: dict[str, Any]) -> str:
    payload = json.dumps(values, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def version_of(obj: models.Model, fields: list[str], **extra: Any) -> str:
    """The version of `obj` as an edit form of `fields` sees it (plus values kept elsewhere).

    Foreign keys count by id, read from the row itself (no query); a decimal by its value,
    so 40 typed and 40.00 stored are one version."""
    values = {name: _plain(getattr(obj, obj._meta.get_field(name).attname)) for name in fields}
    return fingerprint({**values, **extra})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime) and timezone.is_aware(value):
        return value.astimezone(UTC)  # one instant, one version, whatever zone it came in
    return value


def last_saved(obj: models.Model, *, also: list[models.Model] = ()) -> AuditEntry | None:
    """The audit entry of the last save of `obj` (or of any of `also`): who and when."""
    objects = [each for each in (obj, *also) if each.pk is not None]
    if not objects:
        return None
    entries = AuditEntry.objects.none()
    for each in objects:
        entries |= AuditEntry.objects.filter(
            object_type=each._meta.label_lower, object_id=str(each.pk)
        )
    return entries.select_related("actor").order_by("-at", "-id").first()


class StaleEdit(ValidationError):
    """The record changed since the form was loaded; carries it as saved now, and its version."""

    def __init__(
        self, current: Any, version: str, *, entry: AuditEntry | None = None, message=None
    ):
        super().__init__(message or EDIT_STALE, code="stale")
        self.current = current
        self.version = version
        self.saved_by = entry.actor if entry else None
        self.saved_at: datetime | None = entry.at if entry else None


def refuse_if_stale(
    current: models.Model,
    version: str | None,
    now: str,
    *,
    also: list[models.Model] = (),
) -> None:
    """Raise StaleEdit when the form's `version` is not the record's version `now`.

    `version` None is a write that no form loaded (a script, the demo data): not checked."""
    if version is not None and version != now:
        raise StaleEdit(current, now, entry=last_saved(current, also=also))


# --- the view side --------------------------------------------------------------------


@dataclass
class Conflict:
    """What the page shows: the fields that differ, theirs (saved now) beside yours."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    saved_by: str = ""
    saved_at: str = ""
    # Which of several forms on one page it belongs to (a meeting's items), if need be.
    where: Any = None


def _shown(form_field: forms.Field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(form_field, forms.BooleanField) or isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(form_field, forms.ModelChoiceField):
        if isinstance(value, models.Model):
            return form_field.label_from_instance(value)
        found = form_field.queryset.model._default_manager.filter(pk=value).first()
        return form_field.label_from_instance(found) if found else str(value)
    if isinstance(form_field, forms.ChoiceField):
        labels = {}
        for key, label in form_field.choices:
            if isinstance(label, (list, tuple)):
                labels.update({str(k): v for k, v in label})
            else:
                labels[str(key)] = label
        values = value if isinstance(value, (list, tuple)) else [value]
        return ", ".join(str(labels.get(str(v), v)) for v in values)
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def model_initial(form: forms.ModelForm, obj: models.Model) -> dict[str, Any]:
    """What a fresh edit page of a ModelForm would show for `obj`."""
    return forms.models.model_to_dict(obj, fields=list(form._meta.fields))


def show_conflict(form: forms.Form, stale: StaleEdit, saved: dict[str, Any], *, place) -> Conflict:
    """Keep what the person typed on `form`, now carrying the saved version; say what differs.

    `saved` is the form's initial data for the record as saved now (what a fresh edit page
    would show); `place` is the school or district, for the time of the other save."""
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = stale.version
    form.add_error(None, stale)
    conflict = Conflict()
    if stale.saved_by is not None:
        conflict.saved_by = str(stale.saved_by)
    if stale.saved_at is not None:
        local = clock.now_in(place, stale.saved_at)
        conflict.saved_at = formats.date_format(local, "DATETIME_FORMAT")
    for name, form_field in form.fields.items():
        if name == "version" or isinstance(form_field.widget, forms.HiddenInput):
            continue
        theirs = _shown(form_field, saved.get(name))
        yours = _shown(form_field, form.cleaned_data.get(name, form.data.get(name)))
        if theirs != yours:
            conflict.rows.append({"label": form_field.label, "theirs": theirs, "yours": yours})
    return conflict
