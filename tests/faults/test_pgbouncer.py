"""The app through PgBouncer in transaction mode, as docs/deploy.md's scaled deployment runs it.

A PgBouncer of the test's own (Debian's package) sits in front of the machine's PostgreSQL with
`pool_mode = transaction` and `server_round_robin = 1`, so that consecutive transactions of
one client land on different server connections. Through it the app is migrated, the demo
district seeded, and two clients side by side walk the pages people use and read a table as a
long export does. With DATABASE_POOL=pgbouncer they succeed; without it Django's server-side
cursors, or the statements psycopg prepares, break, which shows that the pooler really hands
connections round.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

import psycopg
import pytest

from tests.faults.conftest import free_port, need, port_open, wait_until

pytestmark = pytest.mark.faults

BASE_DIR = Path(__file__).resolve().parents[2]
CLIENT = Path(__file__).with_name("pgbouncer_client.py")


def postgres_server() -> tuple[str, int] | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urllib.parse.urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5432


@pytest.fixture
def pgbouncer():
    binary = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    need("pgbouncer (apt-get install pgbouncer)", binary)
    server = postgres_server()
    need("DATABASE_URL on PostgreSQL", server)
    host, port = server
    # Not under pytest's tmp_path: its folders are private to root, and PgBouncer (which
    # refuses to run as root) runs as postgres when the tests run as root.
    directory = Path(tempfile.mkdtemp(prefix="accord-pgbouncer-"))
    listen = free_port()
    (directory / "users.txt").write_text('"postgres" ""\n')
    (directory / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={host} port={port}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {listen}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {directory / 'users.txt'}",
                "pool_mode = transaction",
                "default_pool_size = 3",
                "server_round_robin = 1",
                "max_client_conn = 100",
                "ignore_startup_parameters = extra_float_digits,options",
                f"logfile = {directory / 'pgbouncer.log'}",
                "",
            ]
        )
    )
    command = [binary, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        for path in [directory, *directory.iterdir()]:
            path.chmod(0o777 if path.is_dir() else 0o666)
        command[1:1] = ["-u", "postgres"]
    output = open(directory / "output.txt", "w")  # noqa: SIM115  (closed in finally)
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        try:
            wait_until(lambda: port_open(listen), timeout=10, what="pgbouncer listening")
        except AssertionError:
            raise AssertionError(
                "pgbouncer did not start:\n" + (directory / "output.txt").read_text()
            ) from None
        yield {"host": host, "port": port, "listen": listen, "log": directory / "pgbouncer.log"}
    finally:
        process.terminate()
        process.wait(timeout=10)
        output.close()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def database(pgbouncer):
    name = f"accord_pgbouncer_{os.getpid()}"
    direct = f"host={pgbouncer['host']} port={pgbouncer['port']} user=postgres dbname=postgres"
    with psycopg.connect(direct, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(direct, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_env(pgbouncer: dict, database: str, *, pool: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "PYTEST_"))
    }
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{pgbouncer['listen']}/{database}",
        DATABASE_POOL=pool,
        CONN_MAX_AGE="600",  # persistent connections, as gunicorn's workers keep them
        DEBUG="1",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="testserver",
        EMAIL_URL="consolemail://",
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
    )
    return env


def run(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def side_by_side(env: dict[str, str], n: int = 2) -> list[subprocess.CompletedProcess]:
    clients = [
        subprocess.Popen(
            [sys.executable, str(CLIENT)],
            cwd=BASE_DIR,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(n)
    ]
    results = []
    for client in clients:
        out, err = client.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(client.args, client.returncode, out, err))
    return results


def test_the_app_runs_through_pgbouncer_in_transaction_mode(pgbouncer, database):
    env = app_env(pgbouncer, database, pool="pgbouncer")
    for command in (
        ["manage.py", "migrate", "--noinput"],
        ["manage.py", "seed_demo", "--schools", "2"],
    ):
        done = run(env, *command)
        assert done.returncode == 0, (
            f"{' '.join(command)} through PgBouncer:\n{done.stderr[-3000:]}"
        )

    for client in side_by_side(env):
        assert client.returncode == 0, (
            f"a client through PgBouncer failed:\n{client.stderr[-3000:]}"
        )
        assert client.stdout.strip() == "ok 32", client.stdout

    # The same clients without the setting: the pooler hands a client's transactions to
    # different server connections, so a cursor held across them is gone ("cursor ... does not
    # exist"), and a statement psycopg prepared is missing on one server connection ("does not
    # exist") or prepared twice on another ("already exists"), whichever a client meets first.
    unset = side_by_side(app_env(pgbouncer, database, pool=""))
    failed = [c for c in unset if c.returncode != 0]
    assert failed, "without DATABASE_POOL=pgbouncer the clients should have failed"
    lost = failed[0].stderr
    assert "does not exist" in lost or 'prepared statement "_pg3_' in lost, lost[-2000:]
