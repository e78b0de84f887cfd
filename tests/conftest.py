"""Shared fixtures: a small world of two districts and three schools, and one person per role.

With REQUIRE_E2E=1 (set by .ci/run) a missing PostgreSQL, broker or browser fails the run
instead of skipping the tests that need them.

ACCORD_TEST_CLOCK=<ISO instant> starts the whole run at that instant, the clock ticking on
from there (time-machine): CI runs the suite at the real time and again at instants chosen to
bite (see `make test-clock`), so no test may depend on today's calendar date.
"""

import os
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from leadership import clock, outbox
from leadership.models import District, Role, School, User
from tests.leadership.factories import DistrictFactory, SchoolFactory, person

REQUIRED = os.environ.get("REQUIRE_E2E") == "1"


CLOCK = os.environ.get("ACCORD_TEST_CLOCK", "").strip()


def pytest_configure(config):
    if CLOCK:
        import time_machine

        instant = datetime.fromisoformat(CLOCK.replace("Z", "+00:00"))
        if instant.tzinfo is None:
            raise pytest.UsageError("ACCORD_TEST_CLOCK needs a UTC offset, e.g. 2027-03-14T07:30Z")
        config._accord_clock = time_machine.travel(instant, tick=True)
        config._accord_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_accord_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    return f"clock: {CLOCK or 'real time'}"


def pytest_sessionstart(session):
    if not REQUIRED:
        return
    from django.db import connection

    problems = []
    if connection.vendor != "postgresql":
        problems.append(
            f"REQUIRE_E2E=1 but the database is {connection.vendor}, not PostgreSQL "
            "(set DATABASE_URL)"
        )
    if not os.environ.get("CELERY_BROKER_URL"):
        problems.append("REQUIRE_E2E=1 but CELERY_BROKER_URL is not set")
    if problems:
        raise pytest.UsageError("; ".join(problems))


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    """Fast password hashing; rate-limit counters (in the cache) start empty; tasks run inline.

    Each test's made-up names and words come from a seed of its own id, so a failure that
    hangs on a name (a fake family called "Wayne" found by a search for a rostered student)
    happens again on every run and in any order, not once in a while.
    """
    import factory.random
    from celery._state import _set_task_join_will_block

    from config.celery import app
    from district.views import LATEST as DASHBOARD_LATEST
    from voice import pending
    from voice.results import CONTENT as RESULTS_CONTENT
    from voice.results import LATEST

    factory.random.reseed_random(request.node.nodeid)

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A page whose layout is written in Python is compared with its template at each request
    # (leadership.page.render_template_page).
    settings.PAGE_CHECK = True
    # The test client runs the language middleware in this thread; start each test in English,
    # and in the default time zone (a read's shape includes the zone: leadership.prepared).
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    cache.clear()
    pending.reset_local()
    LATEST.clear()  # like the cache: primary keys repeat between tests on SQLite
    DASHBOARD_LATEST.clear()
    RESULTS_CONTENT.clear()
    app.conf.task_always_eager = True
    # A worker started in a thread (start_worker) marks the process as one whose tasks must not
    # wait on a result (celery._state, set as its pool is made) and clears the mark only once
    # the worker is up: a test whose worker never came up leaves it set, and every later
    # `.get()` in the process then fails ("Never call result.get() within a task").
    _set_task_join_will_block(False)
    # A broker found down by an earlier test must not keep this one's work from going out.
    outbox._broker_down_at = None
    yield
    cache.clear()
    pending.reset_local()
    LATEST.clear()  # like the cache: primary keys repeat between tests on SQLite
    DASHBOARD_LATEST.clear()
    RESULTS_CONTENT.clear()


@dataclass
class World:
    district: District
    school: School
    other_school: School
    other_district: District
    far_school: School
    district_admin: User
    principal: User
    teacher_leader: User
    staff: User
    family: User
    other_school_principal: User
    other_district_admin: User

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


ROLES = [
    "anonymous",
    "district_admin",
    "principal",
    "teacher_leader",
    "staff",
    "family",
    "other_school_principal",
    "other_district_admin",
]


@pytest.fixture
def world(db) -> World:
    district = DistrictFactory(slug="riverside", name="Riverside")
    school = SchoolFactory(district=district, slug="lincoln", name="Lincoln Elementary")
    other_school = SchoolFactory(district=district, slug="roosevelt", name="Roosevelt High")
    other_district = DistrictFactory(slug="hillcrest", name="Hillcrest")
    far_school = SchoolFactory(
        district=other_district, slug="hill-elementary", name="Hill Elementary"
    )
    return World(
        district=district,
        school=school,
        other_school=other_school,
        other_district=other_district,
        far_school=far_school,
        district_admin=person(Role.DISTRICT_ADMIN, district=district, email="admin@example.org"),
        principal=person(Role.PRINCIPAL, school=school, email="principal@example.org"),
        teacher_leader=person(Role.TEACHER_LEADER, school=school, email="leader@example.org"),
        staff=person(Role.STAFF, school=school, email="staff@example.org"),
        family=person(Role.FAMILY, school=school, email="family@example.org"),
        other_school_principal=person(
            Role.PRINCIPAL, school=other_school, email="other.principal@example.org"
        ),
        other_district_admin=person(
            Role.DISTRICT_ADMIN, district=other_district, email="other.admin@example.org"
        ),
    )


@pytest.fixture
def district_admin(world):
    return world.district_admin


@pytest.fixture
def principal(world):
    return world.principal


@pytest.fixture
def teacher_leader(world):
    return world.teacher_leader


@pytest.fixture
def staff(world):
    return world.staff


@pytest.fixture
def family(world):
    return world.family


@pytest.fixture
def other_school_principal(world):
    return world.other_school_principal


@pytest.fixture
def demo_mid_year():
    """Run on 1 December of the demo district's school year (America/Los_Angeles), at the
    hour the run is at: the demo's year then has a past and a future."""
    from tests.clock import mid_year, travel_to_day

    zone = "America/Los_Angeles"
    with travel_to_day(zone, mid_year(clock.today_in(zone))):
        yield


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client signed in as that user (or anonymous for None)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def real_worker(transactional_db):
    """A Celery worker in a thread, consuming from the real broker, for the duration of a test."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from tests.worker import BROKER

    assert BROKER, "REQUIRE_E2E=1 needs CELERY_BROKER_URL for the real-worker tests"
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=15) as worker:
        yield worker
    app.conf.task_always_eager = True


@pytest.fixture
def finished():
    """Return values of the tasks the worker finished, by task id (there is no result backend)."""
    from celery.signals import task_postrun

    done: dict[str, object] = {}

    def record(sender=None, task_id=None, retval=None, **kwargs):
        done[task_id] = retval

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)
