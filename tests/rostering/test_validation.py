"""A defective export is refused whole: each problem named with file and line in the preview,
apply refused, nothing written. Through the upload and apply pages, as an admin uses them."""

import html as html_lib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from leadership.models import Membership, School, SchoolYear, User
from rostering import reader, services
from rostering.models import RosterImport
from tests.leadership.factories import SchoolYearFactory

from .conftest import ORGS, SESSIONS, USERS_HEADER, USERS_ROWS, base_files, users_csv, zip_bytes

pytestmark = pytest.mark.django_db(transaction=True)

MANIFEST_12 = """propertyName,value
manifest.version,1.0
oneroster.version,1.2
file.academicSessions,bulk
file.orgs,bulk
file.users,bulk
file.roles,bulk
"""
USERS_12_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,primaryOrgSourcedId"
)
USERS_12_ROWS = [
    "t1,active,2026-08-01T09:00:00Z,true,t1,,Tess,Teacher,,,tess@maple.example,,,,,,s1",
    "st1,active,2026-08-01T09:00:00Z,true,st1,,Sam,Student,,,,,,p1,3,,s1",
    "p1,active,2026-08-01T09:00:00Z,true,p1,,Pat,Parent,,,pat@home.example,,,st1,,,",
]
ROLES_HEADER = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId"
)
ROLES_ROWS = [
    "r1,active,2026-08-01T09:00:00Z,t1,primary,teacher,2026-08-17,,s1,",
    "r2,active,2026-08-01T09:00:00Z,st1,primary,student,,,s1,",
    "r3,active,2026-08-01T09:00:00Z,p1,primary,guardian,,,s1,",
]


def v12_files(users=None, roles=None, **overrides) -> dict[str, str]:
    files = {
        "manifest.csv": MANIFEST_12,
        "academicSessions.csv": SESSIONS,
        "orgs.csv": ORGS,
        "users.csv": "\n".join([USERS_12_HEADER, *(users or USERS_12_ROWS)]) + "\n",
        "roles.csv": "\n".join([ROLES_HEADER, *(roles or ROLES_ROWS)]) + "\n",
    }
    files.update(overrides)
    return {name: text for name, text in files.items() if text is not None}


def msg(template, **params) -> str:
    return str(template % params if params else template)


def detail_url(world, roster_import):
    return reverse(
        "rostering:import_detail",
        kwargs={"slug": world.district.slug, "pk": roster_import.pk},
    )


def apply_url(world, roster_import):
    return reverse(
        "rostering:import_apply",
        kwargs={"slug": world.district.slug, "pk": roster_import.pk},
    )


def state(district):
    return (
        User.objects.count(),
        Membership.objects.count(),
        School.objects.filter(district=district).count(),
        SchoolYear.objects.filter(district=district).count(),
    )


def upload_and_try_to_apply(client, world, files):
    """Upload, read the preview, press apply; returns (import, preview page text, apply page
    text) and checks that nothing was written."""
    client.force_login(world.district_admin)
    before = state(world.district)
    upload = SimpleUploadedFile("export.zip", zip_bytes(files), "application/zip")
    client.post(
        reverse("rostering:imports", kwargs={"slug": world.district.slug}),
        {"files": [upload]},
    )
    roster_import = RosterImport.objects.get()
    page = html_lib.unescape(client.get(detail_url(world, roster_import)).content.decode())
    response = client.post(apply_url(world, roster_import), follow=True)
    applied_page = html_lib.unescape(response.content.decode())
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.INVALID
    assert state(world.district) == before, "a refused export changed something"
    assert str(services.CANNOT_APPLY_ERRORS) in applied_page
    assert "Apply the export" not in page
    return roster_import, page


def row_of(page: str, file: str, line, message: str) -> bool:
    """The preview's problem table has a row with this file, line and message."""
    cells = (
        f'<td data-label="File">{file}</td>\n          <td data-label="Line">{line}</td>\n'
        f'          <td data-label="Problem">{message}</td>'
    )
    return cells in page


V11_CASES = {
    "misspelt required column": (
        {"users.csv": users_csv(header=USERS_HEADER.replace("givenName", "givenNme"))},
        ("users.csv", 1, msg(reader.MISSPELT_COLUMN, column="givenName", found="givenNme")),
    ),
    "missing status column": (
        {"orgs.csv": ORGS.replace("sourcedId,status,", "sourcedId,").replace("active,", "")},
        ("orgs.csv", 1, msg(reader.MISSING_RECORD_COLUMN, column="status")),
    ),
    "missing dateLastModified column": (
        {
            "users.csv": "\n".join(
                [
                    USERS_HEADER.replace("dateLastModified,", ""),
                    *(r.replace(",active,,", ",active,", 1) for r in USERS_ROWS),
                ]
            )
        },
        ("users.csv", 1, msg(reader.MISSING_RECORD_COLUMN, column="dateLastModified")),
    ),
    "missing schoolYear column": (
        {"academicSessions.csv": SESSIONS.replace(",schoolYear", "").replace(",,2027\n", ",\n")},
        ("academicSessions.csv", 1, msg(reader.MISSING_COLUMN, column="schoolYear")),
    ),
    "date not ISO 8601": (
        {"academicSessions.csv": SESSIONS.replace("2026-08-17", "08/17/2026")},
        (
            "academicSessions.csv",
            2,
            msg(reader.BAD_DATE, value="08/17/2026", column="startDate"),
        ),
    ),
    "date-time not ISO 8601": (
        {"orgs.csv": ORGS.replace("s1,active,,", "s1,active,2026-08-01 10:00,")},
        (
            "orgs.csv",
            3,
            msg(reader.BAD_DATETIME, value="2026-08-01 10:00", column="dateLastModified"),
        ),
    ),
    "unknown status": (
        {"orgs.csv": ORGS.replace("s2,active,", "s2,deleted,")},
        ("orgs.csv", 4, msg(reader.BAD_STATUS, value="deleted")),
    ),
    "parent org not in the export": (
        {
            "orgs.csv": ORGS.replace(
                "s1,active,,Maple Elementary,school,,d1", "s1,active,,Maple Elementary,school,,d9"
            )
        },
        ("orgs.csv", 3, msg(reader.UNKNOWN_PARENT_ORG, id="d9")),
    ),
    "user org not in the export": (
        {"users.csv": users_csv([*USERS_ROWS[:1], USERS_ROWS[1].replace(",s1,", ",s7,")])},
        ("users.csv", 3, msg(reader.UNKNOWN_ORG, id="s7")),
    ),
    "a family's agent not in the export": (
        {"users.csv": users_csv([*USERS_ROWS[:5], USERS_ROWS[5].replace(",st1,", ",st9,")])},
        ("users.csv", 7, msg(reader.UNKNOWN_USER, id="st9")),
    ),
    "a student's agent not in the export": (
        {"users.csv": users_csv([r.replace('"p1,p2"', '"p1,p8"') for r in USERS_ROWS])},
        ("users.csv", 5, msg(reader.UNKNOWN_USER, id="p8")),
    ),
    "session parent not in the export": (
        {"academicSessions.csv": SESSIONS + "t1,,,Fall,term,2026-08-17,2026-12-18,sy9,2027\n"},
        ("academicSessions.csv", 3, msg(reader.UNKNOWN_PARENT_SESSION, id="sy9")),
    ),
    "delta file without dateLastModified": (
        {
            "manifest.csv": "propertyName,value\noneroster.version,1.1\nfile.orgs,bulk\n"
            "file.academicSessions,bulk\nfile.users,delta\n",
            "users.csv": users_csv([USERS_ROWS[0]]),
        },
        ("users.csv", 2, msg(reader.DELTA_FIELD, column="dateLastModified")),
    ),
}


@pytest.mark.parametrize(("overrides", "expected"), V11_CASES.values(), ids=V11_CASES.keys())
def test_each_problem_of_a_1_1_export_is_named_and_blocks_the_apply(
    world, client, overrides, expected
):
    roster_import, page = upload_and_try_to_apply(client, world, base_files(**overrides))
    problems = services.problem_rows(roster_import.problems)
    assert ("error", *expected) in problems
    assert row_of(page, *expected)


def test_a_1_2_export_names_its_roles_and_users_problems(world, client):
    roles = [
        ROLES_ROWS[0].replace("2026-08-17", "17.8.2026"),
        ROLES_ROWS[1].replace(",s1,", ",s5,"),
        ROLES_ROWS[2],
        "r4,active,2026-08-01T09:00:00Z,ghost,primary,teacher,,,s1,",
    ]
    users = [USERS_12_ROWS[0].replace(",s1", ",s6"), *USERS_12_ROWS[1:]]
    roster_import, page = upload_and_try_to_apply(
        client, world, v12_files(users=users, roles=roles)
    )
    expected = [
        ("roles.csv", 2, msg(reader.BAD_DATE, value="17.8.2026", column="beginDate")),
        ("roles.csv", 3, msg(reader.UNKNOWN_ORG, id="s5")),
        ("users.csv", 2, msg(reader.UNKNOWN_ORG, id="s6")),
        ("roles.csv", 5, msg(reader.UNKNOWN_USER, id="ghost")),
    ]
    errors = [p[1:] for p in services.problem_rows(roster_import.problems) if p[0] == "error"]
    assert errors == expected
    for problem in expected:
        assert row_of(page, *problem)


def test_a_1_2_roles_file_without_role_type(world, client):
    header = ROLES_HEADER.replace("roleType,", "")
    rows = [r.replace(",primary,", ",") for r in ROLES_ROWS]
    files = v12_files(**{"roles.csv": "\n".join([header, *rows]) + "\n"})
    roster_import, page = upload_and_try_to_apply(client, world, files)
    expected = ("roles.csv", 1, msg(reader.MISSING_COLUMN, column="roleType"))
    assert ("error", *expected) in services.problem_rows(roster_import.problems)
    assert row_of(page, *expected)


def test_the_real_world_defective_1_2_export(world, client):
    """The export that was applied with "errors: 0": a misspelt required column, dates that
    are not ISO 8601, orgs whose parents are not in the export. Every one is named."""
    orgs = (
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "s1,active,2026-08-01T09:00:00Z,Maple Elementary,school,,d-missing\n"
        "dep1,active,2026-08-01T09:00:00Z,Science,department,,s-missing\n"
    )
    sessions = (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,"
        "schoolYear\n"
        "sy1,active,08/01/2026 09:00,Year,schoolYear,17/08/2026,11/06/2027,,2027\n"
    )
    users = "\n".join([USERS_12_HEADER.replace("familyName", "familyname_"), *USERS_12_ROWS])
    roster_import, page = upload_and_try_to_apply(
        client,
        world,
        v12_files(
            **{"orgs.csv": orgs, "academicSessions.csv": sessions, "users.csv": users + "\n"}
        ),
    )
    expected = [
        ("orgs.csv", 2, msg(reader.UNKNOWN_PARENT_ORG, id="d-missing")),
        ("orgs.csv", 3, msg(reader.UNKNOWN_PARENT_ORG, id="s-missing")),
        (
            "academicSessions.csv",
            2,
            msg(reader.BAD_DATETIME, value="08/01/2026 09:00", column="dateLastModified"),
        ),
        ("academicSessions.csv", 2, msg(reader.BAD_DATE, value="17/08/2026", column="startDate")),
        ("academicSessions.csv", 2, msg(reader.BAD_DATE, value="11/06/2027", column="endDate")),
        (
            "users.csv",
            1,
            msg(reader.MISSPELT_COLUMN, column="familyName", found="familyname_"),
        ),
    ]
    errors = [p[1:] for p in services.problem_rows(roster_import.problems) if p[0] == "error"]
    assert errors == expected
    for problem in expected:
        assert row_of(page, *problem)
    assert f"The export has {len(expected)} errors" in page
    assert not SchoolYear.objects.filter(district=world.district).exists()


def test_references_may_point_at_what_the_district_already_has(world, client):
    """Outside a complete (bulk) orgs file, a school already in the district resolves; the
    district itself and a school year already kept resolve too."""
    world.district.sourced_id = "d-known"
    world.district.save()
    School.objects.filter(pk=world.school.pk).update(sourced_id="s-known")
    SchoolYearFactory(district=world.district, label="2025-26", sourced_id="sy-known")
    manifest = (
        "propertyName,value\noneroster.version,1.1\nfile.orgs,delta\n"
        "file.academicSessions,bulk\nfile.users,bulk\n"
    )
    orgs = (
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "s1,active,2026-08-01T09:00:00Z,Maple Elementary,school,,d-known\n"
        "dep1,active,2026-08-01T09:00:00Z,Science,department,,s-known\n"
    )
    sessions = SESSIONS + "t1,,,Fall,term,2026-08-17,2026-12-18,sy-known,2027\n"
    users = users_csv(
        [
            "t1,active,,TRUE,s-known,teacher,t1,,Tess,Teacher,,,tess@maple.example,,,,,",
            "t2,active,,TRUE,dep1,teacher,t2,,Dora,Dept,,,dora@maple.example,,,,,",
        ]
    )
    client.force_login(world.district_admin)
    files = base_files(
        **{
            "manifest.csv": manifest,
            "orgs.csv": orgs,
            "academicSessions.csv": sessions,
            "users.csv": users,
        }
    )
    upload = SimpleUploadedFile("export.zip", zip_bytes(files), "application/zip")
    client.post(
        reverse("rostering:imports", kwargs={"slug": world.district.slug}),
        {"files": [upload]},
    )
    roster_import = RosterImport.objects.get()
    assert roster_import.error_count == 0, roster_import.problems
    client.post(apply_url(world, roster_import))
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    assert sorted(
        Membership.objects.filter(sourced_id__in=["t1", "t2"]).values_list("sourced_id", "school")
    ) == [("t1", world.school.pk), ("t2", world.school.pk)]


def test_an_export_where_everyone_is_skipped_is_an_error_and_students_are_counted(world, client):
    # Every org the people belong to is a department with no school above it, and the
    # guardian has no e-mail: nobody could be imported.
    orgs = (
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "dep1,,,History,department,,\n"
    )
    rows = [
        "t1,active,,TRUE,dep1,teacher,t1,,Tess,Teacher,,,tess@maple.example,,,,,",
        "st1,active,,TRUE,dep1,student,st1,,Sam,Student,,,,,,p2,3,",
        "st2,active,,TRUE,dep1,student,st2,,Sue,Student,,,,,,,5,",
        "p2,active,,TRUE,dep1,guardian,p2,,Gil,Guardian,,,,,,st1,,",
    ]
    files = base_files(**{"orgs.csv": orgs, "users.csv": users_csv(rows)})
    roster_import, page = upload_and_try_to_apply(client, world, files)
    expected = ("users.csv", None, msg(reader.EVERYONE_SKIPPED, count=2))
    problems = services.problem_rows(roster_import.problems)
    assert ("error", *expected) in problems
    assert row_of(page, "users.csv", "—", expected[2])
    # Students are counted, never reported as skipped.
    assert roster_import.preview_counts["students"] == 2
    skipped = [p for p in problems if p[0] == "warning" and "skipped" in p[3]]
    assert sorted(p[2] for p in skipped) == [2, 5]  # Tess and Gil; Sam and Sue not at all
    assert not SchoolYear.objects.filter(district=world.district).exists()


def test_the_preview_speaks_the_readers_language(world, client):
    """Problems are kept untranslated: an admin who reads Spanish sees them in Spanish,
    whoever uploaded the export and whatever language the worker ran in."""
    rows = [*USERS_ROWS, "x2,active,,TRUE,s1,teacher,x2,,Bad,Mail,,,not-an-email,,,,,"]
    roster_import, _page = upload_and_try_to_apply(
        client, world, base_files(**{"users.csv": users_csv(rows)})
    )
    User.objects.filter(pk=world.district_admin.pk).update(preferred_language="es")
    client.force_login(world.district_admin)
    page = html_lib.unescape(client.get(detail_url(world, roster_import)).content.decode())
    with translation.override("es"):
        spanish = msg(reader.BAD_EMAIL, email="not-an-email")
    with translation.override("en"):
        english = msg(reader.BAD_EMAIL, email="not-an-email")
    assert spanish != english
    assert spanish in page and english not in page
