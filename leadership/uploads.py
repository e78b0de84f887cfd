"""Upload caps: a handler that stops keeping a file past its cap, and the form side of it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

TOO_LARGE = _("“%(name)s” is larger than %(limit)s, the most this form accepts.")
# What to do next, by kind of upload.
NEXT_STEP = {
    "data_csv": _("Split the file into smaller files and upload them one after the other."),
    "evidence": _(
        "Make the file smaller (for example, save the document as PDF or the photo at a "
        "lower resolution) and attach it again."
    ),
    "message_file": _(
        "Make the file smaller (for example, save the document as PDF or the photo at a "
        "lower resolution) and attach it again."
    ),
    "roster": _(
        "Leave out the files Accord does not read (it needs only manifest, orgs, "
        "academicSessions, users, and roles or enrollments) and upload again."
    ),
}
DEFAULT_NEXT_STEP = _("Choose a smaller file.")


MB = 1024 * 1024


def size_label(size: int) -> str:
    """A cap as people write it: "10 MB" for whole megabytes, else "1.5 KB" (localised)."""
    if size >= MB and size % MB == 0:
        return _("%(count)s MB") % {"count": size // MB}
    return filesizeformat(size)


def upload_limit(kind: str) -> Callable:
    """Name the kind of upload a view takes, so the handler applies that kind's cap.

    Put it outermost (above @login_required): the handler reads it from the resolved view.
    """
    if kind not in settings.UPLOAD_MAX_BYTES:
        raise ValueError(f"No cap for uploads of kind {kind!r} in settings.UPLOAD_MAX_BYTES")

    def decorator(view):
        view.upload_kind = kind
        return view

    return decorator


def kind_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    return getattr(match.func, "upload_kind", "default") if match else "default"


def limit_of(kind: str) -> int:
    return settings.UPLOAD_MAX_BYTES.get(kind, settings.UPLOAD_MAX_BYTES["default"])


@dataclass(frozen=True)
class RefusedUpload:
    """A file the handler stopped reading: its form field, its name and the cap it passed."""

    field_name: str
    file_name: str
    kind: str
    limit: int

    @property
    def message(self) -> str:
        too_large = TOO_LARGE % {"name": self.file_name, "limit": size_label(self.limit)}
        return f"{too_large} {NEXT_STEP.get(self.kind, DEFAULT_NEXT_STEP)}"


class CappedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS. Passes chunks on until a file passes its cap, then skips
    the rest of that file (Django discards it as it streams in) and notes it on the request.
    The other fields of the form are still parsed, so nothing the person typed is lost."""

    def __init__(self, request=None):
        super().__init__(request)
        self.kind = kind_of(request)
        self.limit = limit_of(self.kind)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            refused = RefusedUpload(self.field_name, self.file_name or "", self.kind, self.limit)
            if not hasattr(self.request, "refused_uploads"):
                self.request.refused_uploads = []
            self.request.refused_uploads.append(refused)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file


def refused_uploads(request) -> list[RefusedUpload]:
    """The files of this request that were refused as too large (parses the body if needed)."""
    request.FILES  # noqa: B018 - the handler runs while the body is parsed
    return list(getattr(request, "refused_uploads", []))


class UploadLimitFormMixin:
    """A form whose file fields report the files refused as too large, in place of
    "This field is required", so the person learns the limit and what to do next."""

    def __init__(self, *args, refused: list[RefusedUpload] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = [r for r in refused if r.field_name in self.fields]
        for refused_upload in self.refused:
            self.fields[refused_upload.field_name].required = False

    def clean(self):
        cleaned_data = super().clean()
        for refused_upload in self.refused:
            self.add_error(refused_upload.field_name, refused_upload.message)
        return cleaned_data


# --- what a file holds -----------------------------------------------------------------

FILE_TOO_LARGE = _("“%(name)s” is larger than %(limit)s.")
FILE_BAD_TYPE = _(
    "“%(name)s” is not an allowed file type (PDF, PNG, JPEG, Word, Excel, PowerPoint, text, CSV)."
)
FILE_MISMATCH = _("“%(name)s” does not contain what its name says.")

# Extension -> the first bytes its content must start with (None: text, checked as UTF-8).
ALLOWED_FILES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".txt": None,
    ".csv": None,
}


def check_file(upload, *, kind: str) -> None:
    """An attached document (evidence, a message's attachment): its size within the kind's
    cap, and its extension and first bytes agreeing on one of the allowed types."""
    name = upload.name
    limit = limit_of(kind)  # the upload handler stops larger ones first
    if upload.size > limit:
        raise ValidationError(FILE_TOO_LARGE % {"name": name, "limit": size_label(limit)})
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_FILES:
        raise ValidationError(FILE_BAD_TYPE % {"name": name})
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    magic = ALLOWED_FILES[extension]
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at 2048 bytes is still text.
            if error.start < len(head) - 3:
                raise ValidationError(FILE_MISMATCH % {"name": name}) from None
        if b"\x00" in head:
            raise ValidationError(FILE_MISMATCH % {"name": name})
    elif not head.startswith(magic):
        raise ValidationError(FILE_MISMATCH % {"name": name})
