"""Pieces of the load benchmark (tests/perf/test_load_bench.py): the bench database, the
gunicorn server with production settings, sign-in through the real login form, wrk runs and
the report in docs/benchmarks.md.

Standard library only (plus psycopg and redis, which the app itself depends on).
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
LOAD_DIR = Path(__file__).resolve().parent
PYTHON = sys.executable


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Settings:
    schools: int = field(default_factory=lambda: env_int("BENCH_SCHOOLS", 200))
    connections: int = field(default_factory=lambda: env_int("BENCH_CONNECTIONS", 20))
    threads: int = field(default_factory=lambda: env_int("BENCH_THREADS", 2))
    duration: int = field(default_factory=lambda: env_int("BENCH_DURATION", 20))
    warmup: int = field(default_factory=lambda: env_int("BENCH_WARMUP", 5))
    sessions: int = field(default_factory=lambda: env_int("BENCH_SESSIONS", 20))
    workers: int = field(default_factory=lambda: env_int("BENCH_WORKERS", 2))
    quiet_wait: int = field(default_factory=lambda: env_int("BENCH_QUIET_WAIT", 30))
    reseed: bool = field(default_factory=lambda: os.environ.get("BENCH_RESEED", "") == "1")
    # BENCH_SCENARIOS=dashboard,results: only these scenarios (the anchor runs either way).
    scenarios: frozenset[str] = field(
        default_factory=lambda: frozenset(
            key.strip() for key in os.environ.get("BENCH_SCENARIOS", "").split(",") if key.strip()
        )
    )
    write_docs: bool = field(default_factory=lambda: os.environ.get("BENCH_DOCS", "1") != "0")
    database_url: str = field(default_factory=lambda: bench_database_url())
    redis_cache_url: str = field(
        default_factory=lambda: os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    redis_broker_url: str = field(
        default_factory=lambda: os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/6")
    )

    def overrides(self) -> list[str]:
        """The BENCH_* variables this run was given, for the report's command line."""
        return [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("BENCH_")]

    def wants(self, key: str) -> bool:
        return not self.scenarios or key in self.scenarios


def bench_database_url() -> str:
    """BENCH_DATABASE_URL, else DATABASE_URL's server with the database `accord_load`."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://", "pgsql://")):
        parts = urllib.parse.urlsplit(base)
        return urllib.parse.urlunsplit(parts._replace(path="/accord_load"))
    return "postgres://postgres@127.0.0.1:5432/accord_load"


class BenchError(AssertionError):
    """The benchmark cannot measure what it set out to (an error page, a refused sign-in)."""


def say(message: str) -> None:
    print(f"[load-bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the bench database ----------------------------------------------------------------


def _db_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def _maintenance_conninfo(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def seed_fingerprint(schools: int) -> str:
    """What the seeded data depends on: the seed code and every migration."""
    digest = hashlib.sha256(str(schools).encode())
    files = sorted(
        [
            *BASE_DIR.glob("*/management/commands/seed_demo.py"),
            *BASE_DIR.glob("*/demo.py"),
            *BASE_DIR.glob("*/apps.py"),
            *BASE_DIR.glob("*/migrations/*.py"),
            *BASE_DIR.glob("*/*/migrations/*.py"),
        ]
    )
    for path in files:
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def server_env(settings: Settings) -> dict[str, str]:
    """Production settings (config/settings.py with DEBUG=0) on the bench database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "PYTEST_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="load-bench-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_cache_url,
        CELERY_BROKER_URL=settings.redis_broker_url,
        EMAIL_URL="consolemail://",
        LOG_LEVEL="WARNING",
        # The API scenario sends thousands of requests a minute with one token: the limit is
        # still counted in Redis on every request, never reached.
        API_RATE_LIMIT_PER_MINUTE="1000000000",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def anchor_env() -> dict[str, str]:
    """The anchor site's environment: the machine's, without any of Accord's settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "PYTEST_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="tests.perf.bare.settings", PYTHONUNBUFFERED="1")
    return env


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> str:
    started = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
    if not quiet:
        say(f"manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s")
    return result.stdout


def ensure_seeded(settings: Settings, env: dict[str, str]) -> dict:
    """Drop, create, migrate and seed the bench database, unless it already holds this seed.

    A seeded database is marked with a comment naming the school count and a fingerprint of
    the seed code and migrations; a later run with the same mark reuses it (BENCH_RESEED=1
    seeds again). Returns what the report says about it.
    """
    import psycopg

    name = _db_name(settings.database_url)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise BenchError(f"refusing to drop and create an odd database name: {name!r}")
    mark = f"accord-load-bench schools={settings.schools} seed={seed_fingerprint(settings.schools)}"
    conninfo = _maintenance_conninfo(settings.database_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        comment = (row[0] or "") if row else ""
        if row and comment.startswith(mark + " at=") and not settings.reseed:
            seeded_at = comment.split(" at=", 1)[1]
            say(
                f"reusing the seeded database {name} ({settings.schools} schools, seeded "
                f"{seeded_at}; the seed code and migrations have not changed since). "
                "BENCH_RESEED=1 seeds it again."
            )
            return {"reused": True, "seeded_at": seeded_at, "seconds": 0.0}
        say(f"seeding {name} from scratch with {settings.schools} schools")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    manage(env, "migrate", "--noinput")
    output = manage(env, "seed_demo", "--schools", str(settings.schools), "--quiet-logins")
    for line in output.strip().splitlines():
        say(f"  {line}")
    seconds = time.perf_counter() - started
    seeded_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{mark} at={seeded_at}'")
    return {"reused": False, "seeded_at": seeded_at, "seconds": seconds}


def analyze(settings: Settings) -> float:
    """ANALYZE the bench database, as autovacuum does on a live one after large writes: a
    database just bulk-loaded has no statistics, and PostgreSQL would plan the pages' queries
    from default estimates. Returns the seconds it took."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def reset_redis(settings: Settings) -> None:
    """Empty the bench's own cache and broker databases (nothing else uses them)."""
    import redis

    for url in (settings.redis_cache_url, settings.redis_broker_url):
        redis.Redis.from_url(url).flushdb()


@contextmanager
def redis_dbs(settings: Settings):
    """The bench's cache and broker databases, empty at the start and emptied at the end (the
    broker's queue holds the tasks that RSVPs queued for a worker that is not running)."""
    reset_redis(settings)
    try:
        yield
    finally:
        reset_redis(settings)


def clear_login_rate_limits(settings: Settings) -> int:
    """allauth allows 30 sign-ins a minute per IP; every benchmark user comes from 127.0.0.1."""
    import redis

    client = redis.Redis.from_url(settings.redis_cache_url)
    keys = list(client.scan_iter(match="*allauth:rl:*"))
    if keys:
        client.delete(*keys)
    return len(keys)


# --- gunicorn --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def workers(self) -> list[int]:
        return children_of(self.process.pid)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def proc_status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@contextmanager
def gunicorn(settings: Settings, env: dict[str, str], log_path: Path, app: str = "config.wsgi"):
    """gunicorn `app` with sync workers, in its own process group, always stopped.

    The same command serves Accord (config.wsgi) and the anchor (tests.perf.bare.wsgi), so the
    two differ only in the application.
    """
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        app,
        "-w",
        str(settings.workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
    ]
    say("starting " + " ".join(["gunicorn", *command[3:]]))
    log = open(log_path, "w")  # noqa: SIM115  (closed in finally)
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(process=process, port=port, log_path=log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
            try:
                status, _body, _headers = raw_get(server, "/healthz")
                if status == 200 and len(server.workers()) >= settings.workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer /healthz:\n{server.log_tail()}")
            time.sleep(0.3)
        yield server
    finally:
        stop_process_group(process)
        log.close()


def stop_process_group(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- browsing: sign-in and pages over HTTP, as the TLS proxy forwards them --------------


class ProxyCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Secure cookies go back over the loopback: the proxy in front terminates TLS."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class FormParser(HTMLParser):
    """The inputs of one form (by id, or the first with a given field), as a browser sends them."""

    def __init__(self, form_id: str | None = None, has_field: str | None = None):
        super().__init__()
        self.form_id, self.has_field = form_id, has_field
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self.csrf_tokens: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"id": attrs.get("id"), "action": attrs.get("action"), "fields": []}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input":
            name, kind = attrs.get("name"), (attrs.get("type") or "text").lower()
            if name == "csrfmiddlewaretoken":
                self.csrf_tokens.append(attrs.get("value", ""))
            if not name or kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form["fields"].append([name, attrs.get("value", default)])
        elif self._form is not None and tag == "select":
            self._select = attrs.get("name")
            self._form["fields"].append([self._select, None])
        elif self._select and tag == "option":
            field_ = self._form["fields"][-1]
            if field_[1] is None or "selected" in attrs:
                field_[1] = attrs.get("value", "")
        elif self._form is not None and tag == "textarea":
            self._textarea = attrs.get("name")
            self._form["fields"].append([self._textarea, ""])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf_tokens.append(attrs.get("value", ""))

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][-1][1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._form is not None and self._textarea:
                field_ = self._form["fields"][-1]
                field_[1] = field_[1].removeprefix("\n")  # as browsers do
            self._textarea = None

    def form(self) -> dict | None:
        for form in self.forms:
            names = [name for name, _value in form["fields"]]
            if (self.form_id and form["id"] == self.form_id) or (
                self.has_field and self.has_field in names
            ):
                return form
        return None


def parse_form(html: str, *, form_id=None, has_field=None) -> dict:
    parser = FormParser(form_id=form_id, has_field=has_field)
    parser.feed(html)
    form = parser.form()
    if form is None:
        raise BenchError(f"no form ({form_id or has_field}) on the page:\n{html[:1500]}")
    form["fields"] = [(name, value or "") for name, value in form["fields"]]
    return form


BROWSER_HEADERS = {
    "User-Agent": "accord-load-bench",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "X-Forwarded-Proto": "https",
}


def raw_get(server: Server, path: str, headers: dict | None = None):
    request = urllib.request.Request(  # noqa: S310  (http://127.0.0.1 only)
        server.url + path, headers={**BROWSER_HEADERS, **(headers or {})}
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), error.headers


class Browser:
    """One signed-in session: its own cookies, requests sent as the proxy forwards them."""

    def __init__(self, server: Server, email: str):
        self.server, self.email = server, email
        self.jar = http.cookiejar.CookieJar(policy=ProxyCookiePolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, method: str, path: str, data: dict | list | None = None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        all_headers = {**BROWSER_HEADERS, **(headers or {})}
        if method == "POST":
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            all_headers.setdefault("Origin", self.server.origin)
            all_headers.setdefault("Referer", self.server.origin + path)
        request = urllib.request.Request(  # noqa: S310  (http://127.0.0.1 only)
            self.server.url + path, data=body, headers=all_headers, method=method
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(errors="replace"), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers

    def expect(self, method: str, path: str, statuses=(200,), **kwargs):
        status, body, headers = self.request(method, path, **kwargs)
        if status not in statuses:
            raise BenchError(
                f"{self.email}: {method} {path} answered {status} (expected {statuses}); "
                f"Location: {headers.get('Location')}\n{body[:800]}\n"
                f"--- gunicorn log ---\n{self.server.log_tail()}"
            )
        return status, body, headers

    def login(self, password: str) -> None:
        _status, page, _headers = self.expect("GET", "/accounts/login/")
        form = parse_form(page, has_field="password")
        fields = dict(form["fields"])
        login_field = "login" if "login" in fields else "email"
        fields.update({login_field: self.email, "password": password})
        fields.pop("remember", None)
        _status, _body, headers = self.expect(
            "POST",
            form["action"] or "/accounts/login/",
            statuses=(302,),
            data=fields,
            headers={"Referer": self.server.origin + "/accounts/login/"},
        )
        if "sessionid" not in self.cookies():
            raise BenchError(f"{self.email}: no session after signing in ({headers})")

    def cookies(self) -> dict[str, str]:
        return {cookie.name: cookie.value for cookie in self.jar}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies().items())


def sign_in_all(server: Server, settings: Settings, users: list[str], password: str) -> list:
    """Sign each in through the login form, a few at a time, rate-limit keys cleared first."""
    from concurrent.futures import ThreadPoolExecutor

    browsers: list[Browser] = []
    for start in range(0, len(users), 20):
        clear_login_rate_limits(settings)
        batch = [Browser(server, email) for email in users[start : start + 20]]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda browser: browser.login(password), batch))
        browsers.extend(batch)
    return browsers


# --- wrk ------------------------------------------------------------------------------


def ensure_wrk() -> str | None:
    """wrk on PATH, installed from Debian's packages if missing; None if that cannot be done."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    say("wrk is missing: apt-get install wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    for command in ([*sudo, apt, "update", "-qq"], [*sudo, apt, "install", "-y", "-qq", "wrk"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            say(f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}")
            return None
    return shutil.which("wrk")


@dataclass
class Line:
    """One session as wrk sends it (see sessions.lua)."""

    method: str
    path: str
    headers: dict[str, str]
    body: str = ""
    etag_key: str = ""

    def tsv(self) -> str:
        fields = [self.method, self.path, self.body, self.etag_key]
        fields += [f"{name}: {value}" for name, value in self.headers.items()]
        for value in fields:
            if "\t" in value or "\n" in value:
                raise BenchError(f"tab or newline in a request field: {value!r}")
        return "\t".join(fields)


@dataclass
class Scenario:
    key: str
    label: str
    lines: list[Line]
    expected: tuple[int, ...]
    note: str = ""
    budget_p95_ms: float | None = 120.0
    min_ratio: float | None = None
    result: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)
    memory: list = field(default_factory=list)

    @property
    def errors(self) -> int:
        if not self.result:
            return 0
        unexpected = sum(
            n for status, n in self.result["statuses"].items() if int(status) not in self.expected
        )
        socket_errors = sum(v for k, v in self.result["errors"].items() if k != "status")
        return unexpected + socket_errors

    @property
    def rps(self) -> float:
        return self.result["requests"] / (self.result["duration_us"] / 1e6)

    def ms(self, key: str) -> float:
        return self.result["latency_us"][key] / 1000

    def cpu_ms(self, who: str) -> float:
        """CPU milliseconds per request spent by `who` (workers, postgres) during the run."""
        return self.cpu[who] / self.rps * 1000 if self.cpu and self.rps else 0.0


def run_wrk(
    wrk: str, server: Server, settings: Settings, scenario: Scenario, tmp: Path, seconds: int
) -> dict:
    requests = tmp / f"{scenario.key}.tsv"
    requests.write_text("\n".join(line.tsv() for line in scenario.lines) + "\n")
    command = [
        wrk,
        f"-t{settings.threads}",
        f"-c{settings.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LOAD_DIR / "sessions.lua"),
        server.url,
        "--",
        str(requests),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    (tmp / f"{scenario.key}-{seconds}s.wrk.txt").write_text(result.stdout + result.stderr)
    match = re.search(r"^BENCHJSON (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not match:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(match.group(1))
    data["command"] = "wrk " + " ".join(command[1:9]) + " -s sessions.lua URL -- requests.tsv"
    return data


def _proc_cpu_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _bench_postgres_pids(database: str) -> list[int]:
    pids: list[int] = []
    if not database:  # the anchor has no database
        return pids
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title:
            pids.append(int(entry.name))
    return pids


def cpu_snapshot(server: Server, database: str) -> dict:
    """CPU time so far (clock ticks): the whole machine, the workers, the bench's PostgreSQL
    backends and wrk (children of this process), to tell how much went elsewhere."""
    line = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in line]
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]  # all but idle and iowait
    children = os.times()
    return {
        "at": time.monotonic(),
        "busy": busy,
        "workers": {pid: _proc_cpu_ticks(pid) for pid in server.workers()},
        "postgres": {pid: _proc_cpu_ticks(pid) for pid in _bench_postgres_pids(database)},
        "children_s": children.children_user + children.children_system,
    }


def cpu_share(before: dict, after: dict) -> dict:
    """Cores in use on average between two snapshots, by whom."""
    hz = os.sysconf("SC_CLK_TCK")
    seconds = after["at"] - before["at"]

    def delta(kind):
        return sum(t - before[kind].get(pid, 0) for pid, t in after[kind].items()) / hz

    machine = (after["busy"] - before["busy"]) / hz
    workers, postgres = delta("workers"), delta("postgres")
    wrk = after["children_s"] - before["children_s"]
    other = max(machine - workers - postgres - wrk, 0.0)
    return {
        k: v / seconds
        for k, v in {
            "machine": machine,
            "workers": workers,
            "postgres": postgres,
            "wrk": wrk,
            "other": other,
        }.items()
    }


def wait_for_quiet(server: Server, database: str, seconds: int) -> float:
    """Wait up to `seconds` until other processes use under 0.2 cores; return their share."""
    deadline = time.monotonic() + seconds
    while True:
        before = cpu_snapshot(server, database)
        time.sleep(2)
        other = cpu_share(before, cpu_snapshot(server, database))["other"]
        if other < 0.2 or time.monotonic() >= deadline:
            return other
        say(f"other processes use {other:.2f} cores: waiting for a quieter machine")
        time.sleep(3)


def worker_memory(server: Server) -> list[dict]:
    rows = []
    for pid in server.workers():
        hwm, rss = proc_status_kb(pid, "VmHWM"), proc_status_kb(pid, "VmRSS")
        rows.append({"pid": pid, "hwm_mb": (hwm or 0) / 1024, "rss_mb": (rss or 0) / 1024})
    return rows


# --- the report ------------------------------------------------------------------------


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "mem_gb": mem_gb}


def table(scenarios: list[Scenario], anchor_rps: float) -> list[str]:
    rows = [
        "| scenario | requests/s | p50 ms | p95 ms | p99 ms | errors | vs bare page "
        "| targets | CPU ms/request: workers + PostgreSQL |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for s in scenarios:
        ratio = s.rps / anchor_rps if anchor_rps else 0.0
        rows.append(
            f"| {s.label} | {s.rps:,.0f} | {s.ms('p50'):.1f} | {s.ms('p95'):.1f} | "
            f"{s.ms('p99'):.1f} | {s.errors} | {ratio:.0%} | {budget(s, ratio)} | "
            f"{s.cpu_ms('workers'):.1f} + {s.cpu_ms('postgres'):.1f} |"
        )
    return rows


def budget(s: Scenario, ratio: float) -> str:
    if s.key.startswith("anchor"):
        return "anchor"
    checks = []
    if s.budget_p95_ms is not None:
        ok = s.ms("p95") < s.budget_p95_ms
        checks.append(f"{'pass' if ok else 'FAIL'} (p95 < {s.budget_p95_ms:.0f} ms)")
    if s.min_ratio is not None:
        ok = ratio >= s.min_ratio
        checks.append(f"{'pass' if ok else 'FAIL'} (≥ {s.min_ratio:.0%} of bare page)")
    return "; ".join(checks) if checks else "—"


START, END = "<!-- load-bench:start -->", "<!-- load-bench:end -->"
EARLIER = "<!-- load-bench:earlier run -->"


def write_section(path: Path, lines: list[str]) -> None:
    """Put this run's section first, keeping every earlier run's table below it.

    The newest run sits between the markers; the one it replaces there keeps its text, under
    the marker of an earlier run, so that the file is the history of every run.
    """
    section = "\n".join([START, *lines, END])
    if path.exists():
        text = path.read_text()
        if START in text and END in text:
            before, rest = text.split(START, 1)
            previous, after = rest.split(END, 1)
            earlier = "\n".join([EARLIER, previous.strip("\n")])
            text = before + section + "\n\n" + earlier + "\n" + after
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
    else:
        text = "# Benchmarks\n\nFigures from `make bench` (tests/perf).\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
