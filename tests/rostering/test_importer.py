"""The import itself: the real exports, mapping, matching by sourcedId, updates, bad input."""

import csv
import io
import shutil

import pytest
from django.utils import translation

from leadership.models import Membership, Role, School, SchoolYear, User
from rostering import reader
from rostering.importer import RosterRun
from rostering.source import FolderSource
from tests.leadership.factories import SchoolYearFactory, person

from .conftest import FIXTURES, USERS_HEADER, USERS_ROWS, users_csv

pytestmark = pytest.mark.django_db


def run(district, folder, apply=True):
    return RosterRun(district=district, source=FolderSource(folder)).run(apply=apply)


def problems(report, severity="error"):
    return [(p.file, p.line, p.message) for p in report.problems if p.severity == severity]


# --- the real exports ----------------------------------------------------------------


def test_catalyst_minimal_v1p1_is_refused_as_nobody_could_be_imported(world):
    report = run(world.district, FIXTURES / "v1p1-catalyst-minimal")
    assert report.version == "1.1"
    # Every person points at a department with no school above it, and no one has an
    # e-mail: all three are skipped, which makes the export an error, not "applied".
    assert problems(report) == [
        ("users.csv", None, str(reader.EVERYONE_SKIPPED % {"count": 3})),
    ]
    assert not report.applied
    warnings = problems(report, "warning")
    assert (
        "orgs.csv",
        2,
        str(reader.DEPARTMENT_WITHOUT_SCHOOL % {"name": "History Department"}),
    ) in warnings
    assert (
        "users.csv",
        2,
        str(reader.NO_EMAIL % {"name": "John Doe (usr-222-123456)"}),
    ) in warnings
    assert not SchoolYear.objects.filter(district=world.district).exists()
    assert not School.objects.filter(district=world.district).exclude(sourced_id="").exists()


def test_oat_sa_v1p1_is_refused_for_its_two_departures_from_the_binding(world):
    errors = errors_of(world.district, FIXTURES / "v1p1-oat-sa-base")
    assert errors == [
        (
            "orgs.csv",
            2,
            str(
                reader.BAD_DATETIME % {"value": "2017-05-06 08:01:05", "column": "dateLastModified"}
            ),
        ),
        ("academicSessions.csv", 1, str(reader.MISSING_COLUMN % {"column": "schoolYear"})),
    ]


def test_oat_sa_v1p1_with_ext_columns_and_header_only_files(world, tmp_path):
    # The same export with its two departures corrected: vendor ext_ columns, "agents" for
    # agentSourcedIds, columns in another order and header-only files all read fine.
    folder = tmp_path / "oat"
    shutil.copytree(FIXTURES / "v1p1-oat-sa-base", folder)
    orgs = folder / "orgs.csv"
    orgs.write_text(orgs.read_text().replace("2017-05-06 08:01:05", "2017-05-06T08:01:05"))
    sessions = folder / "academicSessions.csv"
    sessions.write_text(sessions.read_text().rstrip("\r\n") + ",schoolYear\n")
    report = run(world.district, folder)
    assert problems(report) == []
    schools = School.objects.filter(district=world.district).exclude(sourced_id="")
    assert {(s.sourced_id, s.name, s.student_count) for s in schools} == {
        ("12345", "School 1", 1),
        ("54321", "School 2", 1),
    }
    assert ("academicSessions.csv", None, str(reader.NO_SCHOOL_YEAR)) in problems(report, "warning")


def test_catalyst_v1p2_with_roles_csv_and_crlf(world):
    report = run(world.district, FIXTURES / "v1p2-catalyst-test-data")
    assert report.version == "1.2"
    assert problems(report) == []
    school = School.objects.get(district=world.district, sourced_id="ORG_1")
    assert (school.name, school.student_count, school.slug) == (
        "Gotham High School",
        1,
        "gotham-high-school",
    )
    # Bruce Wayne is a student: counted, never made a user.
    assert not User.objects.filter(full_name="Bruce Wayne").exists()
    assert not Membership.objects.filter(sourced_id="USER_0").exists()


# --- mapping -------------------------------------------------------------------------


def roles_of(district):
    return sorted(
        (m.user.email, m.role, m.school.sourced_id, m.is_active)
        for m in Membership.objects.filter(district=district, school__isnull=False)
        .exclude(sourced_id="")
        .select_related("user", "school")
    )


def test_mapping_of_a_v1p1_export(world, export_dir):
    report = run(world.district, export_dir())
    assert problems(report) == []
    assert roles_of(world.district) == [
        ("al@maple.example", Role.PRINCIPAL, "s1", True),
        ("dora@oak.example", Role.STAFF, "s2", True),  # her department is in Oak Middle
        ("pat@home.example", Role.FAMILY, "s1", True),  # the schools of the students
        ("pat@home.example", Role.FAMILY, "s2", True),
        ("tess@maple.example", Role.STAFF, "s1", True),
    ]
    counts = dict(report.counts)
    assert counts["schools_created"] == 2
    assert counts["people_created"] == 4
    assert counts["memberships_created"] == 5
    assert counts["school_years_created"] == 1
    assert {s.sourced_id: s.student_count for s in School.objects.exclude(sourced_id="")} == {
        "s1": 1,
        "s2": 2,
    }
    year = SchoolYear.objects.get(district=world.district, is_current=True)
    assert year.label == "2026-27"
    assert Membership.objects.filter(sourced_id="t1", school_year=year).exists()
    gil = str(reader.NO_EMAIL % {"name": "Gil Guardian (p2)"})
    assert ("users.csv", 8, gil) in problems(report, "warning")
    assert not User.objects.filter(full_name="Sam Student").exists()


def test_role_map_is_configurable(world, export_dir, settings):
    settings.ROSTER_ROLE_MAP = {**reader.DEFAULT_ROLE_MAP, "administrator": Role.STAFF}
    run(world.district, export_dir())
    assert Membership.objects.get(sourced_id="a1").role == Role.STAFF


def test_preview_counts_and_changes_nothing(world, export_dir):
    before = (User.objects.count(), Membership.objects.count(), School.objects.count())
    report = run(world.district, export_dir(), apply=False)
    assert dict(report.counts)["memberships_created"] == 5
    assert not report.applied
    assert (User.objects.count(), Membership.objects.count(), School.objects.count()) == before


def test_the_same_export_twice_changes_nothing(world, export_dir):
    folder = export_dir()
    run(world.district, folder)
    state = roles_of(world.district)
    again = run(world.district, folder)
    assert {k: v for k, v in again.counts.items() if v and k != "students"} == {}
    assert roles_of(world.district) == state


def test_a_later_export_updates_names_emails_and_roles(world, export_dir):
    run(world.district, export_dir())
    tess = User.objects.get(email="tess@maple.example")
    rows = [r for r in USERS_ROWS if not r.startswith("t1,")]
    rows.append("t1,active,,TRUE,s1,administrator,t1,,Tess,Newname,,,tess.new@maple.example,,,,,")
    report = run(world.district, export_dir(**{"users.csv": users_csv(rows)}))
    assert problems(report) == []
    tess.refresh_from_db()
    assert (tess.email, tess.full_name) == ("tess.new@maple.example", "Tess Newname")
    assert sorted(tess.memberships.values_list("role", "is_active")) == [
        (Role.PRINCIPAL, True),
        (Role.STAFF, False),
    ]
    assert report.counts["people_updated"] == 1


def test_tobedeleted_and_missing_people_are_deactivated_not_deleted(world, export_dir):
    run(world.district, export_dir())
    rows = [r for r in USERS_ROWS if not r.startswith(("t1,", "a1,"))]
    rows.append("t1,tobedeleted,,TRUE,s1,teacher,t1,,Tess,Teacher,,,tess@maple.example,,,,,")
    report = run(world.district, export_dir(**{"users.csv": users_csv(rows)}))
    assert problems(report) == []
    assert report.counts["memberships_deactivated"] == 2
    assert Membership.objects.get(sourced_id="t1").is_active is False
    assert Membership.objects.get(sourced_id="a1").is_active is False  # missing from bulk
    assert User.objects.filter(email="al@maple.example").exists()
    # Coming back reactivates the same membership.
    run(world.district, export_dir())
    assert Membership.objects.filter(sourced_id="t1", is_active=True).count() == 1


def test_a_delta_export_deactivates_nobody_missing(world, export_dir):
    run(world.district, export_dir())
    manifest = "propertyName,value\noneroster.version,1.1\nfile.users,delta\nfile.orgs,absent\n"
    # A delta file gives status and dateLastModified on every line.
    rows = [
        r.replace("t1,active,,", "t1,active,2026-09-01T10:00:00Z,")
        for r in USERS_ROWS
        if r.startswith("t1,")
    ]
    report = run(
        world.district,
        export_dir(**{"manifest.csv": manifest, "users.csv": users_csv(rows), "orgs.csv": None}),
    )
    assert problems(report) == []
    assert Membership.objects.filter(sourced_id="a1", is_active=True).exists()


def test_a_promotion_to_teacher_leader_survives_the_next_import(world, export_dir):
    folder = export_dir()
    run(world.district, folder)
    Membership.objects.filter(sourced_id="t1").update(role=Role.TEACHER_LEADER)
    report = run(world.district, folder)
    assert report.counts["memberships_created"] == 0
    assert report.counts["memberships_deactivated"] == 0
    assert Membership.objects.get(sourced_id="t1").role == Role.TEACHER_LEADER


def test_an_existing_account_is_matched_by_email(world, export_dir):
    existing = person(Role.STAFF, school=world.school, email="tess@maple.example")
    run(world.district, export_dir())
    assert Membership.objects.get(sourced_id="t1").user == existing


def test_the_imported_year_becomes_the_current_one(world, export_dir):
    old = SchoolYearFactory(district=world.district, label="2025-26", is_current=True)
    old.start, old.end = old.start.replace(year=2025), old.end.replace(year=2026)
    old.save()
    run(world.district, export_dir())
    old.refresh_from_db()
    assert old.is_current is False
    assert SchoolYear.objects.get(district=world.district, is_current=True).label == "2026-27"


def test_preferred_language_comes_from_the_export(world, export_dir):
    header = USERS_HEADER + ",ext_preferredLanguage"
    rows = [r + ("," + ("es" if r.startswith("p1,") else "")) for r in USERS_ROWS]
    run(world.district, export_dir(**{"users.csv": users_csv(rows, header)}))
    assert User.objects.get(email="pat@home.example").preferred_language == "es"
    assert User.objects.get(email="tess@maple.example").preferred_language == "en"


@pytest.mark.parametrize("written", ["vi", "vie", "Vietnamese", "Tiếng Việt", "vi-VN"])
def test_every_language_accord_speaks_is_read_however_the_export_writes_it(written):
    assert reader.language_code(written) == "vi"
    assert reader.language_code("Klingon") is None


def test_bom_crlf_columns_in_any_order_and_quoted_values(world, export_dir):
    rows = list(csv.reader([USERS_HEADER, *USERS_ROWS]))
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows([list(reversed(row)) for row in rows])
    text = "\ufeff" + out.getvalue()
    report = run(world.district, export_dir(**{"users.csv": text}))
    assert problems(report) == []
    assert report.counts["people_created"] == 4


# --- bad input -------------------------------------------------------------------------


def errors_of(district, folder):
    before = (User.objects.count(), Membership.objects.count(), School.objects.count())
    report = run(district, folder)
    assert not report.applied
    after = (User.objects.count(), Membership.objects.count(), School.objects.count())
    assert after == before, "an export with errors changed something"
    return problems(report)


def test_a_misspelt_required_column_names_file_and_column(world, export_dir):
    header = USERS_HEADER.replace("givenName", "givenNme")
    errors = errors_of(world.district, export_dir(**{"users.csv": users_csv(header=header)}))
    message = reader.MISSPELT_COLUMN % {"column": "givenName", "found": "givenNme"}
    assert errors == [("users.csv", 1, str(message))]


def test_a_missing_required_file(world, export_dir):
    errors = errors_of(world.district, export_dir(**{"orgs.csv": None}))
    missing = reader.MANIFEST_LISTS_MISSING % {"file": "orgs.csv", "mode": "bulk"}
    assert ("orgs.csv", None, str(missing)) in errors


def test_a_missing_manifest(world, export_dir):
    errors = errors_of(world.district, export_dir(**{"manifest.csv": None}))
    assert errors == [("manifest.csv", None, str(reader.NO_FILE % {"file": "manifest.csv"}))]


def test_row_errors_carry_file_and_line(world, export_dir):
    rows = [
        *USERS_ROWS,
        "x1,active,,TRUE,nowhere,teacher,x1,,Xavier,X,,,x@maple.example,,,,,",
        "x2,active,,TRUE,s1,teacher,x2,,Bad,Mail,,,not-an-email,,,,,",
        "t1,active,,TRUE,s1,teacher,t1,,Dup,Licate,,,dup@maple.example,,,,,",
        ",active,,TRUE,s1,teacher,,,No,Id,,,noid@maple.example,,,,,",
        "x3,active,,TRUE,s1,wizard,x3,,Wiz,Ard,,,wiz@maple.example,,,,,",
    ]
    sessions = (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,schoolYear\n"
        "sy1,,,Year,schoolYear,17/08/2026,2027-06-11,2027\n"
    )
    errors = errors_of(
        world.district,
        export_dir(**{"users.csv": users_csv(rows), "academicSessions.csv": sessions}),
    )
    assert errors == [
        (
            "academicSessions.csv",
            2,
            str(reader.BAD_DATE % {"value": "17/08/2026", "column": "startDate"}),
        ),
        ("users.csv", 9, str(reader.UNKNOWN_ORG % {"id": "nowhere"})),
        ("users.csv", 10, str(reader.BAD_EMAIL % {"email": "not-an-email"})),
        ("users.csv", 11, str(reader.DUPLICATE_ID % {"id": "t1", "first": 2})),
        ("users.csv", 12, str(reader.MISSING_FIELD % {"column": "sourcedId"})),
        ("users.csv", 13, str(reader.UNKNOWN_ROLE % {"role": "wizard"})),
    ]


def test_an_unknown_agent_is_an_error(world, export_dir):
    rows = [*USERS_ROWS, "p9,active,,TRUE,s1,parent,p9,,Pa,Nine,,,p9@home.example,,,ghost,,"]
    errors = errors_of(world.district, export_dir(**{"users.csv": users_csv(rows)}))
    assert errors == [("users.csv", 9, str(reader.UNKNOWN_USER % {"id": "ghost"}))]


def test_not_utf8(world, export_dir):
    text = users_csv().encode("utf-8").replace(b"Tess", b"T\xe9ss")
    errors = errors_of(world.district, export_dir(**{"users.csv": text}))
    assert errors and errors[0][0] == "users.csv"
    assert errors[0][2] == str(reader.NOT_UTF8)


def test_messages_are_kept_untranslated_and_read_in_the_readers_language(world, export_dir):
    header = USERS_HEADER.replace("givenName", "givenNme")
    with translation.override("es"):
        report = run(world.district, export_dir(**{"users.csv": users_csv(header=header)}))
    problem = report.errors[0]
    assert problem.as_list()[3:] == [
        reader.msgid_of(reader.MISSPELT_COLUMN),
        {"column": "givenName", "found": "givenNme"},
    ]
    with translation.override("en"):
        assert problem.message.startswith("The required column “givenName” is missing")
    rows = [*USERS_ROWS, "x2,active,,TRUE,s1,teacher,x2,,Bad,Mail,,,not-an-email,,,,,"]
    report = run(world.district, export_dir(**{"users.csv": users_csv(rows)}))
    with translation.override("es"):
        spanish = report.errors[0].message
        assert spanish == str(reader.BAD_EMAIL % {"email": "not-an-email"})
    assert spanish != str(reader.BAD_EMAIL % {"email": "not-an-email"})  # English now
