"""Redis goes away under signed-in people: they keep browsing and writing, sign in anew, and
nothing stale is served when it comes back.

The app's cache (the dashboard's, the plan page's and the family page's caches, allauth's rate
limits) points at a private redis-server that the tests kill or hang; sessions are in the
database. Every page of the walk is asserted by status and by content.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

import pytest
from django.contrib.sessions.backends import cached_db as cached_db_sessions
from django.contrib.sessions.backends import db as db_sessions
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from district import rollups
from engagement.models import Rsvp
from leadership import clock, versions
from tests.engagement.factories import EventFactory
from tests.leadership.factories import PASSWORD
from tests.teams.factories import ilt_for
from tests.workplans.factories import ActionStepFactory, GoalFactory, WorkPlanFactory
from workplans.models import ProgressUpdate

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

# A request may wait on the cache's socket timeouts (0.25 s each, a few per page) while Redis
# hangs; a hang would be the operating system's TCP timeout, minutes. The bound tells the two
# apart with room for a loaded machine.
HUNG_REQUEST_BOUND = 10.0


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def app_redis(redis_server, settings):
    """The app's cache on the private Redis (the settings signal resets the cache handler)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": redis_server.url(0),
            "KEY_PREFIX": "accord",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }
    # Sessions in the database alone: Django's database backend (leadership.sessions reads
    # it with a plain query), never cached_db.
    engine = import_module(settings.SESSION_ENGINE).SessionStore
    assert issubclass(engine, db_sessions.SessionStore)
    assert not issubclass(engine, cached_db_sessions.SessionStore)
    cache.set("faults:probe", "here")
    assert cache.get("faults:probe") == "here", "the cache is not the private Redis"
    cache.delete("faults:probe")
    return redis_server


def cached_keys() -> int:
    return len(cache.keys("*"))


@dataclass
class School:
    """Lincoln with something on every page: an ILT, a plan with a goal and a step, an
    event, and dashboard figures (so the plan, family and dashboard pages are cached)."""

    plan_url: str
    step_url: str
    event_url: str
    rsvp_url: str
    step_pk: int
    event_pk: int


@pytest.fixture
def lincoln(world) -> School:
    ilt = ilt_for(world)
    today = clock.today_in(world.district)
    plan = WorkPlanFactory(school=world.school, school_year=ilt.year)
    goal = GoalFactory(plan=plan, order=1, smart_statement="Reading at grade level rises to 60%.")
    step = ActionStepFactory(
        goal=goal,
        title="Plan the learning walk",
        owner=world.teacher_leader,
        start=today - timedelta(days=30),
        due=today + timedelta(days=14),
    )
    event = EventFactory(school=world.school)
    rollups.refresh_district(world.district)
    assert versions.version_of(world.school.pk) is not None
    slug = world.school.slug
    event_kwargs = {"slug": slug, "pk": event.pk}
    return School(
        plan_url=reverse("workplans:plan_detail", kwargs={"slug": slug, "pk": plan.pk}),
        step_url=reverse("workplans:step_progress", kwargs={"slug": slug, "pk": step.pk}),
        event_url=reverse("engagement:event_detail", kwargs=event_kwargs),
        rsvp_url=reverse("engagement:rsvp_submit", kwargs=event_kwargs),
        step_pk=step.pk,
        event_pk=event.pk,
    )


def pages(world, lincoln: School) -> dict[str, list[tuple[str, str]]]:
    """(url, text the page must show) for each person: several pages of each app."""
    school = f"/schools/{world.school.slug}/"
    district = f"/districts/{world.district.slug}/"
    return {
        "principal": [
            (school, "Lincoln Elementary"),
            (school + "people/", "leader@example.org"),
            (school + "teams/", "Lincoln ILT"),
            (school + "decisions/", "Lincoln"),
            (school + "plans/", "Lincoln"),
            (lincoln.plan_url, "Reading at grade level rises to 60%."),
            (school + "events/", "Family math night"),
            (lincoln.event_url, "Family math night"),
        ],
        "district_admin": [
            (district, "Riverside"),
            (district + "dashboard/", "Lincoln Elementary"),
            (district + "dashboard/?sort=name", "Roosevelt High"),
            (school, "Lincoln Elementary"),
        ],
        "teacher_leader": [
            ("/my/steps/", "Plan the learning walk"),
            (lincoln.plan_url, "Plan the learning walk"),
        ],
        "family": [
            ("/family/", "Family math night"),
            (lincoln.event_url, "Family math night"),
        ],
    }


@dataclass
class Tally:
    """Every request of a test: its status and how long it took."""

    requests: list[tuple[str, str, int, float]] = field(default_factory=list)

    def record(self, method: str, path: str, status: int, seconds: float) -> None:
        self.requests.append((method, path, status, seconds))

    def summary(self, title: str) -> str:
        statuses = Counter(status for _m, _p, status, _s in self.requests)
        slowest = max((s for *_rest, s in self.requests), default=0.0)
        return (
            f"{title}: {len(self.requests)} requests, by status {dict(sorted(statuses.items()))}, "
            f"slowest {slowest:.2f} s"
        )


class Person:
    """A browser: the test client, with every request recorded and its answer checked."""

    def __init__(self, tally: Tally, email: str):
        self.client = Client()
        self.client.raise_request_exception = False  # a 500 is a finding, not a crash
        self.tally = tally
        self.email = email

    def request(self, method: str, path: str, data=None, **extra):
        start = time.monotonic()
        response = getattr(self.client, method)(path, data or {}, **extra)
        self.tally.record(method.upper(), path, response.status_code, time.monotonic() - start)
        return response

    def see(self, path: str, text: str) -> str:
        response = self.request("get", path)
        assert response.status_code == 200, f"{self.email} GET {path}: {response.status_code}"
        html = response.content.decode()
        assert text in html.replace("&#x27;", "'"), f"{self.email} GET {path}: no {text!r}"
        return html

    def walk(self, urls: list[tuple[str, str]]) -> None:
        for path, text in urls:
            self.see(path, text)

    def sign_in_with_password(self) -> None:
        form = {"login": self.email, "password": PASSWORD}
        response = self.request("post", "/accounts/login/", form)
        assert response.status_code == 302, f"{self.email} sign-in: {response.status_code}"
        assert "_auth_user_id" in self.client.session

    def sign_in_with_code(self, mailoutbox) -> None:
        sent = len(mailoutbox)
        response = self.request("post", "/accounts/login/code/", {"email": self.email})
        assert response.status_code == 302, f"{self.email} code request: {response.status_code}"
        assert len(mailoutbox) == sent + 1, "no code was e-mailed"
        code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mailoutbox[-1].body, re.M)
        assert code, mailoutbox[-1].body
        response = self.request("post", "/accounts/login/code/confirm/", {"code": code.group(1)})
        assert response.status_code == 302, f"{self.email} code confirm: {response.status_code}"
        assert "_auth_user_id" in self.client.session

    def signed_in(self) -> bool:
        response = self.request("get", "/my/steps/")
        return response.status_code == 200


@pytest.fixture
def tally(request):
    tally = Tally()
    yield tally
    # The figures, for the report (pytest -s shows them; -rA too).
    print("\n" + tally.summary(request.node.name))


def people(world, tally: Tally, mailoutbox) -> dict[str, Person]:
    signed = {}
    for role in ("principal", "district_admin", "teacher_leader"):
        signed[role] = Person(tally, getattr(world, role).email)
        signed[role].sign_in_with_password()
    signed["family"] = Person(tally, world.family.email)
    signed["family"].sign_in_with_code(mailoutbox)
    return signed


def write_during_outage(signed, lincoln: School, narrative: str) -> None:
    response = signed["teacher_leader"].request(
        "post", lincoln.step_url, {"status": "at_risk", "narrative": narrative}
    )
    assert response.status_code == 302, response.status_code
    response = signed["family"].request("post", lincoln.rsvp_url, {"adults": 2, "children": 1})
    assert response.status_code == 302, response.status_code


def test_redis_killed_mid_session_people_keep_browsing_writing_and_signing_in(
    world, lincoln, app_redis, tally, mailoutbox, caplog
):
    walks = pages(world, lincoln)
    signed = people(world, tally, mailoutbox)
    for role, urls in walks.items():
        signed[role].walk(urls)
    assert cached_keys() > 0, "the walk cached nothing: this test would prove nothing"

    app_redis.kill()
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="django_redis.cache"):
        for role, urls in walks.items():
            signed[role].walk(urls)
        write_during_outage(signed, lincoln, "Two classes could not be visited.")
        # The writes are in the database and on the pages that show them.
        update = ProgressUpdate.objects.get(step_id=lincoln.step_pk)
        assert (update.status, update.narrative) == ("at_risk", "Two classes could not be visited.")
        rsvp = Rsvp.objects.get(event_id=lincoln.event_pk, family=world.family)
        assert (rsvp.adults, rsvp.children) == (2, 1)
        signed["teacher_leader"].see(lincoln.plan_url, "Two classes could not be visited.")
        signed["family"].see("/family/", "You are going")
        # Signing in anew works, with a password and with an e-mailed code; signing out too.
        newcomer = Person(tally, world.staff.email)
        newcomer.sign_in_with_password()
        newcomer.see(f"/schools/{world.school.slug}/", "Lincoln Elementary")
        family_again = Person(tally, world.family.email)
        family_again.sign_in_with_code(mailoutbox)
        family_again.see("/family/", "You are going")
        assert newcomer.request("post", "/accounts/logout/").status_code == 302
        assert not newcomer.signed_in()
    # Each lost cache operation left a line in the log.
    assert any(r.name == "django_redis.cache" for r in caplog.records), "nothing was logged"

    app_redis.start()  # empty, as after a crash without persistence
    for role, urls in walks.items():
        signed[role].walk(urls)
    signed["teacher_leader"].see(lincoln.plan_url, "Two classes could not be visited.")
    signed["family"].see("/family/", "You are going")
    assert cached_keys() > 0, "the cache is not used again once Redis is back"

    statuses = Counter(status for _m, _p, status, _s in tally.requests)
    assert not any(status >= 500 for status in statuses), tally.summary("outage")


def test_a_hung_redis_comes_back_with_nothing_stale(world, lincoln, app_redis, tally, mailoutbox):
    """SIGSTOP keeps Redis's data: when it answers again it still holds every page and
    fragment cached before. Nothing written meanwhile may be hidden behind them, and a
    session ended meanwhile must stay ended (what cached_db sessions would get wrong)."""
    walks = pages(world, lincoln)
    signed = people(world, tally, mailoutbox)
    for role, urls in walks.items():
        signed[role].walk(urls)
    # A second browser holding the principal's session cookie: after the principal signs
    # out, that cookie must open nothing, whatever Redis kept.
    thief = Person(tally, world.principal.email)
    thief.client.cookies["sessionid"] = signed["principal"].client.cookies["sessionid"].value
    assert thief.signed_in()
    cached_before = cached_keys()
    assert cached_before > 0

    app_redis.pause()
    try:
        start = len(tally.requests)
        for role, urls in walks.items():
            signed[role].walk(urls)
        write_during_outage(signed, lincoln, "Walk moved to Thursday.")
        assert signed["principal"].request("post", "/accounts/logout/").status_code == 302
        during = tally.requests[start:]
        slowest = max(seconds for *_rest, seconds in during)
        assert slowest < HUNG_REQUEST_BOUND, tally.summary("hung Redis")
    finally:
        app_redis.resume()
    assert cached_keys() >= cached_before, "Redis came back without its data: no stale test"

    assert not thief.signed_in(), "a session ended during the outage came back with Redis"
    assert not signed["principal"].signed_in()
    signed["teacher_leader"].see(lincoln.plan_url, "Walk moved to Thursday.")
    signed["teacher_leader"].see("/my/steps/", "Plan the learning walk")
    signed["family"].see("/family/", "You are going")
    signed["district_admin"].walk(walks["district_admin"])
    statuses = Counter(status for _m, _p, status, _s in tally.requests)
    assert not any(status >= 500 for status in statuses), tally.summary("hung Redis")


def test_an_anonymous_answer_waits_for_redis_and_is_never_written_beside_its_person(
    world, app_redis
):
    """With Redis killed, a signed-in answer to an anonymous survey is refused in the
    respondent's words and nothing is stored (never a participation in the answer's
    transaction); with Redis back the same answer is taken, its person pending in Redis."""
    from tests.voice.factories import open_survey
    from voice import pending
    from voice.models import Participation, Response

    survey, q = open_survey(world)
    client = Client()
    client.force_login(world.staff)
    url = reverse("voice:survey_answer", kwargs={"slug": world.school.slug, "pk": survey.pk})
    app_redis.kill()
    page = client.post(url, {f"q{q['belong'].pk}": "4"})
    assert page.status_code == 200
    assert "please try again in a few minutes." in page.content.decode()
    assert not Response.objects.filter(survey=survey).exists()
    assert not Participation.objects.filter(survey=survey).exists()

    app_redis.start()
    answered = client.post(url, {f"q{q['belong'].pk}": "4"})
    assert answered.status_code == 302
    assert Response.objects.filter(survey=survey, respondent__isnull=True).count() == 1
    assert not Participation.objects.filter(survey=survey).exists()
    assert pending.members(survey.pk) == {world.staff.pk}


def test_a_survey_results_page_is_right_while_redis_hangs_and_after(world, app_redis):
    """The results page keeps its questions in Redis under the survey's results version: with
    Redis hung it is built from the database, answers given meanwhile included; when Redis
    answers again with the fragment it kept before, that fragment is under a version the
    answers moved past, and is never shown."""
    from tests.voice.factories import open_survey
    from voice import services

    world.district.small_group_threshold = 1
    world.district.save()
    survey, q = open_survey(world, anonymous=False)
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 4}, language="en"
    )
    client = Client()
    client.force_login(world.principal)
    url = reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": survey.pk})

    def belong() -> str:
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        return re.search(
            rf'<h2 id="r-{q["belong"].pk}">.*?<p class="muted">([^<]*)</p>', html, re.S
        )[1]

    assert belong() == "1 answer"
    assert belong() == "1 answer"  # from the cache
    assert any(key.startswith("voice:results:") for key in cache.keys("*"))
    cached_before = cached_keys()

    app_redis.pause()
    try:
        services.response_submit(
            survey=survey, user=world.teacher_leader, values={q["belong"].pk: 3}, language="en"
        )
        start = time.monotonic()
        assert belong() == "2 answers"
        assert time.monotonic() - start < HUNG_REQUEST_BOUND
    finally:
        app_redis.resume()
    assert cached_keys() >= cached_before, "Redis came back without its data: no stale test"
    assert belong() == "2 answers"
    services.response_submit(
        survey=survey, user=world.principal, values={q["belong"].pk: 0}, language="en"
    )
    assert belong() == "3 answers"
