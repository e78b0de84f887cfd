"""A roster apply whose worker is killed (SIGKILL) half-way: a real Celery worker process on the
broker, a generated export large enough to take seconds, the sweep, and a second worker.

What must hold: the run is shown failed within the sweep's threshold (not "applying" for the
hour Redis keeps the message unacked), it can be applied again, and the database holds either
everything of the export or nothing of it. The recovery time is printed (run with -s).
"""

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection

from leadership.models import District, Membership, School, SchoolYear, User
from rostering import services
from rostering.management.commands.make_oneroster_export import write_export
from rostering.models import RosterImport

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
BROKER = os.environ.get("CELERY_BROKER_URL", "")
REQUIRED = os.environ.get("REQUIRE_E2E") == "1"
SCHOOLS, STAFF, GUARDIANS = 20, 2_000, 20_000
# The sweep's threshold in this test; production waits APPLY_STALE_SECONDS (60) and sweeps
# every minute. ROSTER_FAULT_STALE_SECONDS=60 measures recovery with the production value.
STALE_SECONDS = float(os.environ.get("ROSTER_FAULT_STALE_SECONDS", 5))
APPLY_TASK = "rostering.tasks.apply_roster_import"


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"REQUIRE_E2E=1: {reason}")
    pytest.skip(reason)


@pytest.fixture
def environment():
    if not BROKER.startswith("redis://"):
        unavailable("the worker-kill test needs a Redis broker (CELERY_BROKER_URL=redis://...)")
    if connection.vendor != "postgresql":
        unavailable("the worker-kill test needs PostgreSQL (DATABASE_URL)")
    if not CELERY.exists():
        unavailable(f"no Celery at {CELERY}")


@pytest.fixture
def celery_app():
    """The test process sends through the real broker (not eagerly) while the test runs."""
    from config.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    app.control.purge()
    yield app
    app.conf.task_always_eager = True


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def start_worker(environment, celery_app, settings, tmp_path):
    """start_worker() -> a Celery worker process on this test's database, media and broker."""
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CONN_MAX_AGE": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    workers: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = tmp_path / f"worker-{len(workers)}.log"
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "-P",
                "solo",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"roster-fault-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        process.log = log  # type: ignore[attr-defined]
        workers.append(process)
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            assert process.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"the worker never got ready:\n{log.read_text()}"
            time.sleep(0.2)
        return process

    yield start
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def forget_unacked(roster_import_id: int) -> None:
    """Drop the killed worker's message from Redis's unacked set, which would otherwise be
    redelivered an hour later, to whatever test database then exists."""
    import redis

    client = redis.Redis.from_url(BROKER)
    for tag, payload in client.hgetall("unacked").items():
        try:
            headers = json.loads(payload)[0]["headers"]
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        if (
            headers.get("task") == APPLY_TASK
            and headers.get("argsrepr") == f"({roster_import_id},)"
        ):
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def wait_for(predicate, seconds: float, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None


def written(district) -> dict[str, int]:
    return {
        "schools": School.objects.filter(district=district).exclude(sourced_id="").count(),
        "years": SchoolYear.objects.filter(district=district).count(),
        "memberships": Membership.objects.filter(district=district).exclude(sourced_id="").count(),
        "users": User.objects.filter(email__endswith="@gen.example").count(),
    }


EVERYTHING = {"schools": SCHOOLS, "years": 1, "memberships": STAFF + GUARDIANS,
              "users": STAFF + GUARDIANS}  # fmt: skip
NOTHING = dict.fromkeys(EVERYTHING, 0)


def test_a_worker_killed_half_way_through_an_apply(start_worker, settings, tmp_path):
    settings.ROSTER_APPLY_STALE_SECONDS = STALE_SECONDS
    district = District.objects.create(name="Fault", slug="fault", languages=["en", "es"])
    path = tmp_path / "export.zip"
    write_export(path, schools=SCHOOLS, staff=STAFF, guardians=GUARDIANS)
    with path.open("rb") as handle:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("export.zip", handle.read(), "application/zip")
    roster_import = services.roster_import_create(
        district=district, actor=None, files=[upload], queue_preview=False
    )
    services.roster_import_preview(roster_import=roster_import)
    assert roster_import.status == RosterImport.Status.READY, roster_import.problems[:3]

    worker = start_worker()
    services.roster_import_queue_apply(roster_import=roster_import, actor=None)
    rows = RosterImport.objects.filter(pk=roster_import.pk)
    started = wait_for(lambda: rows.values_list("apply_started_at", flat=True).get(), 60)
    assert started, f"the worker never began the apply:\n{worker.log.read_text()[-3000:]}"
    # Kill it while it writes people: progress past half, read from the cache the worker
    # writes it to (Redis, shared with this process when REDIS_URL is set); otherwise a
    # second and a half into the apply.
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        progress = lambda: int(cache.get(services.progress_key(roster_import.pk), 0))  # noqa: E731
        assert wait_for(lambda: progress() >= 55, 60, 0.02), "no progress from the worker"
    else:
        time.sleep(1.5)
    assert rows.get().status == RosterImport.Status.APPLYING, "the apply ended before the kill"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)
    killed = time.monotonic()

    def swept():
        services.roster_imports_sweep_stalled()
        return rows.get().status != RosterImport.Status.APPLYING

    assert wait_for(swept, 180, every=0.5), "the run stayed applying after its worker died"
    recovery = time.monotonic() - killed
    forget_unacked(roster_import.pk)
    roster_import.refresh_from_db()
    print(
        f"\nworker killed at progress {cache.get(services.progress_key(roster_import.pk), '?')}%; "
        f"shown {roster_import.status} ({roster_import.failure}) {recovery:.1f} s later "
        f"(stale threshold {STALE_SECONDS:g} s)"
    )
    if roster_import.status == RosterImport.Status.APPLIED:  # the commit beat the kill
        assert written(district) == EVERYTHING
        return
    assert (roster_import.status, roster_import.failure) == ("failed", "stalled")
    assert written(district) == NOTHING

    # Applied again, by a new worker: everything, once.
    second = start_worker()
    services.roster_import_queue_apply(roster_import=roster_import, actor=None)
    done = wait_for(lambda: rows.get().status != RosterImport.Status.APPLYING, 180, every=0.5)
    assert done, f"the second apply did not finish:\n{second.log.read_text()[-3000:]}"
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED, roster_import.problems[:3]
    assert written(district) == EVERYTHING
