"""The API fuzzed from its own OpenAPI schema (Schemathesis): requests generated from every
route's parameters and bodies, valid and not, against the WSGI app and PostgreSQL. No answer
may be a server error, and every answer must match the schema (status, content type, body).

Thousands of requests in all (MAX_EXAMPLES per route and phase); derandomized, so a run in CI
is the same run every time and a failure replays."""

from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

MAX_EXAMPLES = 50
SENT: Counter = Counter()
STATUS: Counter = Counter()

pytestmark = pytest.mark.fuzz


# The schema as the site serves it, read through the WSGI app (no database needed).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())


# Ids of the test district's rows, for the hooks below: half the generated bodies and paths
# name a real school, measure or event, so the writes and lookups succeed too, not only 404.
REAL: dict[str, int] = {}


def _real_body(body):
    body = dict(body)
    if "school" in body:
        body["school"] = REAL["school"]
    if isinstance(body.get("texts"), dict):  # the school's first language, and a place
        body["texts"] = {**body["texts"], "en": {"title": "Family night"}}
        body.update(location="Library", online_link="", rsvp_deadline=None)
        body.update(starts_at="2031-03-04T18:00:00Z", ends_at="2031-03-04T20:00:00-00:00")
    if isinstance(body.get("data_points"), list):
        # One row of the measure's own group: several would often share a date.
        rows = [row for row in body["data_points"] if isinstance(row, dict)][:1]
        body["data_points"] = [
            {**row, "measure": REAL["measure"], "group": None, "source": ""} for row in rows
        ]
    return body


@schema.hook("flatmap_body")
def _bodies_with_real_ids(context, body):
    if not isinstance(body, dict) or not REAL:
        return st.just(body)
    return st.sampled_from([body, _real_body(body)])


@schema.hook("flatmap_path_parameters")
def _paths_with_real_ids(context, path_parameters):
    if not isinstance(path_parameters, dict) or not REAL:
        return st.just(path_parameters)
    real = dict(path_parameters)
    for name, key in (("school_id", "school"), ("event_id", "event")):
        if name in real:
            real[name] = REAL[key]
    return st.sampled_from([path_parameters, real])


@pytest.fixture(autouse=True)
def _real_ids(api_world):
    REAL.update(
        school=api_world.mine.plan.school_id,
        measure=api_world.mine.measure.pk,
        event=api_world.mine.event.pk,
    )
    yield
    REAL.clear()


@pytest.fixture(autouse=True)
def _in_the_test_transaction(settings):
    """Requests run inside the test's transaction, as Django's test client arranges: a WSGI
    request would otherwise close the connection (and lose the test's data) when it starts."""
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_route_answers_as_its_schema_says(case, api_world):
    key = f"{case.method} {case.path}"
    SENT[key] += 1
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {api_world.secrets['all']}"},
        # A request the schema allows may still be refused, rightly: an id of another
        # district (404), an event without a place, a data point already recorded (422).
        # Nor is a request the schema does not describe always refused: an unknown query
        # parameter is ignored, as HTTP APIs do.
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
    STATUS[(key, response.status_code)] += 1


def test_the_fuzzing_sent_thousands_of_requests():
    """Runs after the routes above (pytest keeps the file's order); alone it has nothing to
    count and says so."""
    if len(SENT) < len(schema.raw_schema["paths"]):
        pytest.skip("run with the fuzzing test above")
    print(sorted(STATUS.items()), sum(SENT.values()))
    assert sum(SENT.values()) >= 2000, SENT
    # The writes succeeded too, not only their refusals.
    for write, ok in [("POST /api/v1/data-points/", 201), ("POST /api/v1/events/", 201),
                      ("PATCH /api/v1/events/{event_id}/", 200)]:  # fmt: skip
        assert STATUS[(write, ok)] > 0, write
