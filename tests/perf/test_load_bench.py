"""Load benchmark: the demo district served by gunicorn with production settings, driven by wrk.

Run by `make bench` (pytest tests/perf -s). It seeds a PostgreSQL database of its own
(`accord_load`; reused while the seed code and migrations are unchanged), serves it with
`gunicorn config.wsgi -w 2` and DEBUG=0 behind a pretend TLS proxy (every request carries
`X-Forwarded-Proto: https`), signs users in through the real login form, and runs wrk at 20
connections against its scenarios (BENCH_SCENARIOS=key,key runs some of them). Before and after
them it serves the anchor, a bare Django page (tests/perf/bare), with the same gunicorn command
and load, and reports every scenario as a share of the anchor's throughput, so that noise on a
shared machine cancels out of the ratio. It prints a table and adds it to docs/benchmarks.md
above the earlier runs.

Speed is reported, never asserted: the only assertion is that no scenario got an error or an
unexpected answer (a 403, 500 or a redirect to the login page would measure an error page).

Settings (environment): BENCH_SCENARIOS (all: healthz, signed-in, dashboard, plan, live,
family, results, answer, link, inbox, mywork, api, rsvp), BENCH_SCHOOLS (200), BENCH_DURATION
(20 s per scenario), BENCH_WARMUP (5 s), BENCH_CONNECTIONS (20), BENCH_THREADS (2),
BENCH_SESSIONS (20), BENCH_WORKERS (2), BENCH_RESEED=1 (seed again), BENCH_DOCS=0 (do not write
the docs), BENCH_QUIET_WAIT (30: seconds to wait, before each scenario, for other processes to
leave the CPU alone; the report says how much CPU they took either way), BENCH_DATABASE_URL
(else DATABASE_URL's server, database accord_load), BENCH_REDIS_URL (redis://127.0.0.1:6379/5)
and BENCH_BROKER_URL (redis://127.0.0.1:6379/6).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
import urllib.parse
from itertools import cycle, islice

import pytest

from tests.perf.load import harness as h

STAFF_PASSWORD = "accord-demo"  # the demo accounts' password (seed_demo)
FAMILY_PASSWORD = "accord-bench-family"  # given to the benchmark's families only
KEEP_COOKIES = ("sessionid", "csrftoken", "accord_language")


def take(items: list, n: int) -> list:
    """n items, going round again when there are fewer (a user then has several sessions)."""
    return list(islice(cycle(items), n)) if items else []


def services_or_skip(settings: h.Settings) -> None:
    try:
        import psycopg

        with psycopg.connect(h._maintenance_conninfo(settings.database_url), connect_timeout=5):
            pass
    except Exception as error:
        pytest.skip(f"the load benchmark needs PostgreSQL ({settings.database_url}): {error}")
    try:
        import redis

        redis.Redis.from_url(settings.redis_cache_url, socket_timeout=5).ping()
    except Exception as error:
        pytest.skip(f"the load benchmark needs Redis ({settings.redis_cache_url}): {error}")


def page_headers(server: h.Server, browser: h.Browser) -> dict[str, str]:
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies().items() if k in KEEP_COOKIES)
    return {
        "Host": f"127.0.0.1:{server.port}",
        "User-Agent": h.BROWSER_HEADERS["User-Agent"],
        "Accept": h.BROWSER_HEADERS["Accept"],
        "X-Forwarded-Proto": "https",
        "Cookie": cookies,
    }


def check_lines(server: h.Server, scenario: h.Scenario, browsers: list[h.Browser]) -> None:
    """Each session's request once, from Python, so that a wrong answer fails with its page."""
    for line, browser in zip(scenario.lines, browsers, strict=True):
        headers = {k: v for k, v in line.headers.items() if k not in ("Host", "Cookie")}
        data = urllib.parse.parse_qsl(line.body, keep_blank_values=True) if line.body else None
        _status, _body, answer = browser.expect(
            line.method, line.path, statuses=scenario.expected, data=data, headers=headers
        )
        if "/accounts/login/" in (answer.get("Location") or ""):
            raise h.BenchError(f"{browser.email}: {line.path} sent the session to sign in")


def test_load_benchmark(tmp_path, request):
    settings = h.Settings()
    services_or_skip(settings)
    wrk = h.ensure_wrk()
    if wrk is None:
        pytest.skip(
            "the load benchmark needs wrk: `apt-get install wrk` (Debian) did not work here"
        )
    started = time.perf_counter()
    env = h.server_env(settings)
    seed = h.ensure_seeded(settings, env)
    h.manage(env, "collectstatic", "--noinput")

    picked = subprocess.run(
        [h.PYTHON, str(h.LOAD_DIR / "prepare.py"), str(settings.sessions), FAMILY_PASSWORD],
        cwd=h.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if picked.returncode != 0:
        raise h.BenchError(f"prepare.py failed:\n{picked.stdout}\n{picked.stderr}")
    picks = json.loads(picked.stdout.strip().splitlines()[-1])
    h.say(f"ANALYZE of the bench database (the planner's statistics): {h.analyze(settings):.1f} s")
    n = settings.sessions
    assert picks["admin"], "no district admin in the bench database"
    for key in ("principals", "live", "families"):
        assert picks[key], f"the bench database has no {key} to benchmark"
    h.say(
        f"bench database: {picks['schools']} schools, {picks['people']} people. "
        f"{len(picks['families'])} family accounts were given the password "
        f"{FAMILY_PASSWORD!r} in the bench database (families normally sign in by e-mailed "
        "code) so that they sign in through the same login form."
    )

    anchors = [anchor_run(wrk, settings, tmp_path, "anchor-before", "before")]
    scenarios: list[h.Scenario] = []
    with h.redis_dbs(settings), h.gunicorn(settings, env, tmp_path / "gunicorn.log") as server:
        first_workers = server.workers()
        database = h._db_name(settings.database_url)
        load_before = h.load_average()
        origin = server.origin

        # Sign in through the login form (GET for the CSRF cookie, POST the form) the
        # sessions of the scenarios that run (BENCH_SCENARIOS).
        want = settings.wants
        survey = picks.get("survey") or {}

        def sign_in(emails: list[str], password: str = STAFF_PASSWORD) -> list[h.Browser]:
            return h.sign_in_all(server, settings, emails, password) if emails else []

        admin_browsers = sign_in(
            [picks["admin"]] * n if want("dashboard") or want("signed-in") else []
        )
        principals = take(picks["principals"], n)
        principal_browsers = sign_in(
            [p["email"] for p in principals] if want("plan") or want("mywork") else []
        )
        live = take(picks["live"], n)
        live_browsers = sign_in([p["email"] for p in live] if want("live") else [])
        families = take(picks["families"], n)
        family_browsers = sign_in(
            [f["email"] for f in families] if want("family") or want("rsvp") else [],
            FAMILY_PASSWORD,
        )
        owner_browsers = sign_in(
            [survey["owner"]] * n if survey and (want("results") or want("inbox")) else []
        )
        staff_browsers = sign_in(
            [survey["staff"]] * n if survey.get("staff") and want("answer") else []
        )
        signed = sum(
            len(b)
            for b in (
                admin_browsers,
                principal_browsers,
                live_browsers,
                family_browsers,
                owner_browsers,
                staff_browsers,
            )
        )
        h.say(
            f"signed in {signed} sessions through /accounts/login/ "
            "(allauth's per-IP sign-in rate-limit keys cleared before each batch of 20)"
        )
        anonymous = [h.Browser(server, "anonymous") for _ in range(n)]
        bare_headers = {
            "Host": f"127.0.0.1:{server.port}",
            "User-Agent": h.BROWSER_HEADERS["User-Agent"],
            "Accept": h.BROWSER_HEADERS["Accept"],
            "X-Forwarded-Proto": "https",
        }
        runs: list[tuple[h.Scenario, list[h.Browser]]] = []

        # (a) the minimal view, anonymous.
        if want("healthz"):
            runs.append(
                (
                    h.Scenario(
                        "healthz",
                        "minimal view GET /healthz",
                        [h.Line("GET", "/healthz", {**bare_headers})],
                        expected=(200,),
                        note="anonymous; plain HttpResponse through the whole middleware stack",
                        budget_p95_ms=None,
                    ),
                    anonymous[:1],
                )
            )

        # (a') the signed-in path alone: the same minimal view with a session, so every
        # middleware reads the session and the person (two queries) and the district's zone.
        # What it serves is the ceiling of any page a signed-in person opens.
        if want("signed-in"):
            runs.append(
                (
                    h.Scenario(
                        "signed-in",
                        "signed-in path GET /healthz with a session",
                        [
                            h.Line("GET", "/healthz", page_headers(server, b))
                            for b in admin_browsers
                        ],
                        expected=(200,),
                        note=(
                            f"the district admin, {n} sessions; the ceiling of a signed-in page "
                            "(session and person read from PostgreSQL, no page work)"
                        ),
                        budget_p95_ms=None,
                    ),
                    admin_browsers,
                )
            )

        # (b) the district dashboard, or the district page until the dashboard exists.
        district = picks["district"]
        if want("dashboard"):
            dashboard = f"/districts/{district}/dashboard/"
            status, _body, _headers = admin_browsers[0].request("GET", dashboard)
            if status != 200:
                h.say(f"{dashboard} answered {status}: benchmarking /districts/{district}/")
                dashboard = f"/districts/{district}/"
            runs.append(
                (
                    h.Scenario(
                        "dashboard",
                        f"district dashboard GET {dashboard}",
                        [h.Line("GET", dashboard, page_headers(server, b)) for b in admin_browsers],
                        expected=(200,),
                        note=f"the district admin, {n} sessions",
                        min_ratio=0.50,
                    ),
                    admin_browsers,
                )
            )

        # (c) each school's principal on the school's work plan.
        if want("plan"):
            runs.append(
                (
                    h.Scenario(
                        "plan",
                        "work plan GET schools/<slug>/plans/<pk>/",
                        [
                            h.Line("GET", p["path"], page_headers(server, b))
                            for p, b in zip(principals, principal_browsers, strict=True)
                        ],
                        expected=(200,),
                        note=(
                            f"{len({p['school'] for p in principals})} schools' principals, "
                            "each on their own school's plan"
                        ),
                        min_ratio=0.25,
                    ),
                    principal_browsers,
                )
            )

        # (d) the live meeting page's poll, as htmx sends it (with If-None-Match once known).
        if want("live"):
            live_lines = []
            for p, b in zip(live, live_browsers, strict=True):
                headers = page_headers(server, b)
                headers.update(
                    {
                        "Accept": "*/*",
                        "HX-Request": "true",
                        "HX-Trigger": "live",
                        "HX-Target": "live",
                        "HX-Current-URL": origin + p["page"],
                        "Referer": origin + p["page"],
                    }
                )
                live_lines.append(h.Line("GET", p["path"], headers, etag_key=str(p["user_id"])))
            meetings = sorted({(p["meeting"], p["status"]) for p in live})
            states = ", ".join(sorted({s for _m, s in meetings}))
            runs.append(
                (
                    h.Scenario(
                        "live",
                        "live meeting poll GET schools/<slug>/meetings/<pk>/live/",
                        live_lines,
                        expected=(200, 304),
                        note=(
                            f"{len({p['email'] for p in live})} ILT members of "
                            f"{len(meetings)} meeting(s) ({states}); "
                            "each session's first poll in a wrk thread has no If-None-Match and "
                            "gets 200 with the ETag, every later poll sends it back and gets 304"
                        ),
                        min_ratio=0.25,
                    ),
                    live_browsers,
                )
            )

        # (e) the family page.
        if want("family"):
            runs.append(
                (
                    h.Scenario(
                        "family",
                        "family events GET /family/",
                        [
                            h.Line("GET", "/family/", page_headers(server, b))
                            for b in family_browsers
                        ],
                        expected=(200,),
                        note=f"{len({f['email'] for f in families})} families of "
                        f"{len({f['school'] for f in families})} school(s), each on its own "
                        "school's page",
                        min_ratio=0.25,
                    ),
                    family_browsers,
                )
            )

        # (g) a survey's results, its owner (the principal) on a survey with many responses.
        if survey and want("results"):
            runs.append(
                (
                    h.Scenario(
                        "results",
                        "survey results GET schools/<slug>/surveys/<pk>/results/",
                        [
                            h.Line("GET", survey["results"], page_headers(server, b))
                            for b in owner_browsers
                        ],
                        expected=(200,),
                        note=f"the survey's owner, {survey['responses']} responses, {n} sessions",
                        min_ratio=0.25,
                    ),
                    owner_browsers,
                )
            )

        # (h) the survey's answer page: a staff member of its audience, and a class link.
        if survey.get("staff") and want("answer"):
            runs.append(
                (
                    h.Scenario(
                        "answer",
                        "survey answer GET schools/<slug>/surveys/<pk>/answer/",
                        [
                            h.Line("GET", survey["answer"], page_headers(server, b))
                            for b in staff_browsers
                        ],
                        expected=(200,),
                        note=f"a staff member of the survey's audience, {n} sessions",
                        min_ratio=0.25,
                    ),
                    staff_browsers,
                )
            )
        if survey.get("link") and want("link"):
            runs.append(
                (
                    h.Scenario(
                        "link",
                        "class link GET /s/<token>/",
                        [h.Line("GET", survey["link"], {**bare_headers})],
                        expected=(200,),
                        note="a student, anonymous, on the survey's class link",
                        min_ratio=0.25,
                    ),
                    anonymous[:1],
                )
            )

        # (i) the school's inbox of family messages, its principal.
        if survey and want("inbox"):
            runs.append(
                (
                    h.Scenario(
                        "inbox",
                        "family messages inbox GET schools/<slug>/inbox/",
                        [
                            h.Line("GET", picks["inbox"], page_headers(server, b))
                            for b in owner_browsers
                        ],
                        expected=(200,),
                        note=f"the principal of a school with open conversations, {n} sessions",
                        min_ratio=0.25,
                    ),
                    owner_browsers,
                )
            )

        # (j) my work, each principal's own.
        if want("mywork"):
            runs.append(
                (
                    h.Scenario(
                        "mywork",
                        "my work GET /my/work/",
                        [
                            h.Line("GET", picks["mywork"], page_headers(server, b))
                            for b in principal_browsers
                        ],
                        expected=(200,),
                        note=f"{len({p['email'] for p in principals})} principals, each their own",
                        min_ratio=0.25,
                    ),
                    principal_browsers,
                )
            )

        # (k) the API's list endpoints with a district token, in turn.
        if picks.get("api_token") and want("api"):
            api_headers = {
                **bare_headers,
                "Accept": "application/json",
                "Authorization": f"Bearer {picks['api_token']}",
            }
            paths = take(picks["api"], n)
            runs.append(
                (
                    h.Scenario(
                        "api",
                        "API lists GET /api/v1/{schools,goals,events}/",
                        [h.Line("GET", path, dict(api_headers)) for path in paths],
                        expected=(200,),
                        note=(
                            "a district token with the read scope, the first page (50) of "
                            f"{', '.join(picks['api'])} in turn"
                        ),
                        min_ratio=0.25,
                    ),
                    [anonymous[0]] * len(paths),
                )
            )

        for scenario, browsers in runs:
            if len(browsers) != len(scenario.lines):
                browsers = [browsers[0]] * len(scenario.lines)
            check_lines(server, scenario, browsers)
            scenarios.append(scenario)

        # (f) an RSVP, posted as the event page's form does it (htmx: hx-post, X-CSRFToken from
        # the body's hx-headers, the form's fields). A first RSVP is posted from Python, then
        # the page's "Save changes to my RSVP" form is what wrk posts again and again.
        if want("rsvp"):
            rsvp_lines = []
            for f, b in zip(families, family_browsers, strict=True):
                rsvp_lines.append(rsvp_line(server, f, b))
            rsvp = h.Scenario(
                "rsvp",
                "RSVP POST schools/<slug>/events/<pk>/rsvp/",
                rsvp_lines,
                expected=(200,),
                note=(
                    "htmx POST of the event page's RSVP form (changing nothing); the view "
                    "answers with the family's RSVP panel, which htmx swaps in"
                ),
                min_ratio=0.25,
            )
            check_lines(server, rsvp, family_browsers)
            scenarios.append(rsvp)

        for scenario in scenarios:
            h.wait_for_quiet(server, database, settings.quiet_wait)
            if settings.warmup:
                warm = h.run_wrk(wrk, server, settings, scenario, tmp_path, settings.warmup)
                scenario.result = warm
                if scenario.errors:
                    break
            before = h.cpu_snapshot(server, database)
            scenario.result = h.run_wrk(
                wrk, server, settings, scenario, tmp_path, settings.duration
            )
            scenario.cpu = h.cpu_share(before, h.cpu_snapshot(server, database))
            scenario.memory = h.worker_memory(server)
            h.say(
                f"{scenario.key}: {scenario.rps:,.0f} req/s, p50 {scenario.ms('p50'):.1f} ms, "
                f"p95 {scenario.ms('p95'):.1f} ms, p99 {scenario.ms('p99'):.1f} ms, "
                f"statuses {scenario.result['statuses']}, errors {scenario.errors}, "
                f"worker CPU {scenario.cpu_ms('workers'):.1f} ms/request, "
                f"other processes {scenario.cpu['other']:.2f} cores"
            )
            if scenario.errors:
                break

        memory = h.worker_memory(server)
        restarted = sorted(set(first_workers) ^ {m["pid"] for m in memory})
        log_tail = server.log_tail(120)

    anchors.append(anchor_run(wrk, settings, tmp_path, "anchor-after", "after"))
    elapsed = time.perf_counter() - started
    ran = [s for s in scenarios if s.result]
    anchor_rps = sum(a.rps for a in anchors) / len(anchors)
    args = " ".join(shlex.quote(a) for a in request.config.invocation_params.args)
    if os.environ.get("MAKELEVEL"):
        command = " ".join([*settings.overrides(), "make bench"]) + f" (pytest {args})"
    else:
        command = " ".join([*settings.overrides(), "python -m pytest", args])
    lines = report(
        settings,
        seed,
        picks,
        anchors,
        ran,
        anchor_rps,
        memory,
        restarted,
        command,
        elapsed,
        load_before,
    )
    print("\n" + "\n".join(lines) + "\n")
    problems = [s for s in [*anchors, *ran] if s.errors] + [s for s in scenarios if not s.result]
    if re.search(r"Traceback|Internal Server Error", log_tail):
        print("--- gunicorn log (tail) ---\n" + log_tail)
    if problems:
        print("--- gunicorn log (tail) ---\n" + log_tail)
    listed = ", ".join(
        f"{s.key} {s.result.get('statuses')} {s.result.get('errors')}" for s in problems
    )
    assert not problems, (
        f"scenarios with errors or unexpected answers (the figures would measure an error page): "
        f"{listed}"
    )
    if settings.write_docs:
        h.write_section(h.BASE_DIR / "docs" / "benchmarks.md", lines)
        h.say("wrote docs/benchmarks.md")


def rsvp_line(server: h.Server, family: dict, browser: h.Browser) -> h.Line:
    _status, page, _headers = browser.expect("GET", family["event_path"])
    form = h.parse_form(page, form_id="rsvp-form")
    match = re.search(r"hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'", page)
    if not match:
        raise h.BenchError(f"no hx-headers CSRF token on {family['event_path']}")
    token = match.group(1)
    if not any(name == "csrfmiddlewaretoken" for name, _value in form["fields"]):
        form["fields"].insert(0, ("csrfmiddlewaretoken", token))
    origin = server.origin
    headers = page_headers(server, browser)
    headers.update(
        {
            "Accept": "*/*",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + family["event_path"],
            "X-CSRFToken": token,
            "HX-Request": "true",
            "HX-Trigger": "rsvp-form",
            "HX-Target": "my-rsvp",
            "HX-Current-URL": origin + family["event_path"],
        }
    )
    body = urllib.parse.urlencode(form["fields"])
    line = h.Line("POST", form["action"] or family["rsvp_path"], headers, body=body)
    # Post it once (the family's RSVP then exists) and take the form the page shows now.
    browser.expect(
        "POST",
        line.path,
        statuses=(200,),
        data=form["fields"],
        headers={k: v for k, v in headers.items() if k not in ("Host", "Cookie")},
    )
    _status, page, _headers = browser.expect("GET", family["event_path"])
    form = h.parse_form(page, form_id="rsvp-form")
    line.body = urllib.parse.urlencode(form["fields"])
    return line


def anchor_run(wrk: str, settings: h.Settings, tmp_path, key: str, when: str) -> h.Scenario:
    """The bare Django page (tests/perf/bare), served and loaded exactly as Accord is."""
    with h.gunicorn(
        settings, h.anchor_env(), tmp_path / f"{key}.log", "tests.perf.bare.wsgi"
    ) as server:
        headers = {
            "Host": f"127.0.0.1:{server.port}",
            "User-Agent": h.BROWSER_HEADERS["User-Agent"],
            "Accept": h.BROWSER_HEADERS["Accept"],
        }
        scenario = h.Scenario(
            key,
            f"bare Django page GET / ({when})",
            [h.Line("GET", "/", headers)],
            expected=(200,),
            note=(
                "tests/perf/bare: a 50-row template from memory, no database, session or auth, "
                f"the same gunicorn command; run {when} Accord's scenarios"
            ),
            budget_p95_ms=None,
        )
        h.Browser(server, "anonymous").expect("GET", "/")
        h.wait_for_quiet(server, "", settings.quiet_wait)
        if settings.warmup:
            h.run_wrk(wrk, server, settings, scenario, tmp_path, settings.warmup)
        before = h.cpu_snapshot(server, "")
        scenario.result = h.run_wrk(wrk, server, settings, scenario, tmp_path, settings.duration)
        scenario.cpu = h.cpu_share(before, h.cpu_snapshot(server, ""))
        h.say(
            f"{key}: {scenario.rps:,.0f} req/s, p50 {scenario.ms('p50'):.1f} ms, "
            f"p95 {scenario.ms('p95'):.1f} ms, errors {scenario.errors}"
        )
    return scenario


def report(
    settings,
    seed,
    picks,
    anchors,
    scenarios,
    anchor_rps,
    memory,
    restarted,
    command,
    elapsed,
    load_before,
):
    m = h.machine()
    seeded = (
        f"reused the database seeded {seed['seeded_at']}"
        if seed["reused"]
        else f"seeded this run in {seed['seconds']:.0f} s"
    )
    lines = [
        "## Load benchmark (tests/perf/test_load_bench.py)",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- Machine: {m['cores']} cores, {m['cpu']}, {m['mem_gb']:.0f} GB RAM; wrk, gunicorn, "
        "PostgreSQL and Redis all on this machine (loopback)",
        f"- Command: `{command}`",
        f"- Seed: `manage.py seed_demo --schools {settings.schools}` "
        f"({picks['schools']} schools, {picks['people']} people; {seeded})",
        f"- Server: `gunicorn config.wsgi -w {settings.workers} -b 127.0.0.1:<port>` (sync "
        "workers), DEBUG=0, Redis cache, Celery broker set (no worker running), every request "
        "with `X-Forwarded-Proto: https` as the TLS proxy sends it",
        f"- Load: `wrk -t{settings.threads} -c{settings.connections} -d{settings.duration}s "
        f"--latency` per scenario after a {settings.warmup} s warm-up, {settings.sessions} "
        "signed-in sessions per scenario (signed in through /accounts/login/), rotated per "
        "request by tests/perf/load/sessions.lua",
        f"- {len(picks['families'])} family accounts get a password in the bench database "
        "(families normally sign in by e-mailed code)",
        "",
        *h.table([anchors[0], *scenarios, *anchors[1:]], anchor_rps),
        "",
        f"Anchor: the bare Django page served {anchor_rps:,.0f} req/s on average "
        f"({', '.join(f'{a.rps:,.0f}' for a in anchors)} before and after); every share is of "
        "that average, so that what else the machine was doing cancels out of the ratio. "
        "Targets: every page p95 < 120 ms at 20 concurrent connections; the dashboard ≥ 50% "
        "of the bare page's throughput; the other pages ≥ 25%. Errors count every answer "
        "other than the expected one (200; 200/304 for the poll; 200 with the RSVP panel for "
        "the RSVP post) and every socket error. "
        "CPU ms/request is the CPU time the gunicorn workers and the bench database's "
        "PostgreSQL backends spent per request during the run (from /proc): it moves less "
        "than the latencies when other processes share the machine, but it does rise with "
        "them (shared caches and cores). With 20 connections on "
        f"{settings.workers} sync workers about {settings.connections // settings.workers} "
        "requests wait at each worker, so a request's latency is about that many times the "
        "time one request takes: p95 < 120 ms needs roughly 10 ms or less per request.",
        "",
    ]
    shared = False
    for s in [*anchors, *scenarios]:
        statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(s.result["statuses"].items()))
        cpu = getattr(s, "cpu", None)
        busy = ""
        if cpu:
            shared = shared or cpu["other"] > 0.15
            busy = (
                f" CPU (cores, average): machine {cpu['machine']:.2f} of {h.machine()['cores']}"
                f" = gunicorn workers {cpu['workers']:.2f} + PostgreSQL {cpu['postgres']:.2f}"
                f" + wrk {cpu['wrk']:.2f} + other processes {cpu['other']:.2f}."
            )
        grown = ""
        if getattr(s, "memory", None):
            grown = (
                " Workers' peak memory after it: "
                + ", ".join(f"{row['hwm_mb']:.0f} MB" for row in s.memory)
                + "."
            )
        lines.append(f"- {s.label}: {s.note}. Answers: {statuses}.{busy}{grown}")
    lines += [
        "",
        f"Load average before the first scenario: {load_before}."
        + (
            " Other processes used the CPU during the run (see 'other processes' above): "
            "the figures understate what the app does on a quiet machine."
            if shared
            else ""
        ),
    ]
    lines += ["", "Peak memory per gunicorn worker (VmHWM from /proc/<pid>/status):", ""]
    for row in memory:
        lines.append(
            f"- worker {row['pid']}: {row['hwm_mb']:.0f} MB peak, {row['rss_mb']:.0f} MB at the end"
        )
    if restarted:
        lines.append(f"- workers replaced during the run (peaks incomplete): {restarted}")
    lines += ["", f"Whole benchmark run: {elapsed / 60:.1f} min."]
    return lines
