"""A list page written by a row writer (api.schemas.row_writer) is byte for byte the page
the schema gives: generated rows with nulls, unicode, every choice, instants in and out of
UTC, with and without microseconds. Any row the schema would not take as it is makes the
whole page go through the schema, as before."""

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from pydantic import ValidationError

from api import api as routes
from api import schemas as s
from engagement.models import EventKind, EventStatus
from workplans.models import FocusArea

TEXTS = [
    "",
    "plain",
    "naïve café",
    "中文 العربية Tiếng Việt",
    "emoji 🎉 and astral \U0001d518\U0001d52b",
    'quote " and \\ backslash / slash',
    "line\u2028separator\u2029and\ttab\nnewline\r\x01\x1f",
    "<script>alert(1)</script> &amp;",
    "x" * 200,
]
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), ZoneInfo("America/New_York"), None]


def _instant(rnd: random.Random) -> datetime:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
        seconds=rnd.randrange(0, 4_000_000_000), microseconds=rnd.choice([0, 1, 999_999, 123_456])
    )
    zone = rnd.choice(ZONES)
    return moment.replace(tzinfo=None) if zone is None else moment.astimezone(zone)


def _int(rnd):
    return rnd.choice([0, 1, -1, 7, 2**31 - 1, 2**62, rnd.randrange(10**6)])


def school_row(rnd):
    return {
        "id": _int(rnd),
        "name": rnd.choice(TEXTS),
        "slug": rnd.choice(TEXTS),
        "grade_span": rnd.choice(TEXTS),
        "languages": rnd.sample(["en", "es", "zh-Hant", "ar", "vi", "ñ"], rnd.randrange(4)),
        "is_active": rnd.choice([True, False]),
        "student_count": rnd.choice([None, 0, 450]),
        "sourced_id": rnd.choice(TEXTS),
        "updated_at": _instant(rnd),
    }


def goal_row(rnd):
    return {
        "id": _int(rnd),
        "plan_id": _int(rnd),
        "plan__school_id": _int(rnd),
        "focus_area": rnd.choice(FocusArea.values),
        "district_priority_id": rnd.choice([None, _int(rnd)]),
        "smart_statement": rnd.choice(TEXTS),
        "order": _int(rnd),
        "updated_at": _instant(rnd),
    }


def event_row(rnd):
    return {
        "id": _int(rnd),
        "school_id": _int(rnd),
        "kind": rnd.choice(EventKind.values),
        "status": rnd.choice(EventStatus.values),
        "starts_at": _instant(rnd),
        "ends_at": _instant(rnd),
        "location": rnd.choice(TEXTS),
        "online_link": rnd.choice(TEXTS),
        "capacity": _int(rnd),
        "seats_taken": _int(rnd),
        "rsvp_deadline": rnd.choice([None, _instant(rnd)]),
        "interpretation_languages": rnd.sample(["Spanish", "中文", "Kreyòl"], rnd.randrange(4)),
        "offers_childcare": rnd.choice([True, False]),
        "offers_transport": rnd.choice([True, False]),
        "offers_food": rnd.choice([True, False]),
        "accessibility_notes": rnd.choice(TEXTS),
        "texts": {
            language: {"title": rnd.choice(TEXTS), "description": rnd.choice(TEXTS)}
            for language in rnd.sample(["en", "es", "zh-Hant", "ar"], rnd.randrange(4))
        },
        "rsvps": {
            "going": _int(rnd),
            "waitlisted": _int(rnd),
            "cancelled": _int(rnd),
            "adults_going": _int(rnd),
            "children_going": _int(rnd),
            "interpretation_requests": _int(rnd),
            "childcare_requests": _int(rnd),
        },
        "updated_at": _instant(rnd),
    }


CASES = [
    (s.SchoolOut, routes._WRITE_SCHOOL, school_row),
    (s.GoalOut, routes._WRITE_GOAL, goal_row),
    (s.EventOut, routes._WRITE_EVENT, event_row),
]


def _by_schema(schema, page: dict) -> bytes:
    """What ninja answers for this page: the page schema's dump, rendered by the API."""
    data = s.page_of(schema).model_validate(page).model_dump()
    return routes.api.create_response(None, data, status=200).content


@pytest.mark.parametrize(("schema", "write", "row"), CASES)
def test_written_pages_are_the_schemas(schema, write, row):
    rnd = random.Random(f"{schema.__name__}-writer")
    request = RequestFactory().get("/")
    for n in range(60):
        rows = [row(rnd) for _ in range(rnd.choice([0, 1, 5, 50]))]
        page = {"items": rows, "next_cursor": rnd.choice([None, "djE6NDI"])}
        written = routes._written(request, write, page)
        expected = _by_schema(schema, page)
        assert written.content == expected, n
        assert written.status_code == 200
        assert written["Content-Type"] == "application/json; charset=utf-8"


def _set(row: dict, path: tuple, value) -> dict:
    target = row
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return row


UNFIT = {
    s.SchoolOut: [
        (("name",), None),
        (("languages",), ["en", 3]),
        (("languages",), "en"),
        (("is_active",), 1),
        (("student_count",), "450"),
        (("updated_at",), "2026-01-01T00:00:00Z"),
        (("id",), True),
    ],
    s.GoalOut: [
        (("focus_area",), "not-an-area"),
        (("plan_id",), None),
        (("order",), 1.0),
    ],
    s.EventOut: [
        (("kind",), "party"),
        (("status",), None),
        (("rsvp_deadline",), "tomorrow"),
        (("texts",), {"en": {"title": "x" * 201, "description": ""}}),
        (("texts",), {"en": {"title": "a\x00b", "description": ""}}),
        (("texts",), {"en": {"title": "ok", "description": "x" * 5001}}),
        (("texts",), {"en": {"title": "ok"}}),
        (("texts",), {"en": "ok"}),
        (("texts",), {1: {"title": "ok", "description": ""}}),
        (("rsvps", "going"), None),
        (("capacity",), 2**70 * 1.0),
    ],
}


@pytest.mark.parametrize(("schema", "write", "row"), CASES)
def test_a_row_the_writer_cannot_vouch_for_goes_through_the_schema(schema, write, row):
    rnd = random.Random(f"{schema.__name__}-unfit")
    request = RequestFactory().get("/")
    for path, value in UNFIT[schema]:
        rows = [row(rnd), _set(row(rnd), path, value), row(rnd)]
        page = {"items": rows, "next_cursor": None}
        assert routes._written(request, write, page) is page, (path, value)
    # A missing column too.
    broken = row(rnd)
    broken.pop(next(iter(broken)))
    page = {"items": [broken], "next_cursor": None}
    assert routes._written(request, write, page) is page
    with pytest.raises(ValidationError):
        s.page_of(schema).model_validate(page)


def test_a_writer_refuses_what_it_cannot_check():
    from typing import Annotated

    from ninja import Field
    from pydantic import BeforeValidator

    class Odd(s.Row):
        when: Annotated[str, BeforeValidator(str.strip)]

    class Ratio(s.Row):
        value: float = Field(..., ge=0)

    for schema in (Odd, Ratio):
        with pytest.raises(NotImplementedError):
            s.row_writer(schema)
