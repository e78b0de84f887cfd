"""Permission matrices of the API: the token pages (role x URL, as every app has) and every
API route x every kind of token: none, revoked, each scope, and another district's."""

import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from api import services
from api.api import api
from api.models import Scope
from tests.api.conftest import points_body
from tests.leadership.test_permissions import everyone
from tests.matrix import Row, check_row, parametrize

# --- the district admin's token pages ---------------------------------------------------


def _district(world):
    return {"slug": world.district.slug}


def _token(world):
    token, _secret = services.token_create(
        actor=world.district_admin, district=world.district, name="SIS", scopes=[Scope.READ]
    )
    return {"slug": world.district.slug, "pk": token.pk}


def _far_token(world):
    # Another district's token, asked for under this district's URL.
    token, _secret = services.token_create(
        actor=world.other_district_admin,
        district=world.other_district,
        name="SIS",
        scopes=[Scope.READ],
    )
    return {"slug": world.district.slug, "pk": token.pk}


DISTRICT_ADMINS_ONLY = everyone(403, anonymous=302, district_admin=200, other_district_admin=404)

MATRIX = [
    Row("api:tokens", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row(
        "api:tokens",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_district,
        method="POST",
        data=lambda w: {"name": "Assessment platform", "scopes": ["read", "write:data"]},
    ),
    Row(
        "api:token_revoke",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_token,
        method="POST",
    ),
    Row(
        "api:token_revoke",
        everyone(403, anonymous=302, district_admin=404, other_district_admin=404),
        kwargs=_far_token,
        method="POST",
    ),
    Row("api_not_found", everyone(404), kwargs=lambda w: {"rest": "v1/nothing-here/"}),
    Row("api_not_found", everyone(404), kwargs=lambda w: {"rest": "v2/schools/"}),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)


# --- every API route x every kind of token ----------------------------------------------

TOKENS = ["none", "revoked", "read", "write:data", "write:events", "other_district"]


@dataclass(frozen=True)
class ApiRow:
    method: str
    path: str  # the route as the schema names it
    expect: dict[str, int]
    url: object = None  # api_world -> the URL to ask (default: the path as it is)
    body: object = None  # api_world -> JSON body
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}{' ' + self.note if self.note else ''}"


def needs(scope: str, ok: int, **overrides) -> dict[str, int]:
    """Only `scope` answers `ok`; no or a revoked token 401; the other scopes 403; another
    district's token answers as `overrides` say (by default as `ok`: its own district)."""
    expect = {name: 403 for name in TOKENS}
    expect.update(none=401, revoked=401, other_district=ok)
    expect[scope] = ok
    expect.update(overrides)
    return expect


def _mine(attr):
    return lambda w: getattr(w.mine, attr).pk


V1 = "/api/v1"
LISTS = [
    "/schools/",
    "/school-years/",
    "/teams/",
    "/meetings/",
    "/decisions/",
    "/plans/",
    "/goals/",
    "/measures/",
    "/data-points/",
    "/events/",
    "/dashboard/",
]
SCHOOL_FILTERED = ["/teams/", "/meetings/", "/decisions/", "/plans/", "/goals/", "/measures/",
                   "/data-points/", "/events/"]  # fmt: skip


def _future(days=30):
    start = timezone.now() + timedelta(days=days)
    return start.isoformat(), (start + timedelta(hours=2)).isoformat()


def _event_body(w, school=None):
    starts, ends = _future()
    return {
        "school": school or w.mine.plan.school_id,
        "kind": "family_night",
        "starts_at": starts,
        "ends_at": ends,
        "location": "Gym",
        "capacity": 40,
        "texts": {"en": {"title": "Reading night"}},
    }


API_MATRIX = [
    *[ApiRow("GET", path, needs(Scope.READ, 200)) for path in LISTS],
    *[
        ApiRow(
            "GET",
            path,
            needs(Scope.READ, 200, other_district=404),
            url=lambda w, path=path: f"{V1}{path}?school={w.mine.plan.school_id}",
            note="?school=ours",
        )
        for path in SCHOOL_FILTERED
    ],
    ApiRow(
        "GET",
        "/schools/{school_id}/",
        needs(Scope.READ, 200, other_district=404),
        url=lambda w: f"{V1}/schools/{w.mine.plan.school_id}/",
    ),
    ApiRow(
        "GET",
        "/events/{event_id}/",
        needs(Scope.READ, 200, other_district=404),
        url=lambda w: f"{V1}/events/{w.mine.event.pk}/",
    ),
    ApiRow(
        "POST",
        "/data-points/",
        # Another district's token names a measure it cannot see: that row is refused.
        needs(Scope.WRITE_DATA, 201, other_district=422),
        body=lambda w: points_body(w.mine.measure),
    ),
    ApiRow(
        "POST",
        "/events/",
        needs(Scope.WRITE_EVENTS, 201, other_district=404),
        body=_event_body,
    ),
    ApiRow(
        "PATCH",
        "/events/{event_id}/",
        needs(Scope.WRITE_EVENTS, 200, other_district=404),
        url=lambda w: f"{V1}/events/{w.mine.event.pk}/",
        body=lambda w: {"capacity": 60},
    ),
]


def test_every_api_route_has_rows():
    routes = {
        (method.upper(), path.removeprefix(V1))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    covered = {(row.method, row.path) for row in API_MATRIX}
    assert routes == covered


@pytest.mark.parametrize(
    ("row", "token"),
    [(row, token) for row in API_MATRIX for token in TOKENS],
    ids=[f"{row.id}-{token}" for row in API_MATRIX for token in TOKENS],
)
def test_api_permission_matrix(row, token, api_world, client):
    url = row.url(api_world) if row.url else V1 + row.path
    headers = api_world.auth(token)
    if row.method == "GET":
        response = client.get(url, **headers)
    else:
        response = client.generic(
            row.method,
            url,
            data=json.dumps(row.body(api_world)),
            content_type="application/json",
            **headers,
        )
    expected = row.expect[token]
    assert response.status_code == expected, (
        f"{row.method} {url} with {token}: expected {expected}, got {response.status_code}: "
        f"{response.content[:300]!r}"
    )
    body = response.json()
    if expected >= 400:
        assert set(body) == {"error"}
        assert set(body["error"]) == {"code", "message", "details"}
