"""The fault suite's base: private Redis and PostgreSQL servers that a test may stop, kill,
pause and start again.

Each server is started from the machine's binaries on a spare port, with its data in a
temporary directory, and stopped at the end: the machine's shared PostgreSQL (5432) and
Redis (6379) are never touched. Without the binaries the tests skip, or fail with
REQUIRE_E2E=1 (CI), so a fault test never passes by not running.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REQUIRED = os.environ.get("REQUIRE_E2E") == "1"


def need(what: str, found) -> None:
    """Skip without `found`, or fail under REQUIRE_E2E=1."""
    if found:
        return
    message = f"the fault tests need {what}"
    if REQUIRED:
        pytest.fail(message + " (REQUIRE_E2E=1)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll `condition` until it is true; the seconds it took. Fails after `timeout`."""
    start = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


# --- Redis -------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of its own, on a port that stays the same across restarts.

    kill() loses what it held, as a crash without persistence would; pause() (SIGSTOP) keeps
    the port open and the data, but answers nothing: a hung server, which then comes back
    with everything it had before (resume()).
    """

    def __init__(self, binary: str, directory: Path):
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
                "--protected-mode", "yes",
            ],
            stdout=(self.directory / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        self._end(signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        wait_until(self.answers, timeout=5, what="redis-server resumed")

    def _end(self, how: signal.Signals) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
        self.process.send_signal(how)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        wait_until(lambda: not port_open(self.port), timeout=5, what="redis port released")


@pytest.fixture
def redis_server(tmp_path):
    """A running private redis-server (RedisServer); stopped after the test, whatever it did."""
    binary = shutil.which("redis-server")
    need("redis-server", binary)
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.kill()


# --- PostgreSQL --------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian's layout), or PATH's."""

    def version(initdb: str) -> int:
        name = Path(initdb).parent.parent.name
        return int(name) if name.isdigit() else 0

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresCluster:
    """A PostgreSQL cluster of its own, in a temporary directory, on a spare port.

    initdb refuses to run as root, so as root the cluster belongs to the `postgres` system
    user and its commands run through runuser. Trust authentication, on 127.0.0.1 only.
    """

    def __init__(self, bin_dir: Path, directory: Path, as_user: str | None):
        self.bin = bin_dir
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.as_user = as_user
        self.port = free_port()

    def url(self, database: str = "accord") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", self.as_user, "--"] if self.as_user else []
        result = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, cwd=self.directory
        )
        if check and result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise AssertionError(f"{command[0]} failed:\n{result.stdout}{result.stderr}\n{log}")
        return result

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D", str(self.data),
            "-U", "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.log),
            "-w", "-t", "60",
            "-o", (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
                # No fsync: only an operating-system crash would lose data then, and the
                # tests crash PostgreSQL alone. Commits stay synchronous: an immediate stop
                # keeps what was committed.
                "-c fsync=off -c full_page_writes=off"
            ),
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """fast: disconnect everyone and shut down; immediate: as a crash would."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        status = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "status", check=False)
        return status.returncode == 0

    def create_database(self, name: str = "accord") -> None:
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            name,
        )  # fmt: skip


@pytest.fixture(scope="module")
def postgres_cluster():
    """A running private PostgreSQL cluster with an empty `accord` database
    (PostgresCluster), for the whole module; removed at its end."""
    bin_dir = postgres_bin()
    need("PostgreSQL's initdb and pg_ctl", bin_dir and (bin_dir / "pg_ctl").exists())
    as_user = None
    if os.geteuid() == 0:
        need("runuser", shutil.which("runuser"))
        as_user = "postgres"
    directory = Path(tempfile.mkdtemp(prefix="accord-faults-pg-"))
    if as_user:
        shutil.chown(directory, user=as_user)
    cluster = PostgresCluster(bin_dir, directory, as_user)
    try:
        cluster.init()
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        if cluster.data.exists() and cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
