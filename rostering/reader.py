"""Reads and checks a OneRoster CSV export: typed records of what it holds, and its problems.

Pure: the reader writes nothing and reads no database. What it must know of the district
(its sourcedId, today's date there, the sourcedIds of its schools and school years) comes in
an explicit `DistrictSnapshot`; the applier (applier.py) writes the records it returns.
Files are streamed row by row; what is kept in memory is a compact record per person (and
per student, their schools), the orgs and sessions (a few hundred rows), and at most
`max_problems()` problems of each severity, each with its file and line.

What is checked, from the OneRoster 1.1 and 1.2 CSV bindings: the required columns of each
file Accord reads, by name in any order (including `status` and `dateLastModified`, whose
cells may be empty in a bulk file but not in a delta one); ISO 8601 dates (YYYY-MM-DD) and
date-times; and that every reference (an org's parent, a user's orgs and primary org, a
role's user and org, a person's agents, a session's parent) is in the export or, where the
manifest does not say the file is complete (bulk), already in the district. Files Accord does
not read (enrollments, classes, demographics...) are not checked: nothing of them is imported.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leadership import grades as grade_codes
from leadership.models import Role

from .source import ExportSource

STORE_PROBLEMS = 5000

DEFAULT_ROLE_MAP = {
    "administrator": Role.PRINCIPAL,
    "principal": Role.PRINCIPAL,
    "siteadministrator": Role.PRINCIPAL,
    "teacher": Role.STAFF,
    "aide": Role.STAFF,
    "proctor": Role.STAFF,
    "counselor": Role.STAFF,
    "parent": Role.FAMILY,
    "guardian": Role.FAMILY,
    "relative": Role.FAMILY,
}
STUDENT = "student"
# OneRoster roles that Accord does not map to a role (a warning, not an error).
UNMAPPED_ROLES = {"districtadministrator", "systemadministrator", "student"}
ORG_TYPES = {"district", "school", "department", "local", "state", "national"}
STATUSES = {"active", "tobedeleted", "inactive"}  # "inactive" is OneRoster 1.0's deletion

# Required columns of the files Accord reads (OneRoster 1.1 and 1.2 CSV bindings). Every
# file carries sourcedId, status and dateLastModified; status and dateLastModified may be
# empty in a bulk file, but the columns must be there.
RECORD_COLUMNS = ["sourcedId", "status", "dateLastModified"]
REQUIRED_COLUMNS = {
    "manifest.csv": ["propertyName", "value"],
    "orgs.csv": [*RECORD_COLUMNS, "name", "type"],
    "academicSessions.csv": [
        *RECORD_COLUMNS,
        "title",
        "type",
        "startDate",
        "endDate",
        "schoolYear",
    ],
    "roles.csv": [*RECORD_COLUMNS, "userSourcedId", "roleType", "role", "orgSourcedId"],
    # 1.1: a user's role and orgs are on users.csv; 1.2 moves them to roles.csv.
    "users.csv": [
        *RECORD_COLUMNS,
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "givenName",
        "familyName",
    ],
    "users.csv+roles.csv": [*RECORD_COLUMNS, "enabledUser", "username", "givenName", "familyName"],
}

# --- messages (shown in the preview and the error report) ------------------------------
# Stored untranslated with their values, and translated when a person reads them, so each
# reader sees them in their own language. Errors say what to do next.
NO_FILE = _("The export has no %(file)s, which is required.")
MANIFEST_LISTS_MISSING = _("The manifest lists %(file)s as %(mode)s, but the file is missing.")
NO_HEADER = _("The file is empty: it has no header row.")
MISSING_COLUMN = _(
    "The required column “%(column)s” is missing from the header. Have your information "
    "system export it (OneRoster requires it), then upload the export again."
)
MISSING_RECORD_COLUMN = _(
    "The column “%(column)s” is missing from the header. OneRoster requires it in every file, "
    "even when a bulk export leaves its cells empty: add it and upload the export again."
)
MISSPELT_COLUMN = _(
    "The required column “%(column)s” is missing from the header, which has “%(found)s” "
    "instead: correct the column's name and upload the export again."
)
DAMAGED = _("The file is damaged in the archive and cannot be read.")
NOT_UTF8 = _("The file is not UTF-8 text.")
BAD_CSV = _("The file is not valid CSV: %(error)s.")
MISSING_FIELD = _("The required field “%(column)s” is empty.")
DELTA_FIELD = _(
    "“%(column)s” is empty, but the manifest marks this file as a delta, where every line "
    "must give it: fill it in, or export the file in bulk mode, and upload the export again."
)
BAD_STATUS = _(
    "“%(value)s” is not a OneRoster status: use active or tobedeleted (in a bulk file it may "
    "be left empty), then upload the export again."
)
DUPLICATE_ID = _("The sourcedId “%(id)s” appears twice (first on line %(first)s).")
UNKNOWN_ORG = _(
    "“%(id)s” is not an org of orgs.csv: add the org to orgs.csv, or correct the reference, "
    "and upload the export again."
)
UNKNOWN_ORG_OR_SCHOOL = _(
    "“%(id)s” is neither an org of this export nor a school already in the district: add the "
    "org to orgs.csv, or correct the reference, and upload the export again."
)
UNKNOWN_PARENT_ORG = _(
    "The parent org “%(id)s” is neither in orgs.csv nor already in the district: add it to "
    "orgs.csv, or correct parentSourcedId, and upload the export again."
)
UNKNOWN_USER = _(
    "“%(id)s” is not a user of users.csv: add the user, or correct the reference, and upload "
    "the export again."
)
UNKNOWN_PARENT_SESSION = _(
    "The parent session “%(id)s” is neither in academicSessions.csv nor a school year already "
    "in the district: add it, or correct parentSourcedId, and upload the export again."
)
UNKNOWN_ROLE = _("“%(role)s” is not a OneRoster role.")
UNKNOWN_ORG_TYPE = _("“%(type)s” is not a OneRoster org type; the org is ignored.")
BAD_DATE = _(
    "“%(value)s” in “%(column)s” is not a date in the form YYYY-MM-DD (ISO 8601), such as "
    "2026-08-17: have your information system export dates in this form and upload the "
    "export again."
)
BAD_DATETIME = _(
    "“%(value)s” in “%(column)s” is not an ISO 8601 date and time, such as "
    "2026-08-17T14:30:00Z: have your information system export it in this form and upload "
    "the export again."
)
END_BEFORE_START = _("The end date comes before the start date.")
BAD_EMAIL = _("“%(email)s” is not a valid e-mail address.")
NO_EMAIL = _("%(name)s has no e-mail address, so cannot sign in: skipped.")
NO_SCHOOL = _("%(name)s belongs to no school of this export: skipped.")
NO_ROLE = _("%(name)s has no role in roles.csv: skipped.")
UNMAPPED_ROLE = _("%(name)s has the role “%(role)s”, which Accord does not import: skipped.")
SHARED_EMAIL = _(
    "%(name)s shares the e-mail address %(email)s with “%(other)s” (line %(line)s); "
    "they will share one account."
)
EMAIL_TAKEN = _("The new e-mail address %(email)s belongs to another account; the old one is kept.")
DEPARTMENT_WITHOUT_SCHOOL = _(
    "“%(name)s” is a department with no school above it; the people in it belong to no school."
)
NO_SCHOOL_YEAR = _("The export has no school-year session; the current school year is kept.")
UNKNOWN_GRADE = _("“%(value)s” in “grades” is not a OneRoster grade code; it is ignored.")
NOT_A_ROSTER = _("%(name)s is not a OneRoster file; it is ignored.")
EVERYONE_SKIPPED = _(
    "No one in users.csv can be imported: all %(count)s people were skipped (the warnings say "
    "why). Fix the export in your information system and upload it again."
)

FILE_MODES = {"bulk", "delta", "absent"}
ACCORD_ROLES = frozenset(Role.values)


def role_map() -> dict[str, str]:
    configured = getattr(settings, "ROSTER_ROLE_MAP", None) or DEFAULT_ROLE_MAP
    return {key.lower(): value for key, value in configured.items()}


def max_problems() -> int:
    return getattr(settings, "ROSTER_MAX_PROBLEMS", STORE_PROBLEMS)


_MSGIDS: dict[int, str] = {}


def msgid_of(message) -> str:
    """The untranslated text of a message constant (a lazy translation), kept once each."""
    if isinstance(message, str):
        return message
    key = id(message)
    if key not in _MSGIDS:
        with translation.override(None):
            _MSGIDS[key] = str(message)
    return _MSGIDS[key]


def render_message(template: str, params: dict | None) -> str:
    """A stored message in the current language."""
    text = gettext(template) if template else ""
    if not params:
        return text
    try:
        return text % params
    except (KeyError, ValueError, TypeError):
        return template % params


@dataclass
class Problem:
    severity: str  # "error" blocks the import; "warning" only tells
    file: str
    line: int | None
    template: str  # the message, untranslated
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render_message(self.template, self.params)

    def as_list(self) -> list:
        return [self.severity, self.file, self.line, self.template, self.params]


@dataclass
class Report:
    version: str = ""
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False
    error_count: int = 0
    warning_count: int = 0
    # Kept in memory: this many of each severity; the rest are only counted.
    limit: int = field(default_factory=max_problems)

    def error(self, file: str, line: int | None, message, /, **params) -> None:
        self.error_count += 1
        if self.error_count <= self.limit:
            self.problems.append(Problem("error", file, line, msgid_of(message), params))

    def warning(self, file: str, line: int | None, message, /, **params) -> None:
        self.warning_count += 1
        if self.warning_count <= self.limit:
            self.problems.append(Problem("warning", file, line, msgid_of(message), params))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0


@dataclass(slots=True)
class Org:
    type: str
    name: str
    parent: str
    active: bool
    line: int


@dataclass(slots=True)
class Person:
    sid: str
    email: str
    name: str
    line: int
    active: bool
    language: str | None
    assignments: list  # (accord role, org sourcedId)
    agents: tuple
    # For a family: school sourcedId -> the grades of their students there, for each school
    # where the export gives a grade for one of their students (other schools: left as are).
    grades: dict = field(default_factory=dict)


@dataclass(slots=True)
class SchoolYearSession:
    """The academicSessions.csv school year the import makes the district's current one."""

    sid: str
    start: date
    end: date
    year: str  # schoolYear: the year it ends, such as 2027


@dataclass(frozen=True)
class DistrictSnapshot:
    """What the reader may know of the district it reads an export for, loaded by the caller
    (see `importer.district_snapshot`): references to these need not be in the export."""

    sourced_id: str
    today: date
    school_sids: frozenset[str] = frozenset()
    year_sids: frozenset[str] = frozenset()


@dataclass
class RosterExport:
    """What the reader found: the records to apply, and how the manifest says each file is
    meant (bulk: complete; delta: only changes)."""

    modes: dict[str, str]
    orgs: dict[str, Org]
    session: SchoolYearSession | None
    people: list[Person]  # staff and families, the active ones with their schools
    user_sids: dict[str, int]  # every user sourcedId of users.csv -> its line
    student_schools: dict[str, tuple[str, ...]]  # active student sourcedId -> school sourcedIds
    student_grades: dict[str, tuple[str, ...]] = field(default_factory=dict)  # -> grade codes

    def mode(self, name: str) -> str:
        return self.modes.get(name.removesuffix(".csv"), "bulk")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _is_active(row: dict) -> bool:
    status = row.get("status", "").lower()
    enabled = row.get("enableduser", "").lower()
    return status not in {"tobedeleted", "inactive"} and enabled not in {"false", "0", "no"}


# How information systems write the languages Accord speaks (ISO 639-2 codes, names in
# English and in the language itself); a code not in settings.LANGUAGES is never returned.
LANGUAGE_ALIASES = {
    "eng": "en",
    "english": "en",
    "spa": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "vie": "vi",
    "vietnamese": "vi",
    "tiếng việt": "vi",
    "tieng viet": "vi",
}


def language_code(value: str) -> str | None:
    value = value.strip().lower().replace("_", "-")
    if not value:
        return None
    known = {code for code, _name in settings.LANGUAGES}
    for candidate in (value, value.split("-")[0], LANGUAGE_ALIASES.get(value)):
        if candidate in known:
            return candidate
    return None


def _missing_columns(name: str, columns: list[str], required: list[str], report: Report) -> bool:
    """One error per required column the header lacks, naming a likely misspelling."""
    known = {column.lower() for columns in REQUIRED_COLUMNS.values() for column in columns}
    present = {column.strip().lower() for column in columns}
    strangers = {c.strip().lower(): c.strip() for c in columns if c.strip().lower() not in known}
    missing = [column for column in required if column.lower() not in present]
    for column in missing:
        found = difflib.get_close_matches(column.lower(), list(strangers), n=1, cutoff=0.8)
        if found:
            report.error(name, 1, MISSPELT_COLUMN, column=column, found=strangers[found[0]])
        elif column in RECORD_COLUMNS[1:]:
            report.error(name, 1, MISSING_RECORD_COLUMN, column=column)
        else:
            report.error(name, 1, MISSING_COLUMN, column=column)
    return bool(missing)


def read_csv(
    source: ExportSource,
    name: str,
    required: list[str],
    report: Report,
    header: list | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of one file as (line, {lower-cased column: stripped value}).

    Columns are matched by name in any order, case-insensitively; others are ignored. A
    missing required column is one error naming the column, and no row is read.
    """
    with source.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            columns = next(reader)
        except StopIteration:
            report.error(name, None, NO_HEADER)
            return
        except (zipfile.BadZipFile, zlib.error, EOFError):
            report.error(name, None, DAMAGED)
            return
        except UnicodeDecodeError:
            report.error(name, 1, NOT_UTF8)
            return
        except csv.Error as error:
            report.error(name, 1, BAD_CSV, error=str(error))
            return
        keys = [column.strip().lower() for column in columns]
        if _missing_columns(name, columns, required, report):
            return
        if header is not None:
            header.extend(keys)
        line = 1
        try:
            for values in reader:
                line = reader.line_num
                if not any(value.strip() for value in values):
                    continue
                yield line, {key: value.strip() for key, value in zip(keys, values, strict=False)}
        except UnicodeDecodeError:
            report.error(name, line + 1, NOT_UTF8)
        except csv.Error as error:
            report.error(name, reader.line_num, BAD_CSV, error=str(error))
        except (zipfile.BadZipFile, zlib.error, EOFError):
            report.error(name, None, DAMAGED)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# ISO 8601 extended format: a date, or a date and a time joined by "T", with optional
# seconds, fraction and zone. A space instead of the "T" (SQL's form) is not ISO 8601.
ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)


def parse_date(value: str) -> date | None:
    if not ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def is_iso_datetime(value: str) -> bool:
    if not ISO_DATETIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace(",", "."))
    except ValueError:
        return False
    return True


class ExportReader:
    """One reading of an export for one district; see the module docstring."""

    def __init__(
        self,
        *,
        source: ExportSource,
        district: DistrictSnapshot,
        report: Report | None = None,
        progress: Callable[[int], None] | None = None,
    ):
        self.source = source
        self.district = district
        self.report = report if report is not None else Report()
        self.progress = progress or (lambda percent: None)
        self.modes: dict[str, str] = {}
        self.orgs: dict[str, Org] = {}
        self.session: SchoolYearSession | None = None
        self.people: list[Person] = []
        self.people_in_file = 0  # active people (not students) on users.csv
        self.users_readable = False  # users.csv was there and its header complete
        self.user_sids: dict[str, int] = {}  # every user sourcedId of users.csv -> line
        self.student_schools: dict[str, tuple[str, ...]] = {}
        self.student_grades: dict[str, tuple[str, ...]] = {}
        self.students_of_agent: dict[str, set[str]] = defaultdict(set)
        self.roles_by_user: dict[str, list] | None = None
        self._good_stamp = ""  # the last dateLastModified found valid (most files repeat one)

    # --- reading ----------------------------------------------------------------------

    def mode(self, name: str) -> str:
        return self.modes.get(name.removesuffix(".csv"), "bulk")

    def read(self) -> RosterExport:
        """Read and check every file; the problems go to `self.report`. Raises ExportRefused
        when the source cannot be read at all (the caller reports it)."""
        names = self.source.names()
        report = self.report
        if "manifest.csv" not in names:
            report.error("manifest.csv", None, NO_FILE, file="manifest.csv")
        else:
            self._read_manifest()
        for name in ("orgs.csv", "users.csv", "academicSessions.csv", "roles.csv"):
            mode = self.modes.get(name.removesuffix(".csv"))
            if name not in names and mode in {"bulk", "delta"}:
                report.error(name, None, MANIFEST_LISTS_MISSING, file=name, mode=mode)
            elif name not in names and name in {"orgs.csv", "users.csv"} and mode != "absent":
                report.error(name, None, NO_FILE, file=name)
        if "orgs.csv" in names:
            self._read_orgs()
            self._check_org_parents()
        self.progress(5)
        if "academicSessions.csv" in names:
            self._read_sessions()
        if not self.session:
            report.warning("academicSessions.csv", None, NO_SCHOOL_YEAR)
        uses_roles = "roles.csv" in names or self.report.version.startswith("1.2")
        if uses_roles and "roles.csv" in names:
            self._read_roles()
        elif uses_roles:
            self.roles_by_user = {}
        self.progress(15)
        if "users.csv" in names:
            self._read_users()
        self.progress(35)
        self._check_links()
        self.progress(40)
        return self.export()

    def export(self) -> RosterExport:
        """The records read so far (all of them once `read` has returned)."""
        return RosterExport(
            modes=self.modes,
            orgs=self.orgs,
            session=self.session,
            people=self.people,
            user_sids=self.user_sids,
            student_schools=self.student_schools,
            student_grades=self.student_grades,
        )

    def _check_record(self, name: str, line: int, row: dict[str, str]) -> bool:
        """status and dateLastModified of any record: the values OneRoster allows, and both
        given in a delta file. False when the line has an error."""
        ok = True
        status, stamp = row.get("status", ""), row.get("datelastmodified", "")
        if self.mode(name) == "delta":
            for column, value in (("status", status), ("dateLastModified", stamp)):
                if not value:
                    self.report.error(name, line, DELTA_FIELD, column=column)
                    ok = False
        if status and status.lower() not in STATUSES:
            self.report.error(name, line, BAD_STATUS, value=status)
            ok = False
        if stamp and stamp != self._good_stamp:
            if is_iso_datetime(stamp):
                self._good_stamp = stamp
            else:
                self.report.error(name, line, BAD_DATETIME, value=stamp, column="dateLastModified")
                ok = False
        return ok

    def _read_manifest(self) -> None:
        required = REQUIRED_COLUMNS["manifest.csv"]
        for _line, row in read_csv(self.source, "manifest.csv", required, self.report):
            prop, value = row.get("propertyname", ""), row.get("value", "").strip()
            if prop == "oneroster.version":
                self.report.version = value
            elif prop.startswith("file.") and value.lower() in FILE_MODES:
                self.modes[prop.removeprefix("file.")] = value.lower()

    def _read_orgs(self) -> None:
        report, seen = self.report, {}
        required = REQUIRED_COLUMNS["orgs.csv"]
        for line, row in read_csv(self.source, "orgs.csv", required, report):
            sid, kind = row.get("sourcedid", ""), row.get("type", "")
            if not sid:
                report.error("orgs.csv", line, MISSING_FIELD, column="sourcedId")
                continue
            if sid in seen:
                report.error("orgs.csv", line, DUPLICATE_ID, id=sid, first=seen[sid])
                continue
            seen[sid] = line
            self._check_record("orgs.csv", line, row)
            for column in ("name", "type"):
                if not row.get(column):
                    report.error("orgs.csv", line, MISSING_FIELD, column=column)
            if kind and kind not in ORG_TYPES:
                report.warning("orgs.csv", line, UNKNOWN_ORG_TYPE, type=kind)
            self.orgs[sid] = Org(
                type=kind,
                name=row.get("name", "")[:200],
                parent=row.get("parentsourcedid", ""),
                active=_is_active(row),
                line=line,
            )

    def _check_org_parents(self) -> None:
        """Every parent is an org of the export or already the district's; departments with
        no school above them are told about."""
        report = self.report
        for org_sid, org in self.orgs.items():
            if org.parent and not self._org_known(org.parent):
                report.error("orgs.csv", org.line, UNKNOWN_PARENT_ORG, id=org.parent)
            elif org.type == "department" and self.school_of(org_sid) is None:
                report.warning("orgs.csv", org.line, DEPARTMENT_WITHOUT_SCHOOL, name=org.name)

    def _read_sessions(self) -> None:
        report, seen, years, parents = self.report, {}, [], []
        name = "academicSessions.csv"
        for line, row in read_csv(self.source, name, REQUIRED_COLUMNS[name], report):
            sid = row.get("sourcedid", "")
            if not sid:
                report.error(name, line, MISSING_FIELD, column="sourcedId")
                continue
            if sid in seen:
                report.error(name, line, DUPLICATE_ID, id=sid, first=seen[sid])
                continue
            seen[sid] = line
            self._check_record(name, line, row)
            if row.get("parentsourcedid"):
                parents.append((line, row["parentsourcedid"]))
            dates = {}
            for column in ("startDate", "endDate"):
                value = row.get(column.lower(), "")
                dates[column] = parse_date(value)
                if not value:
                    report.error(name, line, MISSING_FIELD, column=column)
                elif dates[column] is None:
                    report.error(name, line, BAD_DATE, value=value, column=column)
            start, end = dates["startDate"], dates["endDate"]
            if start and end and end <= start:
                report.error(name, line, END_BEFORE_START)
                continue
            if row.get("type", "").lower() == "schoolyear" and start and end and _is_active(row):
                years.append(SchoolYearSession(sid, start, end, row.get("schoolyear", "")))
        if parents:
            known = self.district.year_sids
            for line, parent in parents:
                if parent not in seen and parent not in known:
                    report.error(name, line, UNKNOWN_PARENT_SESSION, id=parent)
        if years:
            today = self.district.today
            current = [y for y in years if y.start <= today <= y.end]
            self.session = (current or sorted(years, key=lambda y: y.start))[-1]

    def _read_roles(self) -> None:
        report, seen = self.report, {}
        self.roles_by_user = defaultdict(list)
        mapping = role_map()
        for line, row in read_csv(self.source, "roles.csv", REQUIRED_COLUMNS["roles.csv"], report):
            sid = row.get("sourcedid", "")
            for column in ("sourcedId", "userSourcedId", "role", "orgSourcedId"):
                if not row.get(column.lower()):
                    report.error("roles.csv", line, MISSING_FIELD, column=column)
            if not sid or not row.get("usersourcedid") or not row.get("role"):
                continue
            if sid in seen:
                report.error("roles.csv", line, DUPLICATE_ID, id=sid, first=seen[sid])
                continue
            seen[sid] = line
            self._check_record("roles.csv", line, row)
            for column in ("beginDate", "endDate"):
                value = row.get(column.lower(), "")
                if value and parse_date(value) is None:
                    report.error("roles.csv", line, BAD_DATE, value=value, column=column)
            role = row["role"].lower()
            if role not in mapping and role not in UNMAPPED_ROLES:
                report.error("roles.csv", line, UNKNOWN_ROLE, role=row["role"])
                continue
            org = row.get("orgsourcedid", "")
            if org and not self._org_known(org):
                report.error("roles.csv", line, self._unknown_org_message(), id=org)
                continue
            if not _is_active(row):
                continue
            self.roles_by_user[row["usersourcedid"]].append(
                (STUDENT if role == STUDENT else mapping.get(role, role), org, line)
            )

    def _org_known(self, sid: str) -> bool:
        """An org of the export; or, unless orgs.csv is complete (bulk), one of the district's
        schools; or the district itself."""
        if sid in self.orgs:
            return True
        if self.district.sourced_id and sid == self.district.sourced_id:
            return True
        return self.mode("orgs") != "bulk" and sid in self.district.school_sids

    def _unknown_org_message(self):
        return UNKNOWN_ORG if self.mode("orgs") == "bulk" else UNKNOWN_ORG_OR_SCHOOL

    def school_of(self, org_sid: str) -> str | None:
        """The school sourcedId an org stands for: itself, or the school above a department."""
        seen = set()
        while org_sid and org_sid not in seen:
            seen.add(org_sid)
            org = self.orgs.get(org_sid)
            if org is None:
                return org_sid if org_sid in self.district.school_sids else None
            if org.type == "school":
                return org_sid
            if org.type != "department":
                return None
            org_sid = org.parent
        return None

    def _read_users(self) -> None:
        report, mapping = self.report, role_map()
        from_roles = self.roles_by_user is not None
        required = REQUIRED_COLUMNS["users.csv+roles.csv" if from_roles else "users.csv"]
        header: list[str] = []
        first_by_email: dict[str, tuple[str, int]] = {}
        language_columns: list[str] | None = None
        for line, row in read_csv(self.source, "users.csv", required, report, header):
            if language_columns is None:
                language_columns = [
                    key
                    for key in header
                    if key == "preferredlanguage"
                    or (key.startswith(("ext_", "metadata.")) and "language" in key)
                ]
            sid = row.get("sourcedid", "")
            if not sid:
                report.error("users.csv", line, MISSING_FIELD, column="sourcedId")
                continue
            if sid in self.user_sids:
                report.error("users.csv", line, DUPLICATE_ID, id=sid, first=self.user_sids[sid])
                continue
            self.user_sids[sid] = line
            self._check_record("users.csv", line, row)
            active = _is_active(row)
            agents = tuple(_split(row.get("agentsourcedids") or row.get("agents", "")))
            primary = row.get("primaryorgsourcedid", "")
            if primary and not self._org_known(primary):
                report.error("users.csv", line, self._unknown_org_message(), id=primary)
            if from_roles:
                assignments = [(role, org) for role, org, _line in self.roles_by_user.get(sid, [])]
            else:
                role_value = row.get("role", "")
                orgs = _split(row.get("orgsourcedids", ""))
                if not role_value:
                    report.error("users.csv", line, MISSING_FIELD, column="role")
                    continue
                role = role_value.lower()
                if role not in mapping and role not in UNMAPPED_ROLES:
                    report.error("users.csv", line, UNKNOWN_ROLE, role=role_value)
                    continue
                if not orgs:
                    report.error("users.csv", line, MISSING_FIELD, column="orgSourcedIds")
                    continue
                unknown = [org for org in orgs if not self._org_known(org)]
                for org in unknown:
                    report.error("users.csv", line, self._unknown_org_message(), id=org)
                if unknown:
                    continue
                role = STUDENT if role == STUDENT else mapping.get(role, role)
                assignments = [(role, org) for org in orgs]

            if assignments and all(role == STUDENT for role, _org in assignments):
                # Students are counted (per school), never made users, never skipped.
                if active:
                    schools = {self.school_of(org) for _role, org in assignments} - {None}
                    self.student_schools[sid] = tuple(sorted(schools))
                    codes, unknown = grade_codes.parse_list(row.get("grades", ""))
                    for value in unknown:
                        report.warning("users.csv", line, UNKNOWN_GRADE, value=value)
                    self.student_grades[sid] = tuple(codes)
                for agent in agents:
                    self.students_of_agent[agent].add(sid)
                continue

            if active:
                self.people_in_file += 1
            name = " ".join(filter(None, [row.get("givenname"), row.get("familyname")])) or sid
            label = f"{name} ({sid})"
            if active:
                missing = [c for c in ("givenName", "familyName") if not row.get(c.lower())]
                for column in missing:
                    report.error("users.csv", line, MISSING_FIELD, column=column)
                if missing:
                    continue
            email = row.get("email", "").lower()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    report.error("users.csv", line, BAD_EMAIL, email=row.get("email"))
                    continue
            if not active:
                self.people.append(Person(sid, email, name, line, False, None, [], ()))
                continue
            if not email:
                report.warning("users.csv", line, NO_EMAIL, name=label)
                continue
            if not assignments:
                report.warning("users.csv", line, NO_ROLE, name=label)
                continue
            mapped = [(role, org) for role, org in assignments if role in ACCORD_ROLES]
            if not mapped:
                report.warning("users.csv", line, UNMAPPED_ROLE, name=label, role=assignments[0][0])
                continue
            if email in first_by_email:
                other, other_line = first_by_email[email]
                report.warning(
                    "users.csv",
                    line,
                    SHARED_EMAIL,
                    name=label,
                    email=email,
                    other=other,
                    line=other_line,
                )
            else:
                first_by_email[email] = (sid, line)
            language = None
            for column in language_columns or []:
                language = language_code(row.get(column, ""))
                if language:
                    break
            self.people.append(Person(sid, email, name, line, True, language, mapped, agents))
        self.users_readable = bool(header)

    def _check_links(self) -> None:
        """References that can only be checked once every user is read; schools of families.

        Agents and the users of roles.csv are checked when users.csv is complete (bulk): a
        delta file names only the people who changed, and students are not kept in Accord,
        so there is nothing else to look them up in.
        """
        report = self.report
        # Without a readable users.csv every reference to a user would fail: its own error
        # says what to fix.
        strict = self.mode("users") == "bulk" and self.users_readable
        if self.roles_by_user and strict:
            for user_sid, rows in self.roles_by_user.items():
                if user_sid not in self.user_sids:
                    for _role, _org, line in rows:
                        report.error("roles.csv", line, UNKNOWN_USER, id=user_sid)
        if strict:
            for agent, students in self.students_of_agent.items():
                if agent not in self.user_sids:
                    for line in sorted(self.user_sids[student] for student in students):
                        report.error("users.csv", line, UNKNOWN_USER, id=agent)
        kept = []
        for person in self.people:
            if not person.active:
                kept.append(person)
                continue
            unknown = [a for a in person.agents if a not in self.user_sids]
            if unknown and strict:
                for agent in unknown:
                    report.error("users.csv", person.line, UNKNOWN_USER, id=agent)
                continue
            schools: list[tuple[str, str]] = []
            for role, org in person.assignments:
                if role == Role.FAMILY:
                    students = set(person.agents) | self.students_of_agent.get(person.sid, set())
                    linked = {
                        school
                        for student in students
                        for school in self.student_schools.get(student, ())
                    }
                    if linked:
                        schools.extend((role, school) for school in sorted(linked))
                        # A student's grades count at each of their schools (OneRoster gives
                        # a user's grades, not a grade per school). An export that gives no
                        # grade for their students there leaves the family's grades alone.
                        for school in linked:
                            codes = grade_codes.ordered(
                                grade
                                for student in students
                                if school in self.student_schools.get(student, ())
                                for grade in self.student_grades.get(student, ())
                            )
                            if codes:
                                person.grades[school] = tuple(codes)
                        continue
                school = self.school_of(org)
                if school is not None:
                    schools.append((role, school))
            if not schools:
                report.warning(
                    "users.csv", person.line, NO_SCHOOL, name=f"{person.name} ({person.sid})"
                )
                continue
            person.assignments = sorted(set(schools))
            kept.append(person)
        self.people = kept
        if self.people_in_file and not any(person.active for person in self.people):
            report.error("users.csv", None, EVERYONE_SKIPPED, count=self.people_in_file)
