"""Rostering at scale: a generated OneRoster 1.2 export of 200 schools, 12,000 staff and
60,000 guardians (30,000 students), previewed and applied on PostgreSQL.

Run by `make bench` (pytest tests/perf -s); prints phase, seconds and peak memory. Not
part of the test suite's timing assertions: the only assertions are about correctness.
"""

import os
import resource
import time

import pytest
from django.db import connection

from leadership.models import District, Membership, School
from rostering.importer import RosterRun
from rostering.management.commands.make_oneroster_export import write_export
from rostering.source import ZipSource

SCHOOLS = int(os.environ.get("ROSTER_BENCH_SCHOOLS", 200))
STAFF = int(os.environ.get("ROSTER_BENCH_STAFF", 12_000))
GUARDIANS = int(os.environ.get("ROSTER_BENCH_GUARDIANS", 60_000))


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(label, rows, fn):
    """Seconds, and how much the process's peak resident memory grew during the phase.

    getrusage rather than tracemalloc: tracemalloc slows this code down about six times.
    """
    before = maxrss_mb()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    rows.append((label, seconds, maxrss_mb() - before, maxrss_mb()))
    return result


@pytest.mark.django_db(transaction=True)
def test_rostering_import_at_scale(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the rostering benchmark runs on PostgreSQL (set DATABASE_URL)")
    district = District.objects.create(name="Bench", slug="bench", languages=["en", "es"])
    rows: list[tuple[str, float, float, float]] = []
    path = tmp_path / "export.zip"
    measure(
        "generate",
        rows,
        lambda: write_export(path, schools=SCHOOLS, staff=STAFF, guardians=GUARDIANS),
    )

    def run(apply):
        with open(path, "rb") as handle:
            return RosterRun(district=district, source=ZipSource(handle)).run(apply=apply)

    preview = measure("preview", rows, lambda: run(False))
    assert not preview.errors, preview.errors[:5]
    applied = measure("apply", rows, lambda: run(True))
    assert applied.applied
    again = measure("apply again (no change)", rows, lambda: run(True))

    size = path.stat().st_size / (1024 * 1024)
    print(f"\nRostering benchmark: {SCHOOLS} schools, {STAFF} staff, {GUARDIANS} guardians")
    print(f"export zip {size:.1f} MB")
    print(f"{'phase':28}{'seconds':>10}{'peak RSS growth MB':>20}{'peak RSS MB':>14}")
    for label, seconds, growth, peak in rows:
        print(f"{label:28}{seconds:>10.1f}{growth:>20.1f}{peak:>14.1f}")

    assert preview.counts["people_created"] == STAFF + GUARDIANS
    assert applied.counts["memberships_created"] == STAFF + GUARDIANS
    assert School.objects.filter(district=district).count() == SCHOOLS
    assert Membership.objects.filter(district=district, is_active=True).count() == (
        STAFF + GUARDIANS
    )
    changed = {k: v for k, v in again.counts.items() if v and k != "students"}
    assert changed == {}
