"""One of the clients tests/faults/test_pgbouncer.py runs side by side through PgBouncer.

It signs in as the demo's people (sessions in PostgreSQL) and walks the pages they use, a
district's dashboard and its CSV, a school's plan and the family page, then reads a table the
way a long export does (QuerySet.iterator(), outside any transaction), ROUNDS times, on
persistent connections (CONN_MAX_AGE), so that each transaction may land on another server
connection. Prints "ok <pages>" or exits non-zero with the error.
"""

import os
import sys

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from leadership.models import District, User  # noqa: E402
from workplans.models import WorkPlan  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "8"))


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def main() -> int:
    district = District.objects.get(slug="riverside")
    plan = WorkPlan.objects.select_related("school").order_by("pk").first()
    pages = [
        (
            signed_in("admin@riverside.example"),
            reverse("district:district_dashboard", args=[district.slug]),
        ),
        (
            signed_in("admin@riverside.example"),
            reverse("district:district_dashboard_csv", args=[district.slug]),
        ),
        (
            signed_in("principal@riverside.example"),
            reverse("workplans:plan_detail", args=[plan.school.slug, plan.pk]),
        ),
        (signed_in("family@riverside.example"), reverse("engagement:family_home")),
    ]
    served = 0
    for _ in range(ROUNDS):
        for client, path in pages:
            response = client.get(path, secure=True)
            if response.status_code != 200:
                print(f"{path} answered {response.status_code}", file=sys.stderr)
                return 1
            served += 1
        people = sum(1 for _ in User.objects.order_by("pk").iterator(chunk_size=5))
        if not people:
            print("no people read", file=sys.stderr)
            return 1
    print(f"ok {served}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
