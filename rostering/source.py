"""Where an export's CSV files come from (a zip, a folder), with the checks a zip must pass."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Every file name of OneRoster 1.1 and 1.2 CSV. Only some are read; the others are allowed
# in an archive and ignored.
ONEROSTER_FILES = frozenset(
    f"{name}.csv"
    for name in (
        "manifest",
        "academicSessions",
        "orgs",
        "users",
        "enrollments",
        "roles",
        "userProfiles",
        "userResources",
        "demographics",
        "courses",
        "classes",
        "categories",
        "classResources",
        "courseResources",
        "resources",
        "lineItems",
        "lineItemLearningObjectiveIds",
        "lineItemScoreScales",
        "results",
        "resultLearningObjectiveIds",
        "resultScoreScales",
        "scoreScales",
    )
)

MB = 1024 * 1024

ZIP_UNREADABLE = _("The archive cannot be read as a zip file.")
ZIP_BAD_NAME = _("The archive holds a file with an unsafe name: “%(name)s”.")
ZIP_TOO_DEEP = _(
    "The archive holds “%(name)s”: put the CSV files at the top of the archive or in one folder."
)
ZIP_TWO_FOLDERS = _("The archive holds OneRoster files in more than one folder.")
ZIP_TOO_BIG = _("The archive unpacks to more than %(limit)s MB, which is more than allowed.")
ZIP_BOMB = _("The archive's file “%(name)s” is compressed suspiciously well; it is refused.")
ZIP_ENCRYPTED = _("The archive's file “%(name)s” is encrypted.")
ZIP_DUPLICATE = _("The archive holds “%(name)s” twice.")


def max_upload_bytes() -> int:
    return getattr(settings, "ROSTER_MAX_UPLOAD_BYTES", 200 * MB)


def max_unpacked_bytes() -> int:
    return getattr(settings, "ROSTER_MAX_UNPACKED_BYTES", 2048 * MB)


def max_compression_ratio() -> int:
    return getattr(settings, "ROSTER_MAX_COMPRESSION_RATIO", 200)


class ExportRefused(Exception):
    """The export as a whole cannot be read (an unsafe or broken archive).

    Keeps the untranslated message and its values, so that the report can be shown later in
    the language of whoever reads it; `message` is the text in the current language.
    """

    def __init__(self, template, **params):
        self.template, self.params = template, params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return str(self.template % self.params if self.params else self.template)


class ExportSource:
    """A set of CSV files by their OneRoster name."""

    def names(self) -> set[str]:
        raise NotImplementedError

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        raise NotImplementedError
        yield  # pragma: no cover


class FolderSource(ExportSource):
    def __init__(self, path: Path | str):
        self.path = Path(path)

    def names(self) -> set[str]:
        return {p.name for p in self.path.iterdir() if p.is_file() and p.name in ONEROSTER_FILES}

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        with open(self.path / name, "rb") as handle:
            yield handle


class _Capped(io.RawIOBase):
    """A member stream that stops a zip entry whose real size exceeds what it declared."""

    def __init__(self, raw: BinaryIO, limit: int, name: str):
        self.raw, self.left, self.name = raw, limit, name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(min(len(buffer), max(self.left, 0) + 1))
        self.left -= len(data)
        if self.left < 0:
            raise ExportRefused(ZIP_BOMB, name=self.name)
        buffer[: len(data)] = data
        return len(data)


class ZipSource(ExportSource):
    """A zip archive, checked before anything is read from it.

    Refused: names that are absolute or climb out with "..", files nested deeper than one
    folder, more than one folder of OneRoster files, encrypted members, and zip bombs (a
    total unpacked size over the limit or a member compressed better than the ratio limit).
    """

    def __init__(self, fileobj: BinaryIO):
        try:
            self.zip = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise ExportRefused(ZIP_UNREADABLE) from error
        self.members: dict[str, zipfile.ZipInfo] = {}
        folders: set[str] = set()
        total = 0
        for info in self.zip.infolist():
            name = info.filename.replace("\\", "/")
            path = PurePosixPath(name)
            if not path.parts or name.startswith("/") or ".." in path.parts or ":" in path.parts[0]:
                raise ExportRefused(ZIP_BAD_NAME, name=info.filename)
            if info.is_dir() or path.parts[0] == "__MACOSX" or path.name.startswith("."):
                continue
            if len(path.parts) > 2:
                raise ExportRefused(ZIP_TOO_DEEP, name=info.filename)
            if info.flag_bits & 0x1:
                raise ExportRefused(ZIP_ENCRYPTED, name=info.filename)
            total += info.file_size
            if total > max_unpacked_bytes():
                raise ExportRefused(ZIP_TOO_BIG, limit=max_unpacked_bytes() // MB)
            if info.file_size > MB and info.file_size > max_compression_ratio() * max(
                info.compress_size, 1
            ):
                raise ExportRefused(ZIP_BOMB, name=info.filename)
            if path.name not in ONEROSTER_FILES:
                continue
            folders.add(str(path.parent))
            if path.name in self.members:
                raise ExportRefused(ZIP_DUPLICATE, name=path.name)
            self.members[path.name] = info
        if len(folders) > 1:
            raise ExportRefused(ZIP_TWO_FOLDERS)

    def names(self) -> set[str]:
        return set(self.members)

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        info = self.members[name]
        with self.zip.open(info) as member:
            yield io.BufferedReader(_Capped(member, info.file_size, name), 64 * 1024)


def source_for_path(path: Path | str) -> ExportSource:
    """A folder or a zip file on disk (the command line)."""
    path = Path(path)
    if path.is_dir():
        return FolderSource(path)
    # Kept open while the import reads it; closed with the process (the command line).
    return ZipSource(open(path, "rb"))
