"""Write a generated OneRoster 1.2 CSV export (for the scale test and benchmarks)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand

MANIFEST = [
    ("manifest.version", "1.0"),
    ("oneroster.version", "1.2"),
    ("file.academicSessions", "bulk"),
    ("file.orgs", "bulk"),
    ("file.users", "bulk"),
    ("file.roles", "bulk"),
    ("file.enrollments", "absent"),
    ("file.classes", "absent"),
    ("file.courses", "absent"),
    ("file.demographics", "absent"),
]
USER_COLUMNS = [
    "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
    "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
    "agentSourcedIds", "grades", "password", "userMasterIdentifier", "preferredGivenName",
    "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
    "ext_preferredLanguage",
]  # fmt: skip
ROLE_COLUMNS = [
    "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
    "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId",
]  # fmt: skip
GIVEN = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lea"]
FAMILY = ["Garcia", "Smith", "Nguyen", "Okafor", "Kowalski", "Haddad", "Silva", "Tanaka", "Ruiz"]


def write_export(
    path: Path, *, schools: int, staff: int, guardians: int, stamp: str = "2026-08-01"
) -> dict[str, int]:
    """Write the files into `path` (a folder, or a .zip file). Two guardians per student."""
    path = Path(path)
    as_zip = path.suffix == ".zip"
    folder = path.with_suffix("") if as_zip else path
    folder.mkdir(parents=True, exist_ok=True)
    students = (guardians + 1) // 2
    with open(folder / "manifest.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["propertyName", "value"])
        writer.writerows(MANIFEST)
    with open(folder / "academicSessions.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["sourcedId", "status", "dateLastModified", "title", "type", "startDate",
             "endDate", "parentSourcedId", "schoolYear"]
        )  # fmt: skip
        writer.writerow(
            ["sy-2027", "active", stamp, "2026-27", "schoolYear", "2026-08-17", "2027-06-11", "",
             "2027"]
        )  # fmt: skip
    with open(folder / "orgs.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
                         "parentSourcedId"])  # fmt: skip
        writer.writerow(["dist-1", "active", stamp, "Generated District", "district", "", ""])
        for s in range(schools):
            writer.writerow(
                [f"sch-{s}", "active", stamp, f"Generated School {s}", "school", f"S{s}", "dist-1"]
            )
    with (
        open(folder / "users.csv", "w", newline="") as users_file,
        open(folder / "roles.csv", "w", newline="") as roles_file,
    ):
        users, roles = csv.writer(users_file), csv.writer(roles_file)
        users.writerow(USER_COLUMNS)
        roles.writerow(ROLE_COLUMNS)

        def person(sid, n, email, agents, org, role, language=""):
            given, family = GIVEN[n % len(GIVEN)], FAMILY[(n // len(GIVEN)) % len(FAMILY)]
            users.writerow(
                [sid, "active", stamp, "true", sid, "", given, family, "", sid, email, "", "",
                 agents, "", "", "", "", "", "", org, "", language]
            )  # fmt: skip
            roles.writerow([f"r-{sid}", "active", stamp, sid, "primary", role, "", "", org, ""])

        for n in range(staff):
            role = "principal" if n < schools else "teacher"
            person(f"stf-{n}", n, f"staff{n}@gen.example", "", f"sch-{n % schools}", role)
        for n in range(students):
            agents = ",".join(f"g-{g}" for g in (2 * n, 2 * n + 1) if g < guardians)
            person(f"stu-{n}", n, "", agents, f"sch-{n % schools}", "student")
        for n in range(guardians):
            language = "es" if n % 3 == 0 else ""
            person(
                f"g-{n}", n, f"family{n}@gen.example", f"stu-{n // 2}",
                f"sch-{(n // 2) % schools}", "guardian", language,
            )  # fmt: skip
    if as_zip:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.iterdir()):
                archive.write(file, file.name)
    return {"schools": schools, "staff": staff, "guardians": guardians, "students": students}


class Command(BaseCommand):
    help = "Write a generated OneRoster 1.2 CSV export (a folder, or a zip if PATH ends in .zip)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--schools", type=int, default=200)
        parser.add_argument("--staff", type=int, default=12_000)
        parser.add_argument("--guardians", type=int, default=60_000)

    def handle(self, *args, path, schools, staff, guardians, **options):
        sizes = write_export(Path(path), schools=schools, staff=staff, guardians=guardians)
        self.stdout.write(
            "Wrote {schools} schools, {staff} staff, {guardians} guardians, "
            "{students} students to ".format(**sizes)
            + str(path)
        )
