"""PostgreSQL stops under a running app: people get a 503 in their language that says to try
again, readiness says so, and the app recovers by itself when PostgreSQL is back.

The app runs under gunicorn in a process of its own (production's error handling, persistent
connections with health checks) against a private cluster that the test stops and starts.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.utils import translation

from tests.faults.conftest import free_port, wait_until
from tests.leadership.factories import PASSWORD

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "principal@example.org"
SCHOOL = "/schools/lincoln/"
PAGES = [SCHOOL, SCHOOL + "people/", "/my/steps/"]
DOWN_MESSAGE = "We cannot reach our records right now. Please try again in a minute."
# From PostgreSQL accepting connections again to the first signed-in page served.
RECOVERY_BOUND = 15.0


class Browser:
    """Plain HTTP with a cookie jar and no redirects followed; every answer is tallied."""

    def __init__(self, port: int, tally: list[tuple[str, int]]):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.tally = tally

    def request(self, method: str, path: str, form=None, **headers) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers.setdefault("Accept-Language", "en")
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        self.tally.append((f"{method} {path}", response.status))
        return response.status, dict(response.headers), text

    def sign_in(self) -> None:
        status, _headers, html = self.request("GET", "/accounts/login/")
        assert status == 200, status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = {"csrfmiddlewaretoken": token, "login": EMAIL, "password": PASSWORD}
        status, headers, _html = self.request("POST", "/accounts/login/", form)
        assert status == 302 and "sessionid" in self.cookies, (status, headers)


PRINCIPAL_AT_LINCOLN = f"""
from leadership.models import Role
from tests.leadership.factories import DistrictFactory, SchoolFactory, person
district = DistrictFactory(slug="riverside", name="Riverside")
school = SchoolFactory(district=district, slug="lincoln", name="Lincoln Elementary")
person(Role.PRINCIPAL, school=school, email={EMAIL!r})
"""


def manage(env, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def app(postgres_cluster, tmp_path_factory):
    """gunicorn serving the app from the private cluster (migrated, one person in it)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY"}
    }
    env.update(
        DATABASE_URL=postgres_cluster.url(),
        DJANGO_SETTINGS_MODULE="tests.faults.live_settings",
        DEBUG="1",  # the development defaults (plain HTTP, a key); live_settings turns DEBUG off
        CONN_MAX_AGE="60",  # production's persistent connections: they must recover too
        DATABASE_CONNECT_TIMEOUT="2",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        LOG_LEVEL="WARNING",
    )
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", PRINCIPAL_AT_LINCOLN)
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "1",
            "--timeout", "60",
            "--no-control-socket",  # the default socket is per user: other gunicorns use it
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip

    def answers() -> bool:
        try:
            return Browser(port, []).request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    try:
        wait_until(answers, timeout=60, what="gunicorn")
        yield port, postgres_cluster
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        print(f"\ngunicorn log tail:\n{log.read_text()[-1500:]}")


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgres_stops_people_get_a_503_in_spanish_and_the_app_recovers_alone(app, mode):
    port, cluster = app
    tally: list[tuple[str, int]] = []
    person = Browser(port, tally)
    probe = Browser(port, tally)  # a load balancer: no cookies
    person.sign_in()
    for path in PAGES:
        status, _headers, html = person.request("GET", path, **{"Accept-Language": "es"})
        assert status == 200 and "Lincoln Elementary" in html, (path, status)
    status, _headers, body = probe.request("GET", "/readyz")
    assert status == 200 and '"database": "ok"' in body

    cluster.stop(mode)
    during: list[tuple[str, int]] = []
    for path in ["/", *PAGES]:
        status, headers, html = person.request("GET", path, **{"Accept-Language": "es"})
        during.append((path, status))
        assert status == 503, (path, status, html[:300])
        assert headers["Retry-After"] == "60"
        assert headers["Content-Language"] == "es"
        assert '<html lang="es">' in html
        with translation.override("es"):
            assert translation.gettext(DOWN_MESSAGE) in html
    status, headers, html = person.request("GET", "/", **{"Accept-Language": "en-US"})
    assert (status, headers["Content-Language"]) == (503, "en")
    assert DOWN_MESSAGE in html
    status, _headers, body = probe.request("GET", "/readyz")
    assert status == 503 and '"database": "down"' in body
    assert probe.request("GET", "/healthz")[0] == 200  # alive: nothing to restart

    issued = time.monotonic()
    cluster.start()  # returns once PostgreSQL accepts connections
    back = time.monotonic()
    served: list[int] = []

    def signed_in_page_served() -> bool:
        served.append(person.request("GET", SCHOOL)[0])
        return served[-1] == 200

    recovery = wait_until(signed_in_page_served, timeout=RECOVERY_BOUND, what="recovery")
    assert set(served) <= {200, 503}, served
    for path in PAGES:  # still signed in, with the session from before: nothing lost
        status, _headers, html = person.request("GET", path)
        assert status == 200 and "Lincoln Elementary" in html, (path, status)
    status, _headers, body = probe.request("GET", "/readyz")
    assert status == 200 and '"database": "ok"' in body
    # A restart between two requests: the worker's persistent connection is dead, and the
    # health check (CONN_HEALTH_CHECKS) must find that out before the page uses it.
    cluster.stop(mode)
    cluster.start()
    assert person.request("GET", SCHOOL)[0] == 200
    statuses = Counter(status for _what, status in tally)
    print(
        f"\nPostgreSQL stopped ({mode}): {len(tally)} requests, by status "
        f"{dict(sorted(statuses.items()))}; first signed-in page {recovery:.2f} s after "
        f"PostgreSQL accepted connections ({back - issued + recovery:.2f} s after the start "
        f"command, {len(served)} tries)"
    )
    assert not any(status == 500 for status in statuses), tally
