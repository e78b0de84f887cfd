"""Load the demo district: schools, school years, people in every role and, through each app's
seeder, a school year of ILT meetings, work plans and family events. Safe to run again."""

from __future__ import annotations

from datetime import date

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.text import slugify

from leadership import clock, grades
from leadership.models import District, FamilyGrade, Membership, Role, School, SchoolYear, User

DEMO_PASSWORD = "accord-demo"  # noqa: S105  (printed for the demo; never a real account)
DOMAIN = "riverside.example"

SCHOOL_NAMES = [
    ("Lincoln Elementary", "K-5"),
    ("César Chávez Middle", "6-8"),
    ("Roosevelt High", "9-12"),
    ("Maple Grove Elementary", "K-5"),
    ("Harbor View K-8", "K-8"),
]
VISIONS = {
    0: (
        "Every child reads, reasons and speaks with confidence by fifth grade, in a school "
        "where families and staff lead together."
    ),
    1: "Every student leaves eighth grade ready for rigorous high school work and known by name.",
    2: "Every graduate has a plan, the skills to carry it out and adults who believe in it.",
}
# People per school besides the principal: the first school's are the printed demo logins.
TEACHER_LEADERS = 2
STAFF = 4
FAMILIES = 30


def school_name(index: int) -> tuple[str, str]:
    if index < len(SCHOOL_NAMES):
        return SCHOOL_NAMES[index]
    return f"Riverside School {index + 1:03d}", "K-8"


class Command(BaseCommand):
    help = "Load the demo district (idempotent). --schools N makes a district of N schools."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=3, help="number of schools (default 3)")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the logins")

    @transaction.atomic
    def handle(self, *args, schools: int, quiet_logins: bool, **options) -> None:
        if schools < 1:
            self.stderr.write("--schools must be at least 1")
            raise SystemExit(2)
        district, _ = District.objects.get_or_create(
            slug="riverside",
            defaults={
                "name": "Riverside Unified School District",
                "timezone": "America/Los_Angeles",
                "languages": ["en", "es", "vi"],
            },
        )
        # The school year under way in the district (from August to the next summer), and
        # the one before it: the demo never goes out of date.
        today = clock.today_in(district)
        first = today.year if today.month >= 8 else today.year - 1
        label = f"{first}-{(first + 1) % 100:02d}"
        SchoolYear.objects.filter(district=district, is_current=True).exclude(label=label).update(
            is_current=False
        )
        year, _ = SchoolYear.objects.get_or_create(
            district=district,
            label=label,
            defaults={
                "start": date(first, 8, 17),
                "end": date(first + 1, 6, 11),
                "is_current": True,
            },
        )
        SchoolYear.objects.get_or_create(
            district=district,
            label=f"{first - 1}-{first % 100:02d}",
            defaults={
                "start": date(first - 1, 8, 18),
                "end": date(first, 6, 12),
                "is_current": False,
            },
        )

        School.objects.bulk_create(
            [
                School(
                    district=district,
                    name=school_name(i)[0],
                    slug=slugify(school_name(i)[0]),
                    grade_span=school_name(i)[1],
                    languages=["en", "es", "vi"],
                    vision_statement=VISIONS.get(i, ""),
                )
                for i in range(schools)
            ],
            ignore_conflicts=True,
        )
        slugs = [slugify(school_name(i)[0]) for i in range(schools)]
        by_slug = School.objects.in_bulk(slugs, field_name="slug")
        school_list = [by_slug[slug] for slug in slugs]

        # One hash for every demo account: hashing thousands of passwords one by one
        # would take minutes for a large district.
        password = make_password(DEMO_PASSWORD)
        people: list[tuple[str, str, str, str, School | None]] = [
            (f"admin@{DOMAIN}", "Dana Whitfield", "en", Role.DISTRICT_ADMIN, None)
        ]
        for i, school in enumerate(school_list):
            prefix = "" if i == 0 else f"{school.slug}."
            people.append(
                (f"{prefix}principal@{DOMAIN}", f"Principal {i + 1}", "en", Role.PRINCIPAL, school)
            )
            for n in range(TEACHER_LEADERS):
                email = f"{prefix}leader@{DOMAIN}" if n == 0 else f"{prefix}leader{n + 1}@{DOMAIN}"
                people.append(
                    (email, f"Teacher Leader {i + 1}.{n + 1}", "en", Role.TEACHER_LEADER, school)
                )
            for n in range(STAFF):
                email = f"{prefix}staff@{DOMAIN}" if n == 0 else f"{prefix}staff{n + 1}@{DOMAIN}"
                people.append((email, f"Staff Member {i + 1}.{n + 1}", "en", Role.STAFF, school))
            for n in range(FAMILIES):
                email = f"{prefix}family@{DOMAIN}" if n == 0 else f"{prefix}family{n + 1}@{DOMAIN}"
                language = "es" if n % 3 == 1 else "vi" if n % 6 == 2 else "en"
                people.append((email, f"Family {i + 1}.{n + 1}", language, Role.FAMILY, school))
        if school_list:
            # The printed teacher leader of the first school is also a parent there.
            people.append((f"leader@{DOMAIN}", "", "en", Role.FAMILY, school_list[0]))

        names: dict[str, tuple[str, str]] = {}
        staff_emails = set()
        for email, name, language, role, _school in people:
            names.setdefault(email, (name, language))
            if role != Role.FAMILY:
                staff_emails.add(email)
        no_password = make_password(None)  # families sign in with an e-mailed code
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    full_name=name,
                    preferred_language=language,
                    password=password if email in staff_emails else no_password,
                    is_staff=email == f"admin@{DOMAIN}",
                    is_superuser=email == f"admin@{DOMAIN}",
                )
                for email, (name, language) in names.items()
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        users = User.objects.in_bulk(list(names), field_name="email")
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=u, email=u.email, verified=True, primary=True)
                for u in users.values()
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=users[email],
                    role=role,
                    district=district,
                    school=school,
                    school_year=year if school is not None else None,
                )
                for email, _name, _language, role, school in people
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )

        # Families' children are spread over the school's grades; every fourth family has a
        # second child two grades up, so surveys of chosen grades and results by grade show.
        family_grades = []
        spans = {school.pk: grades.in_span(school.grade_span) for school in school_list}
        position: dict[int, int] = {}
        for membership_id, school_id in (
            Membership.objects.filter(district=district, role=Role.FAMILY)
            .order_by("id")
            .values_list("id", "school_id")
        ):
            span = spans.get(school_id) or []
            if not span:
                continue
            n = position[school_id] = position.get(school_id, -1) + 1
            family_grades.append(
                FamilyGrade(membership_id=membership_id, grade=span[n % len(span)])
            )
            if n % 4 == 3:
                second = span[(n + 2) % len(span)]
                family_grades.append(FamilyGrade(membership_id=membership_id, grade=second))
        FamilyGrade.objects.bulk_create(family_grades, ignore_conflicts=True, batch_size=1000)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo district “{district.name}”: {len(school_list)} schools, {len(users)} people."
            )
        )
        # The apps built on leadership add their own demo data (teams, plans, events)
        # through a `seed_demo` method on their AppConfig, so this app imports none of them.
        for config in apps.get_app_configs():
            seeder = getattr(config, "seed_demo", None)
            if seeder is not None and config.name != "leadership":
                summary = seeder(district=district, schools=school_list, year=year)
                if summary:
                    self.stdout.write(self.style.SUCCESS(f"{config.verbose_name}: {summary}"))
        if not quiet_logins:
            self.print_logins()

    def print_logins(self) -> None:
        rows = [
            ("District admin", f"admin@{DOMAIN}", DEMO_PASSWORD),
            ("Principal", f"principal@{DOMAIN}", DEMO_PASSWORD),
            ("Teacher leader", f"leader@{DOMAIN}", DEMO_PASSWORD),
            ("Staff", f"staff@{DOMAIN}", DEMO_PASSWORD),
            ("Family", f"family@{DOMAIN}", "no password: “E-mail me a sign-in code”"),
        ]
        self.stdout.write("")
        self.stdout.write(f"Demo logins ({settings.SITE_URL}):")
        for role, email, secret in rows:
            self.stdout.write(f"  {role:<15} {email:<28} {secret}")
        self.stdout.write(
            "  Families' sign-in codes appear in this terminal (e-mail goes to the console)."
        )
        self.stdout.write("  The district admin also opens the admin site at /admin/.")
