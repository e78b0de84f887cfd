"""Reads a OneRoster CSV export and brings one district's schools, year and people in line.

One code path for the preview and the apply: `RosterRun.run(apply=False)` reads and checks
every file and counts what would change; `run(apply=True)` does the same and writes, in one
transaction, only when there is no error. Files are streamed row by row; what is kept in
memory is a compact record per person (and per student, their schools), and the existing
sourcedId -> id maps of the district, loaded once. Writes go in chunks with bulk_create and
bulk updates, so the number of queries grows with the number of chunks, not of rows.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from leadership import clock
from leadership.dashboard import rollups
from leadership.models import District, Membership, Role, School, SchoolYear, User

from .source import ExportRefused, ExportSource

CHUNK = 2000

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

# --- messages (shown in the preview and the error report) ------------------------------
NO_FILE = _("The export has no %(file)s, which is required.")
MANIFEST_LISTS_MISSING = _("The manifest lists %(file)s as %(mode)s, but the file is missing.")
NO_HEADER = _("The file is empty: it has no header row.")
MISSING_COLUMN = _("The required column “%(column)s” is missing from the header.")
DAMAGED = _("The file is damaged in the archive and cannot be read.")
NOT_UTF8 = _("The file is not UTF-8 text.")
BAD_CSV = _("The file is not valid CSV: %(error)s.")
MISSING_FIELD = _("The required field “%(column)s” is empty.")
DUPLICATE_ID = _("The sourcedId “%(id)s” appears twice (first on line %(first)s).")
UNKNOWN_ORG = _("“%(id)s” is not an org of this export.")
UNKNOWN_USER = _("“%(id)s” is not a user of this export.")
UNKNOWN_ROLE = _("“%(role)s” is not a OneRoster role.")
UNKNOWN_ORG_TYPE = _("“%(type)s” is not a OneRoster org type; the org is ignored.")
BAD_DATE = _("“%(value)s” in “%(column)s” is not a date in the form YYYY-MM-DD.")
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
NOT_A_ROSTER = _("%(name)s is not a OneRoster file; it is ignored.")

FILE_MODES = {"bulk", "delta", "absent"}
ACCORD_ROLES = frozenset(Role.values)


def role_map() -> dict[str, str]:
    configured = getattr(settings, "ROSTER_ROLE_MAP", None) or DEFAULT_ROLE_MAP
    return {key.lower(): value for key, value in configured.items()}


@dataclass
class Problem:
    severity: str  # "error" blocks the import; "warning" only tells
    file: str
    line: int | None
    message: str

    def as_list(self) -> list:
        return [self.severity, self.file, self.line, self.message]


@dataclass
class Report:
    version: str = ""
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False

    def error(self, file: str, line: int | None, message) -> None:
        self.problems.append(Problem("error", file, line, str(message)))

    def warning(self, file: str, line: int | None, message) -> None:
        self.problems.append(Problem("warning", file, line, str(message)))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


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


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _is_active(row: dict) -> bool:
    status = row.get("status", "").lower()
    enabled = row.get("enableduser", "").lower()
    return status != "tobedeleted" and enabled not in {"false", "0", "no"}


LANGUAGE_ALIASES = {
    "eng": "en",
    "english": "en",
    "spa": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
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
            report.error(name, 1, BAD_CSV % {"error": error})
            return
        keys = [column.strip().lower() for column in columns]
        missing = [column for column in required if column.lower() not in keys]
        for column in missing:
            report.error(name, 1, MISSING_COLUMN % {"column": column})
        if missing:
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
            report.error(name, reader.line_num, BAD_CSV % {"error": error})
        except (zipfile.BadZipFile, zlib.error, EOFError):
            report.error(name, None, DAMAGED)


def parse_date(value: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RosterRun:
    """One reading of an export against one district; see the module docstring."""

    def __init__(
        self,
        *,
        district: District,
        source: ExportSource,
        progress: Callable[[int], None] | None = None,
    ):
        self.district = district
        self.source = source
        self.progress = progress or (lambda percent: None)
        self.report = Report()
        self.modes: dict[str, str] = {}
        self.orgs: dict[str, Org] = {}
        self.session: dict | None = None
        self.people: list[Person] = []
        self.user_sids: dict[str, int] = {}  # every user sourcedId of users.csv -> line
        self.student_schools: dict[str, tuple[str, ...]] = {}
        self.students_of_agent: dict[str, set[str]] = defaultdict(set)
        self.roles_by_user: dict[str, list] | None = None
        self.existing_school_sids: set[str] = set()

    # --- reading ----------------------------------------------------------------------

    def mode(self, name: str) -> str:
        return self.modes.get(name.removesuffix(".csv"), "bulk")

    def read(self) -> None:
        names = self.source.names()
        report = self.report
        if "manifest.csv" not in names:
            report.error("manifest.csv", None, NO_FILE % {"file": "manifest.csv"})
        else:
            self._read_manifest()
        for name in ("orgs.csv", "users.csv", "academicSessions.csv", "roles.csv"):
            mode = self.modes.get(name.removesuffix(".csv"))
            if name not in names and mode in {"bulk", "delta"}:
                report.error(name, None, MANIFEST_LISTS_MISSING % {"file": name, "mode": mode})
            elif name not in names and name in {"orgs.csv", "users.csv"} and mode != "absent":
                report.error(name, None, NO_FILE % {"file": name})
        self.existing_school_sids = set(
            School.objects.filter(district=self.district)
            .exclude(sourced_id="")
            .values_list("sourced_id", flat=True)
        )
        if "orgs.csv" in names:
            self._read_orgs()
            for org_sid, org in self.orgs.items():
                if org.type == "department" and self.school_of(org_sid) is None:
                    report.warning(
                        "orgs.csv", org.line, DEPARTMENT_WITHOUT_SCHOOL % {"name": org.name}
                    )
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

    def _read_manifest(self) -> None:
        for _line, row in read_csv(
            self.source, "manifest.csv", ["propertyName", "value"], self.report
        ):
            prop, value = row.get("propertyname", ""), row.get("value", "").strip()
            if prop == "oneroster.version":
                self.report.version = value
            elif prop.startswith("file.") and value.lower() in FILE_MODES:
                self.modes[prop.removeprefix("file.")] = value.lower()

    def _read_orgs(self) -> None:
        report, seen = self.report, {}
        for line, row in read_csv(self.source, "orgs.csv", ["sourcedId", "name", "type"], report):
            sid, kind = row.get("sourcedid", ""), row.get("type", "")
            if not sid:
                report.error("orgs.csv", line, MISSING_FIELD % {"column": "sourcedId"})
                continue
            if sid in seen:
                report.error("orgs.csv", line, DUPLICATE_ID % {"id": sid, "first": seen[sid]})
                continue
            seen[sid] = line
            for column in ("name", "type"):
                if not row.get(column):
                    report.error("orgs.csv", line, MISSING_FIELD % {"column": column})
            if kind and kind not in ORG_TYPES:
                report.warning("orgs.csv", line, UNKNOWN_ORG_TYPE % {"type": kind})
            self.orgs[sid] = Org(
                type=kind,
                name=row.get("name", "")[:200],
                parent=row.get("parentsourcedid", ""),
                active=_is_active(row),
                line=line,
            )

    def _read_sessions(self) -> None:
        report, seen, years = self.report, {}, []
        required = ["sourcedId", "title", "type", "startDate", "endDate"]
        for line, row in read_csv(self.source, "academicSessions.csv", required, report):
            sid = row.get("sourcedid", "")
            if not sid:
                report.error("academicSessions.csv", line, MISSING_FIELD % {"column": "sourcedId"})
                continue
            if sid in seen:
                report.error(
                    "academicSessions.csv", line, DUPLICATE_ID % {"id": sid, "first": seen[sid]}
                )
                continue
            seen[sid] = line
            dates = {}
            for column in ("startDate", "endDate"):
                value = row.get(column.lower(), "")
                dates[column] = parse_date(value)
                if not value:
                    report.error("academicSessions.csv", line, MISSING_FIELD % {"column": column})
                elif dates[column] is None:
                    report.error(
                        "academicSessions.csv",
                        line,
                        BAD_DATE % {"value": value, "column": column},
                    )
            start, end = dates["startDate"], dates["endDate"]
            if start and end and end <= start:
                report.error("academicSessions.csv", line, END_BEFORE_START)
                continue
            if row.get("type", "").lower() == "schoolyear" and start and end and _is_active(row):
                years.append(
                    {"sid": sid, "start": start, "end": end, "year": row.get("schoolyear", "")}
                )
        if years:
            today = clock.today_in(self.district)
            current = [y for y in years if y["start"] <= today <= y["end"]]
            self.session = (current or sorted(years, key=lambda y: y["start"]))[-1]

    def _read_roles(self) -> None:
        report, seen = self.report, {}
        self.roles_by_user = defaultdict(list)
        mapping = role_map()
        required = ["sourcedId", "userSourcedId", "role", "orgSourcedId"]
        for line, row in read_csv(self.source, "roles.csv", required, report):
            sid = row.get("sourcedid", "")
            for column in ("sourcedId", "userSourcedId", "role", "orgSourcedId"):
                if not row.get(column.lower()):
                    report.error("roles.csv", line, MISSING_FIELD % {"column": column})
            if not sid or not row.get("usersourcedid") or not row.get("role"):
                continue
            if sid in seen:
                report.error("roles.csv", line, DUPLICATE_ID % {"id": sid, "first": seen[sid]})
                continue
            seen[sid] = line
            role = row["role"].lower()
            if role not in mapping and role not in UNMAPPED_ROLES:
                report.error("roles.csv", line, UNKNOWN_ROLE % {"role": row["role"]})
                continue
            org = row.get("orgsourcedid", "")
            if org and not self._org_known(org):
                report.error("roles.csv", line, UNKNOWN_ORG % {"id": org})
                continue
            if not _is_active(row):
                continue
            self.roles_by_user[row["usersourcedid"]].append(
                (STUDENT if role == STUDENT else mapping.get(role, role), org, line)
            )

    def _org_known(self, sid: str) -> bool:
        if sid in self.orgs:
            return True
        return self.mode("orgs") != "bulk" and sid in self.existing_school_sids

    def school_of(self, org_sid: str) -> str | None:
        """The school sourcedId an org stands for: itself, or the school above a department."""
        seen = set()
        while org_sid and org_sid not in seen:
            seen.add(org_sid)
            org = self.orgs.get(org_sid)
            if org is None:
                return org_sid if org_sid in self.existing_school_sids else None
            if org.type == "school":
                return org_sid
            if org.type != "department":
                return None
            org_sid = org.parent
        return None

    def _read_users(self) -> None:
        report, mapping = self.report, role_map()
        from_roles = self.roles_by_user is not None
        required = ["sourcedId", "givenName", "familyName"]
        if not from_roles:
            required += ["role", "orgSourcedIds"]
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
                report.error("users.csv", line, MISSING_FIELD % {"column": "sourcedId"})
                continue
            if sid in self.user_sids:
                report.error(
                    "users.csv", line, DUPLICATE_ID % {"id": sid, "first": self.user_sids[sid]}
                )
                continue
            self.user_sids[sid] = line
            active = _is_active(row)
            agents = tuple(_split(row.get("agentsourcedids") or row.get("agents", "")))
            if from_roles:
                assignments = [(role, org) for role, org, _line in self.roles_by_user.get(sid, [])]
            else:
                role_value = row.get("role", "")
                orgs = _split(row.get("orgsourcedids", ""))
                if not role_value:
                    report.error("users.csv", line, MISSING_FIELD % {"column": "role"})
                    continue
                role = role_value.lower()
                if role not in mapping and role not in UNMAPPED_ROLES:
                    report.error("users.csv", line, UNKNOWN_ROLE % {"role": role_value})
                    continue
                if not orgs:
                    report.error("users.csv", line, MISSING_FIELD % {"column": "orgSourcedIds"})
                    continue
                unknown = [org for org in orgs if not self._org_known(org)]
                for org in unknown:
                    report.error("users.csv", line, UNKNOWN_ORG % {"id": org})
                if unknown:
                    continue
                role = STUDENT if role == STUDENT else mapping.get(role, role)
                assignments = [(role, org) for org in orgs]

            if assignments and all(role == STUDENT for role, _org in assignments):
                if active:
                    schools = {self.school_of(org) for _role, org in assignments} - {None}
                    self.student_schools[sid] = tuple(sorted(schools))
                for agent in agents:
                    self.students_of_agent[agent].add(sid)
                continue

            name = " ".join(filter(None, [row.get("givenname"), row.get("familyname")])) or sid
            label = f"{name} ({sid})"
            if active:
                missing = [c for c in ("givenName", "familyName") if not row.get(c.lower())]
                for column in missing:
                    report.error("users.csv", line, MISSING_FIELD % {"column": column})
                if missing:
                    continue
            email = row.get("email", "").lower()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    report.error("users.csv", line, BAD_EMAIL % {"email": row.get("email")})
                    continue
            if not active:
                self.people.append(Person(sid, email, name, line, False, None, [], ()))
                continue
            if not email:
                report.warning("users.csv", line, NO_EMAIL % {"name": label})
                continue
            if not assignments:
                report.warning("users.csv", line, NO_ROLE % {"name": label})
                continue
            mapped = [(role, org) for role, org in assignments if role in ACCORD_ROLES]
            if not mapped:
                report.warning(
                    "users.csv", line, UNMAPPED_ROLE % {"name": label, "role": assignments[0][0]}
                )
                continue
            if email in first_by_email:
                other, other_line = first_by_email[email]
                report.warning(
                    "users.csv",
                    line,
                    SHARED_EMAIL
                    % {"name": label, "email": email, "other": other, "line": other_line},
                )
            else:
                first_by_email[email] = (sid, line)
            language = None
            for column in language_columns or []:
                language = language_code(row.get(column, ""))
                if language:
                    break
            self.people.append(Person(sid, email, name, line, True, language, mapped, agents))

    def _check_links(self) -> None:
        """References that can only be checked once every user is read; schools of families."""
        report = self.report
        strict = self.mode("users") == "bulk"
        if self.roles_by_user:
            for user_sid, rows in self.roles_by_user.items():
                if user_sid not in self.user_sids and strict:
                    for _role, _org, line in rows:
                        report.error("roles.csv", line, UNKNOWN_USER % {"id": user_sid})
        kept = []
        for person in self.people:
            if not person.active:
                kept.append(person)
                continue
            unknown = [a for a in person.agents if a not in self.user_sids]
            if unknown and strict:
                for agent in unknown:
                    report.error("users.csv", person.line, UNKNOWN_USER % {"id": agent})
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
                        continue
                school = self.school_of(org)
                if school is not None:
                    schools.append((role, school))
            if not schools:
                report.warning(
                    "users.csv", person.line, NO_SCHOOL % {"name": f"{person.name} ({person.sid})"}
                )
                continue
            person.assignments = sorted(set(schools))
            kept.append(person)
        self.people = kept

    # --- planning and writing ---------------------------------------------------------

    def run(self, *, apply: bool) -> Report:
        try:
            self.read()
        except ExportRefused as refused:
            self.report.error("", None, refused.message)
        if apply and self.report.has_errors:
            return self.report
        try:
            with transaction.atomic():
                # Bulk writes send no signals: the dashboard's figures and the schools'
                # cached pages (names of schools and people) follow on commit.
                rollups.mark_dirty(district_id=self.district.pk)
                self._write(apply)
                if not apply:
                    transaction.set_rollback(True)
        except ExportRefused as refused:
            self.report.error("", None, refused.message)
            return self.report
        self.report.applied = apply
        self.progress(100)
        return self.report

    def _write(self, apply: bool) -> None:
        self.apply = apply
        self._placeholder = 0
        if self.orgs and not self.district.sourced_id:
            district_orgs = [sid for sid, org in self.orgs.items() if org.type == "district"]
            if len(district_orgs) == 1 and apply:
                District.objects.filter(pk=self.district.pk).update(sourced_id=district_orgs[0])
        self._write_schools()
        self._write_year()
        self.progress(45)
        self._write_people()

    def _new_id(self) -> int:
        self._placeholder -= 1
        return self._placeholder

    def _write_schools(self) -> None:
        counts = self.report.counts
        existing = {
            s.sourced_id: s
            for s in School.objects.filter(district=self.district).exclude(sourced_id="")
        }
        student_counts: Counter = Counter()
        for schools in self.student_schools.values():
            student_counts.update(schools)
        taken = set(School.objects.values_list("slug", flat=True))
        to_create, to_update = [], []
        self.school_ids: dict[str, int] = {}
        for sid, org in self.orgs.items():
            if org.type != "school":
                continue
            school = existing.get(sid)
            if school is None:
                if not org.active:
                    continue
                school = School(
                    district=self.district,
                    name=org.name or sid,
                    slug=self._slug(org.name or sid, taken),
                    sourced_id=sid,
                    languages=list(self.district.languages),
                    student_count=student_counts.get(sid, 0),
                )
                to_create.append(school)
                counts["schools_created"] += 1
                continue
            changed = []
            if org.name and school.name != org.name:
                school.name = org.name
                changed.append("name")
            if school.is_active != org.active:
                school.is_active = org.active
                changed.append("is_active")
                counts["schools_deactivated" if not org.active else "schools_updated"] += 1
            elif changed:
                counts["schools_updated"] += 1
            if school.student_count != student_counts.get(sid, 0):
                school.student_count = student_counts.get(sid, 0)
                changed.append("student_count")
            if changed:
                to_update.append(school)
        if self.mode("orgs") == "bulk":
            for sid, school in existing.items():
                if sid not in self.orgs and school.is_active:
                    school.is_active = False
                    to_update.append(school)
                    counts["schools_deactivated"] += 1
        if self.apply:
            School.objects.bulk_create(to_create)
            School.objects.bulk_update(to_update, ["name", "is_active", "student_count"])
        for school in to_create:
            self.school_ids[school.sourced_id] = school.pk or self._new_id()
        for sid, school in existing.items():
            self.school_ids[sid] = school.pk
        self.school_language = {
            school.sourced_id: (school.languages or [settings.LANGUAGE_CODE])[0]
            for school in [*existing.values(), *to_create]
        }

    @staticmethod
    def _slug(name: str, taken: set[str]) -> str:
        base = slugify(name)[:70].strip("-") or "school"
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        return slug

    def _write_year(self) -> None:
        counts = self.report.counts
        self.year_id = (
            SchoolYear.objects.filter(district=self.district, is_current=True)
            .values_list("pk", flat=True)
            .first()
        )
        if not self.session:
            return
        session = self.session
        start, end = session["start"], session["end"]
        if re.fullmatch(r"\d{4}", session["year"]):
            year = int(session["year"])
            label = f"{year - 1}-{year % 100:02d}"
        elif start.year != end.year:
            label = f"{start.year}-{end.year % 100:02d}"
        else:
            label = str(start.year)
        years = SchoolYear.objects.filter(district=self.district)
        year = years.filter(sourced_id=session["sid"]).first() or years.filter(label=label).first()
        if year is None:
            counts["school_years_created"] += 1
            year = SchoolYear(district=self.district, label=label, sourced_id=session["sid"])
        elif (year.start, year.end, year.is_current, year.sourced_id) != (
            start,
            end,
            True,
            session["sid"],
        ):
            counts["school_years_updated"] += 1
        else:
            self.year_id = year.pk
            return
        year.start, year.end, year.is_current, year.sourced_id = start, end, True, session["sid"]
        if self.apply:
            years.filter(is_current=True).exclude(pk=year.pk).update(is_current=False)
            year.save()
        self.year_id = year.pk or self._new_id()

    def _write_people(self) -> None:
        counts = self.report.counts
        district = self.district
        sid_user: dict[str, int] = dict(
            Membership.objects.filter(district=district)
            .exclude(sourced_id="")
            .order_by("id")
            .values_list("sourced_id", "user_id")
        )
        email_user: dict[str, int] = {}
        created_memberships: set[tuple[int, str, int]] = set()
        deactivated: set[int] = set()
        done, total = 0, max(len(self.people), 1)
        for chunk in chunks(self.people):
            emails = {p.email for p in chunk if p.email and p.email not in email_user}
            if emails:
                email_user.update(User.objects.filter(email__in=emails).values_list("email", "id"))
            known_ids = {
                uid
                for p in chunk
                for uid in (sid_user.get(p.sid), email_user.get(p.email))
                if uid and uid > 0
            }
            users = User.objects.only("id", "email", "full_name").in_bulk(known_ids)
            new_users, changed_users = [], {}
            pending: dict[str, User] = {}
            person_user: list[tuple[Person, int | User]] = []
            for person in chunk:
                uid = sid_user.get(person.sid) or email_user.get(person.email)
                if not person.active:
                    if uid:
                        person_user.append((person, uid))
                    continue
                if person.email in pending:  # a second record with the same e-mail
                    person_user.append((person, pending[person.email]))
                    continue
                if uid is None:
                    first_school = person.assignments[0][1]
                    user = User(
                        email=person.email,
                        full_name=person.name[:150],
                        preferred_language=person.language
                        or self.school_language.get(first_school, settings.LANGUAGE_CODE),
                        # Unusable, as make_password(None) makes it, at a tenth of the cost.
                        password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                    )
                    new_users.append(user)
                    pending[person.email] = user
                    person_user.append((person, user))
                    counts["people_created"] += 1
                    continue
                if uid < 0:  # made earlier in this preview, which saves nothing
                    person_user.append((person, uid))
                    continue
                user = changed_users.get(uid) or users.get(uid)
                if user is not None and sid_user.get(person.sid) == uid:
                    changed = False
                    if person.name and user.full_name != person.name[:150]:
                        user.full_name = person.name[:150]
                        changed = True
                    if user.email != person.email:
                        owner = email_user.get(person.email)
                        if owner and owner != uid:
                            self.report.warning(
                                "users.csv", person.line, EMAIL_TAKEN % {"email": person.email}
                            )
                        else:
                            email_user.pop(user.email, None)
                            user.email = person.email
                            email_user[person.email] = uid
                            changed = True
                    if changed and uid not in changed_users:
                        changed_users[uid] = user
                        counts["people_updated"] += 1
                person_user.append((person, uid))
            if self.apply:
                User.objects.bulk_create(new_users)
                User.objects.bulk_update(list(changed_users.values()), ["email", "full_name"])
            for user in new_users:
                user_id = user.pk or self._new_id()
                user.pk = user_id
                email_user[user.email] = user_id
            resolved = [(person, u.pk if isinstance(u, User) else u) for person, u in person_user]
            self._write_memberships(resolved, created_memberships, deactivated)
            for person, uid in resolved:
                sid_user.setdefault(person.sid, uid)
            done += len(chunk)
            self.progress(45 + int(50 * done / total))

        if self.mode("users") == "bulk":
            missing = [
                pk
                for pk, sid in Membership.objects.filter(district=district, is_active=True)
                .exclude(sourced_id="")
                .values_list("id", "sourced_id")
                .iterator(chunk_size=CHUNK)
                if sid not in self.user_sids and pk not in deactivated
            ]
            counts["memberships_deactivated"] += len(missing)
            if self.apply:
                for ids in chunks(missing):
                    Membership.objects.filter(pk__in=ids).update(is_active=False)
        counts["students"] = len(self.student_schools)

    def _write_memberships(
        self,
        resolved: list[tuple[Person, int]],
        created: set[tuple[int, str, int]],
        deactivated: set[int],
    ) -> None:
        counts = self.report.counts
        user_ids = {uid for _person, uid in resolved if uid and uid > 0}
        existing: dict[int, dict[tuple[str, int], tuple[int, bool, str]]] = defaultdict(dict)
        if user_ids:
            rows = Membership.objects.filter(
                district=self.district, user_id__in=user_ids, school__isnull=False
            ).values_list("id", "user_id", "role", "school_id", "is_active", "sourced_id")
            for pk, uid, role, school_id, is_active, sid in rows:
                existing[uid][(role, school_id)] = (pk, is_active, sid)
        to_create, to_reactivate, to_claim, to_deactivate = [], [], {}, []
        for person, uid in resolved:
            mine = existing.get(uid, {})
            wanted = set()
            if person.active:
                for role, school_sid in person.assignments:
                    school_id = self.school_ids.get(school_sid)
                    if school_id is None:
                        continue
                    wanted.add((role, school_id))
                    found = mine.get((role, school_id))
                    promoted = mine.get((Role.TEACHER_LEADER, school_id))
                    if role == Role.STAFF and promoted and promoted[1]:
                        continue  # promoted by a district admin: the promotion stands
                    if found is None:
                        key = (uid, role, school_id)
                        if key in created:
                            continue
                        created.add(key)
                        to_create.append(
                            Membership(
                                user_id=uid,
                                role=role,
                                district=self.district,
                                school_id=school_id,
                                school_year_id=self.year_id,
                                sourced_id=person.sid,
                            )
                        )
                    elif not found[1]:
                        to_reactivate.append(found[0])
                        mine[(role, school_id)] = (found[0], True, person.sid)
                    elif not found[2]:
                        to_claim[found[0]] = person.sid
            for (role, school_id), (pk, is_active, sid) in mine.items():
                if not is_active or sid != person.sid or pk in deactivated:
                    continue
                if (role, school_id) in wanted:
                    continue
                if role == Role.TEACHER_LEADER and (Role.STAFF, school_id) in wanted:
                    continue
                to_deactivate.append(pk)
                deactivated.add(pk)
        counts["memberships_created"] += len(to_create)
        counts["memberships_reactivated"] += len(to_reactivate)
        counts["memberships_deactivated"] += len(to_deactivate)
        if not self.apply:
            return
        Membership.objects.bulk_create(to_create)
        if to_reactivate:
            Membership.objects.filter(pk__in=to_reactivate).update(
                is_active=True, school_year_id=self.year_id
            )
        if to_deactivate:
            Membership.objects.filter(pk__in=to_deactivate).update(is_active=False)
        for pk, sid in to_claim.items():
            Membership.objects.filter(pk=pk).update(sourced_id=sid)
