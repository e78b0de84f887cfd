"""Where a request's time goes, measured in-process: the benchmark's pages through the WSGI
handler with the settings the bench serves (DEBUG=0, Redis cache), no network and no wrk.

Run it against a seeded bench database (tests/perf/test_load_bench.py seeds `accord_load`;
prepare.py picks the users and builds the surveys and messages), never a real one:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accord_load \\
    REDIS_URL=redis://127.0.0.1:6379/5 DEBUG=0 SECRET_KEY=x \\
    python tests/perf/profile_pages.py [--requests 200] [--profile PAGE] [PAGE ...]

For each page it prints CPU ms per request (time.process_time of this process: the Django
side alone), PostgreSQL ms per request (the CPU time of this process's database backend, read
from /proc: the server must run on this machine), wall ms per request and queries per
request. `--sql` prints each page's queries, `--explain` with it PostgreSQL's planning and
execution time of each (EXPLAIN ANALYZE, run twice).
`--profile PAGE` prints cProfile's top functions (cumulative) for that page. PAGE is a
scenario key of the load bench (signed-in, dashboard, plan, live, family, rsvp, ...).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

FAMILY_PASSWORD = "accord-bench-family"


class Session:
    """One signed-in browser: its cookies, requests through the WSGI handler."""

    def __init__(self, app: WSGIHandler, email: str | None):
        self.app = app
        self.cookies: dict[str, str] = {}
        if email:
            client = Client()
            client.force_login(get_user_model().objects.get(email=email))
            self.cookies = {name: morsel.value for name, morsel in client.cookies.items()}

    def environ(self, method: str, path: str, body: bytes = b"", headers=None) -> dict:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_USER_AGENT": "accord-profile",
            "HTTP_ACCEPT": "text/html,*/*;q=0.8",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
            "CONTENT_LENGTH": str(len(body)),
        }
        if body:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        return environ

    def request(self, method: str, path: str, body: bytes = b"", headers=None):
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = response_headers

        chunks = self.app(self.environ(method, path, body, headers), start_response)
        try:
            content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return answer["status"], content, dict(answer["headers"])


def pages(app: WSGIHandler, picks: dict) -> dict:
    """Scenario key -> (session, method, path, body, headers, expected statuses)."""
    found = {}
    district = picks["district"]
    admin = Session(app, picks["admin"])
    found["healthz"] = (Session(app, None), "GET", "/healthz", b"", {}, (200,))
    # The signed-in path alone: every middleware with a session, no page work.
    found["signed-in"] = (admin, "GET", "/healthz", b"", {}, (200,))
    found["mywork"] = (admin, "GET", "/my/work/", b"", {}, (200,))
    found["dashboard"] = (admin, "GET", f"/districts/{district}/dashboard/", b"", {}, (200,))
    principal = picks["principals"][0]
    principal_session = Session(app, principal["email"])
    found["plan"] = (principal_session, "GET", principal["path"], b"", {}, (200,))
    # As the bench's "mywork" scenario asks it: a principal, on their own page.
    found["mywork-principal"] = (principal_session, "GET", "/my/work/", b"", {}, (200,))
    live = picks["live"][0]
    found["live"] = (
        Session(app, live["email"]),
        "GET",
        live["path"],
        b"",
        {"HX-Request": "true", "HX-Target": "live"},
        (200,),
    )
    live_session = found["live"][0]
    _s, _c, answer = live_session.request("GET", live["path"], b"", found["live"][4])
    etag = {k.lower(): v for k, v in answer.items()}.get("etag", "")
    found["live304"] = (
        live_session,
        "GET",
        live["path"],
        b"",
        {"HX-Request": "true", "HX-Target": "live", "If-None-Match": etag},
        (304,),
    )
    family = picks["families"][0]
    family_session = Session(app, family["email"])
    found["family"] = (family_session, "GET", "/family/", b"", {}, (200,))
    status, page, _ = family_session.request("GET", family["event_path"])
    assert status == 200, (status, family["event_path"])
    text = page.decode()
    token = re.search(r'"x-csrftoken": "([^"]+)"', text).group(1)
    form = re.search(r'<form[^>]*id="rsvp-form".*?</form>', text, re.S).group(0)
    fields = [("csrfmiddlewaretoken", token)]
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        if kind in ("radio", "checkbox") and "checked" not in tag:
            continue
        if kind in ("submit", "button"):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields.append((name.group(1), value.group(1) if value else ""))
    headers = {
        "X-CSRFToken": token,
        "HX-Request": "true",
        "HX-Trigger": "rsvp-form",
        "HX-Target": "my-rsvp",
        "Origin": "https://127.0.0.1",
        "Referer": "https://127.0.0.1" + family["event_path"],
    }
    found["rsvp"] = (
        family_session,
        "POST",
        family["rsvp_path"],
        urlencode(fields).encode(),
        headers,
        (200, 302),
    )
    survey = picks.get("survey")
    if survey:
        owner = Session(app, survey["owner"])
        found["results"] = (owner, "GET", survey["results"], b"", {}, (200,))
        if survey.get("staff"):
            staff = Session(app, survey["staff"])
            found["answer"] = (staff, "GET", survey["answer"], b"", {}, (200,))
        if survey.get("link"):
            found["link"] = (Session(app, None), "GET", survey["link"], b"", {}, (200,))
        found["inbox"] = (owner, "GET", picks["inbox"], b"", {}, (200,))
    if picks.get("api_token"):
        bearer = {"Authorization": f"Bearer {picks['api_token']}", "Accept": "application/json"}
        for path in picks["api"]:
            key = "api-" + path.rstrip("/").rsplit("/", 1)[-1]
            found[key] = (Session(app, None), "GET", path, b"", bearer, (200,))
    return found


EXPLAIN = False


def explain(queries) -> list[str]:
    """PostgreSQL's planning and execution time of each query, run again with its arguments
    (EXPLAIN ANALYZE, a second time so that the first's catalogue reads do not count)."""
    timings = []
    with connection.cursor() as cursor:
        for sql, params in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                timings.append("(not a SELECT)")
                continue
            for _ in range(2):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            planning, execution = plan["Planning Time"], plan["Execution Time"]
            timings.append(f"planning {planning:.3f} ms, execution {execution:.3f} ms")
    return timings


def backend_cpu() -> float:
    """CPU seconds this process's PostgreSQL backend has used (from /proc: the server runs on
    this machine), so a page's database time is measured beside its Python time. The
    connection is the one the requests use (CONN_MAX_AGE keeps it open between them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(spec, n: int) -> dict:
    session, method, path, body, headers, expected = spec
    status, content, _ = session.request(method, path, body, headers)
    if status not in expected:
        raise SystemExit(f"{method} {path}: {status}\n{content[:2000].decode(errors='replace')}")
    for _ in range(3):  # warm: templates compiled, connections open
        session.request(method, path, body, headers)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        session.request(method, path, body, headers)
    # Function calls per request: steady where CPU time is not (a shared machine).
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        session.request(method, path, body, headers)
    profiler.disable()
    calls = pstats.Stats(profiler).total_calls / 10
    backend = backend_cpu()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        session.request(method, path, body, headers)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    backend = backend_cpu() - backend
    return {
        "cpu_ms": cpu / n * 1000,
        "pg_ms": backend / n * 1000,
        "wall_ms": wall / n * 1000,
        "queries": len(queries),
        "calls": calls,
        "sql": queries,
        "explain": explain(queries) if EXPLAIN else [],
        "bytes": len(content),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", default="")
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument(
        "--explain", action="store_true", help="with --sql: each query's planning and run time"
    )
    parser.add_argument("--picks", default="", help="prepare.py's JSON (else run it)")
    args = parser.parse_args()
    global EXPLAIN
    EXPLAIN = args.explain
    if args.picks:
        picks = json.loads(Path(args.picks).read_text())
    else:
        out = subprocess.run(
            [sys.executable, str(BASE_DIR / "tests/perf/load/prepare.py"), "5", FAMILY_PASSWORD],
            capture_output=True,
            text=True,
            check=True,
        )
        picks = json.loads(out.stdout.strip().splitlines()[-1])
    app = WSGIHandler()
    specs = pages(app, picks)
    chosen = args.pages or list(specs)
    print(
        f"{'page':<16} {'CPU ms/req':>10} {'PG ms/req':>9} {'wall ms':>8} {'queries':>8} "
        f"{'calls/req':>10} "
        f"{'bytes':>8}"
    )
    for key in chosen:
        result = measure(specs[key], args.requests)
        print(
            f"{key:<16} {result['cpu_ms']:>10.2f} {result['pg_ms']:>9.2f} "
            f"{result['wall_ms']:>8.2f} {result['queries']:>8} {result['calls']:>10,.0f} "
            f"{result['bytes']:>8}"
        )
        if args.sql:
            timings = result["explain"] or [""] * len(result["sql"])
            for (sql, _params), timing in zip(result["sql"], timings, strict=True):
                print("    " + sql[: int(os.environ.get("SQL_WIDTH", "300"))])
                if timing:
                    print("        " + timing)
    if args.profile:
        spec = specs[args.profile]
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.requests):
            spec[0].request(*spec[1:5])
        profiler.disable()
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "60")))
        stats.sort_stats("tottime").print_stats(30)
        for name in filter(None, os.environ.get("PROFILE_CALLERS", "").split(",")):
            stats.print_callers(name)
        for name in filter(None, os.environ.get("PROFILE_CALLEES", "").split(",")):
            stats.print_callees(name)
        print(stream.getvalue())


if __name__ == "__main__":
    main()
