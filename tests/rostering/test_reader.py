"""The reader alone: an export in, typed records and problems (file, line) out.

No test here may touch the database (none is marked django_db, so pytest-django refuses any
query): what the reader knows of the district comes only through its DistrictSnapshot.
"""

import io
from datetime import date

from leadership.models import Role
from rostering.reader import DistrictSnapshot, ExportReader, Problem, SchoolYearSession
from rostering.source import ZipSource

from .conftest import SESSIONS, USERS_ROWS, base_files, users_csv, zip_bytes

TODAY = date(2026, 9, 1)


def read(files, **snapshot):
    district = DistrictSnapshot(**{"sourced_id": "", "today": TODAY, **snapshot})
    reader = ExportReader(source=ZipSource(io.BytesIO(zip_bytes(files))), district=district)
    return reader.read(), reader.report


def errors(report) -> list[tuple[str, int | None, str]]:
    return [(p.file, p.line, p.message) for p in report.errors]


def test_the_base_export_reads_into_typed_records():
    export, report = read(base_files())
    assert report.errors == []
    assert {sid: (org.type, org.name) for sid, org in export.orgs.items()} == {
        "d1": ("district", "Riverside District"),
        "s1": ("school", "Maple Elementary"),
        "s2": ("school", "Oak Middle"),
        "dep1": ("department", "Science Department"),
    }
    assert export.session == SchoolYearSession("sy1", date(2026, 8, 17), date(2027, 6, 11), "2027")
    # The teacher of a department belongs to its school; a family to their children's schools.
    assert [(p.sid, p.email, p.line, p.assignments) for p in export.people] == [
        ("t1", "tess@maple.example", 2, [(Role.STAFF, "s1")]),
        ("a1", "al@maple.example", 3, [(Role.PRINCIPAL, "s1")]),
        ("t2", "dora@oak.example", 4, [(Role.STAFF, "s2")]),
        ("p1", "pat@home.example", 7, [(Role.FAMILY, "s1"), (Role.FAMILY, "s2")]),
    ]
    assert export.student_schools == {"st1": ("s1", "s2"), "st2": ("s2",)}
    assert export.mode("users.csv") == "bulk"
    # Gil has no e-mail address: told, with the file and line, and left out.
    assert [(p.severity, p.file, p.line, p.params) for p in report.warnings] == [
        ("warning", "users.csv", 8, {"name": "Gil Guardian (p2)"})
    ]


def test_a_bad_line_is_a_problem_with_its_file_and_line_and_the_rest_still_reads():
    rows = [*USERS_ROWS, "t9,active,,TRUE,s1,teacher,t9,,Ned,New,,,ned@@maple,,,,,"]
    export, report = read(base_files(**{"users.csv": users_csv(rows)}))
    assert report.errors == [
        Problem(
            "error",
            "users.csv",
            9,
            "“%(email)s” is not a valid e-mail address.",
            {"email": "ned@@maple"},
        )
    ]
    assert errors(report) == [("users.csv", 9, "“ned@@maple” is not a valid e-mail address.")]
    assert [p.sid for p in export.people] == ["t1", "a1", "t2", "p1"]


def test_a_parent_session_is_known_only_through_the_snapshot():
    sessions = SESSIONS + "t1,active,,Fall,term,2026-08-17,2026-12-18,sy0,2027\n"
    files = base_files(**{"academicSessions.csv": sessions})
    _export, report = read(files)
    assert errors(report) == [
        (
            "academicSessions.csv",
            3,
            "The parent session “sy0” is neither in academicSessions.csv nor a school year "
            "already in the district: add it, or correct parentSourcedId, and upload the "
            "export again.",
        )
    ]
    _export, report = read(files, year_sids=frozenset({"sy0"}))
    assert errors(report) == []


def test_a_school_of_the_district_is_known_only_through_the_snapshot_when_orgs_is_partial():
    manifest = base_files()["manifest.csv"].replace("file.orgs,bulk", "file.orgs,absent")
    rows = ["t1,active,,TRUE,s7,teacher,t1,,Tess,Teacher,,,tess@maple.example,,,,,"]
    files = base_files(**{"manifest.csv": manifest, "orgs.csv": None, "users.csv": users_csv(rows)})
    export, report = read(files, school_sids=frozenset({"s7"}))
    assert errors(report) == []
    assert [(p.sid, p.assignments) for p in export.people] == [("t1", [(Role.STAFF, "s7")])]
    _export, report = read(files)
    assert errors(report) == [
        (
            "users.csv",
            2,
            "“s7” is neither an org of this export nor a school already in the district: add "
            "the org to orgs.csv, or correct the reference, and upload the export again.",
        )
    ]


def test_the_current_school_year_is_the_one_around_the_snapshots_today():
    sessions = SESSIONS + "sy2,active,,Next,schoolYear,2027-08-16,2028-06-09,,2028\n"
    files = base_files(**{"academicSessions.csv": sessions})
    assert read(files)[0].session.sid == "sy1"
    assert read(files, today=date(2027, 9, 1))[0].session.sid == "sy2"
