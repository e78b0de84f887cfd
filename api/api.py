"""The REST API for a district's own systems, /api/v1/ (django-ninja; see docs/api.md).

Every route names the scope it needs through its `auth`; a token answers only for its own
district, so another district's id is simply not found (404). Errors always have the shape
{"error": {"code", "message", "details"}}.
"""

import base64
import binascii
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django_redis.cache import RedisCache as DjangoRedisCache
from ninja import NinjaAPI, Path, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from redis.exceptions import RedisError

from district import rollups
from engagement import services as engagement
from leadership.edits import StaleEdit
from leadership.models import District
from leadership.prepared import Prepared
from workplans import services as workplans

from . import schemas as s
from . import selectors
from .models import ApiToken, Scope
from .services import token_for_secret


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers or {}


class TokenAuth(HttpBearer):
    """A district's token in `Authorization: Bearer acc_…`, holding `scope`; counted against
    the token's rate limit."""

    openapi_description = "A district API token (made by a district admin)."

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for_secret(token)
        if found is None or not found.maker_runs_district:
            # Unknown, revoked, or made by someone who no longer runs the district.
            return None
        _count_request(found)
        if not found.has_scope(self.scope):
            raise ApiError(
                403,
                "insufficient_scope",
                f"This token lacks the “{self.scope}” scope.",
                {"required": self.scope, "granted": found.scopes},
            )
        request.district = found.district
        return found


# Create the window's counter if it is new (expiring with it), then count: one round trip.
_COUNT = "redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX') return redis.call('INCR', KEYS[1])"


def _counted(key: str) -> int | None:
    """The window's count after this request: what `add(key, 0)` then `incr(key)` give, in
    one script when the cache is Redis; None when the cache cannot count it."""
    backend = caches["default"]
    if not isinstance(backend, DjangoRedisCache):
        backend.add(key, 0, timeout=120)
        try:
            return backend.incr(key)
        except ValueError:  # the cache lost the key
            return None
    try:
        client = backend.client.get_client(write=True)
        return client.eval(_COUNT, 1, backend.client.make_key(key), 120)
    except (RedisError, OSError) as error:
        if not backend._ignore_exceptions:
            raise
        if backend._log_ignored_exceptions:
            backend.logger.exception("Exception ignored", exc_info=error)
        return None


def _count_request(token: ApiToken) -> None:
    """A fixed window per token and minute, counted in the cache (atomic in Redis)."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    window = int(time.time() // 60)
    used = _counted(f"api-rate:{token.pk}:{window}")
    if used is None:  # Redis cannot be reached (its errors are ignored): let it through
        return
    if used > limit:
        retry = 60 - int(time.time()) % 60
        raise ApiError(
            429,
            "rate_limited",
            f"More than {limit} requests this minute: wait {retry} seconds.",
            {"limit_per_minute": limit, "retry_after": retry},
            headers={"Retry-After": str(retry)},
        )


READ = TokenAuth(Scope.READ)
WRITE_DATA = TokenAuth(Scope.WRITE_DATA)
WRITE_EVENTS = TokenAuth(Scope.WRITE_EVENTS)


class _Encoder(NinjaJSONEncoder):
    """ninja's encoder, asked about instants first: a page holds one or more a row, and each
    went through six other isinstance checks before reaching Django's format (the same one,
    so the same text)."""

    def default(self, o):
        if type(o) is datetime:
            return DjangoJSONEncoder.default(self, o)
        return super().default(o)


class _Renderer(JSONRenderer):
    encoder_class = _Encoder


api = NinjaAPI(
    renderer=_Renderer(),
    title="Accord API",
    version="1",
    description="Read a district's schools, teams, plans and events; push assessment results "
    "and events. See docs/api.md for tokens, scopes, paging and errors.",
    urls_namespace="api-v1",
    openapi_url="/schema/",
    docs_url="/docs/",
)


def _error(request, status: int, code: str, message: str, details=None, headers=None):
    response = api.create_response(
        request,
        {"error": {"code": code, "message": message, "details": details}},
        status=status,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, exc.details, exc.headers)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(
        request,
        401,
        "unauthenticated",
        "Send a valid, unrevoked token: Authorization: Bearer <token>.",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    details = [
        {"loc": list(e.get("loc", [])), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return _error(request, 422, "invalid", "The request is not valid.", details)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", "Not found in this token's district.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "bad_request", str(exc))


ERRORS = {
    400: s.ErrorOut,
    401: s.ErrorOut,
    403: s.ErrorOut,
    404: s.ErrorOut,
    422: s.ErrorOut,
    429: s.ErrorOut,
}


def _ok(schema):
    return {200: schema, **ERRORS}


# --- paging -----------------------------------------------------------------------------


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{pk}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, pk = text.split(":", 1)
        if version != "v1" or not pk.isdigit() or not 0 <= int(pk) <= s.MAX_ID:
            raise ValueError
        return int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            422,
            "invalid",
            "The cursor is not one this API gave.",
            [{"loc": ["query", "cursor"], "message": "Unknown cursor.", "type": "cursor"}],
        ) from None


def _since(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ApiError(422, "invalid", "updated_since is out of range.") from None


def _page(rows: QuerySet, params: s.ListParams, *, changed: str = "updated_at") -> dict:
    """One page in id order: rows after the cursor, changed at or after `updated_since`."""
    if params.updated_since is not None:
        rows = rows.filter(**{f"{changed}__gte": _since(params.updated_since)})
    if params.cursor:
        rows = rows.filter(pk__gt=_decode_cursor(params.cursor))
    return _page_of(list(rows.order_by("pk")[: params.limit + 1]), params.limit)


def _page_of(found: list, limit: int) -> dict:
    """The page of `found`, up to limit + 1 rows in id order (one more tells there are more)."""
    more = len(found) > limit
    found = found[:limit]
    if not more:
        return {"items": found, "next_cursor": None}
    last = found[-1]  # a model, or a values() row
    return {
        "items": found,
        "next_cursor": _encode_cursor(last["id"] if type(last) is dict else last.pk),
    }


def _written(request, write, page: dict):
    """The page as its Row schema gives it, written by `write` (schemas.row_writer) without
    the schema's validation and dump; any row the writer cannot vouch for sends the whole
    page through the schema, as before."""
    try:
        items = [write(row) for row in page["items"]]
    except s.Unfit:
        return page
    return api.create_response(
        request, {"items": items, "next_cursor": page["next_cursor"]}, status=200
    )


def _paged(rows_for, *, changed: str = "updated_at") -> Prepared:
    """A list's rows in page order, compiled once per shape (see leadership.prepared): what
    `_page` reads of `rows_for(district=..., **filters)`, the filters that are None left out;
    the page's LIMIT is written per call, so every page size is the one shape."""

    def build(*, district: int, since, after, **filters) -> QuerySet:
        rows = rows_for(district=District(pk=district), **filters)
        if since is not None:
            rows = rows.filter(**{f"{changed}__gte": since})
        if after is not None:
            rows = rows.filter(pk__gt=after)
        return rows.order_by("pk")

    return Prepared(build)


def _prepared_page(query: Prepared, request, params: s.ListParams, **filters) -> dict:
    """As `_page` of query's rows: the same checks in the same order, the same page."""
    since = None if params.updated_since is None else _since(params.updated_since)
    after = _decode_cursor(params.cursor) if params.cursor else None
    found = query.rows(
        limit=params.limit + 1,
        district=request.district.pk,
        since=since,
        after=after,
        **filters,
    )
    return _page_of(found, params.limit)


def _columns(schema: type[s.Row]) -> list[str]:
    """The values() names a Row schema reads: its fields' aliases (else names)."""
    return [field.alias or name for name, field in schema.model_fields.items()]


def _school_found(request, school_id: int | None) -> None:
    """Another district's school (or none) is a 404, for a filter as for a path."""
    if school_id is not None:
        get_object_or_404(selectors.schools(request.district), pk=school_id)


def _in_school(rows: QuerySet, request, school_id: int | None, path: str) -> QuerySet:
    if school_id is None:
        return rows
    _school_found(request, school_id)
    return rows.filter(**{path: school_id})


def _by(rows: QuerySet, **filters) -> QuerySet:
    return rows.filter(**{k: v for k, v in filters.items() if v is not None})


PK = Path(..., ge=1, le=s.MAX_ID)

# --- reads ------------------------------------------------------------------------------


_WRITE_SCHOOL = s.row_writer(s.SchoolOut)
_SCHOOLS = _paged(lambda district: selectors.schools(district).values(*_columns(s.SchoolOut)))


@api.get("/schools/", response=_ok(s.page_of(s.SchoolOut)), auth=READ, tags=["schools"])
def list_schools(request, params: Query[s.ListParams]):
    """The district's schools."""
    return _written(request, _WRITE_SCHOOL, _prepared_page(_SCHOOLS, request, params))


@api.get("/schools/{school_id}/", response=_ok(s.SchoolOut), auth=READ, tags=["schools"])
def get_school(request, school_id: int = PK):
    return get_object_or_404(selectors.schools(request.district), pk=school_id)


@api.get("/school-years/", response=_ok(s.page_of(s.SchoolYearOut)), auth=READ, tags=["schools"])
def list_school_years(request, params: Query[s.ListParams]):
    return _page(selectors.school_years(request.district), params)


@api.get("/teams/", response=_ok(s.page_of(s.TeamOut)), auth=READ, tags=["teams"])
def list_teams(request, params: Query[s.SchoolParams]):
    rows = _in_school(selectors.teams(request.district), request, params.school, "school_id")
    return _page(rows, params)


@api.get("/meetings/", response=_ok(s.page_of(s.MeetingOut)), auth=READ, tags=["teams"])
def list_meetings(request, params: Query[s.MeetingParams]):
    rows = selectors.meetings(request.district)
    rows = _by(_in_school(rows, request, params.school, "team__school_id"), team_id=params.team)
    return _page(rows, params)


@api.get("/decisions/", response=_ok(s.page_of(s.DecisionOut)), auth=READ, tags=["teams"])
def list_decisions(request, params: Query[s.DecisionParams]):
    rows = selectors.decisions(request.district)
    rows = _in_school(rows, request, params.school, "meeting__team__school_id")
    return _page(_by(rows, meeting_id=params.meeting), params, changed="created_at")


@api.get("/plans/", response=_ok(s.page_of(s.PlanOut)), auth=READ, tags=["work plans"])
def list_plans(request, params: Query[s.SchoolParams]):
    rows = _in_school(selectors.plans(request.district), request, params.school, "school_id")
    return _page(rows, params)


def _goal_rows(*, district, school, plan):
    rows = _by(selectors.goals(district), plan__school_id=school, plan_id=plan)
    return rows.values(*_columns(s.GoalOut))


_GOALS = _paged(_goal_rows)
_WRITE_GOAL = s.row_writer(s.GoalOut)


@api.get("/goals/", response=_ok(s.page_of(s.GoalOut)), auth=READ, tags=["work plans"])
def list_goals(request, params: Query[s.GoalParams]):
    _school_found(request, params.school)
    page = _prepared_page(_GOALS, request, params, school=params.school, plan=params.plan)
    return _written(request, _WRITE_GOAL, page)


@api.get("/measures/", response=_ok(s.page_of(s.MeasureOut)), auth=READ, tags=["work plans"])
def list_measures(request, params: Query[s.MeasureParams]):
    rows = selectors.measures(request.district)
    rows = _in_school(rows, request, params.school, "goal__plan__school_id")
    return _page(_by(rows, goal_id=params.goal), params)


@api.get("/data-points/", response=_ok(s.page_of(s.DataPointOut)), auth=READ, tags=["work plans"])
def list_data_points(request, params: Query[s.DataPointParams]):
    rows = selectors.data_points(request.district)
    rows = _in_school(rows, request, params.school, "measure__goal__plan__school_id")
    return _page(_by(rows, measure_id=params.measure), params)


def _event_rows(*, district, school):
    rows = _by(selectors.event_rows(district), school_id=school)
    return rows.values(*selectors.EVENT_COLUMNS)


_EVENTS = _paged(_event_rows)
_WRITE_EVENT = s.row_writer(s.EventOut)


@api.get("/events/", response=_ok(s.page_of(s.EventOut)), auth=READ, tags=["events"])
def list_events(request, params: Query[s.SchoolParams]):
    # The page is found first and only its events' RSVPs are counted: counting every event of
    # a 200-school district before the LIMIT took PostgreSQL 58 ms a page (EXPLAIN ANALYZE on
    # the bench's seed). The page's rows, then its RSVPs counted by event and status, then its
    # texts: 1.0 to 1.8 ms in all on that seed once ANALYZEd (a page of ids, then its events
    # joined to their RSVPs and counted, then the texts: 3.1 to 3.5 ms).
    _school_found(request, params.school)
    page = _prepared_page(_EVENTS, request, params, school=params.school)
    selectors.event_rows_out(page["items"])
    return _written(request, _WRITE_EVENT, page)


def _event_out(request, pk: int) -> dict:
    rows = selectors.event_rows(request.district).filter(pk=pk).values(*selectors.EVENT_COLUMNS)
    found = selectors.event_rows_out(list(rows))
    if not found:
        raise Http404
    return found[0]


@api.get("/events/{event_id}/", response=_ok(s.EventOut), auth=READ, tags=["events"])
def get_event(request, event_id: int = PK):
    return _event_out(request, event_id)


@api.get("/dashboard/", response=_ok(s.page_of(s.DashboardRowOut)), auth=READ, tags=["dashboard"])
def list_dashboard(request, params: Query[s.ListParams]):
    """Each active school's figures on the district dashboard (recomputed first if stale)."""
    rows = rollups.fresh_rollups(request.district)
    return _page(rows, params, changed="computed_at")


# --- writes -----------------------------------------------------------------------------


def _validation_details(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@api.post(
    "/data-points/",
    response={201: s.DataPointsOut, **ERRORS},
    auth=WRITE_DATA,
    tags=["work plans"],
)
def add_data_points(request, payload: s.DataPointsIn):
    """Add data points to any of the district's measures at once. Every row is checked first;
    if any is refused nothing is stored, and `details.rows` names each bad row's problems."""
    ids = {row.measure for row in payload.data_points}
    measures = selectors.measures(request.district).in_bulk(ids)
    rows = [
        workplans.PointRow(
            measure=measures.get(row.measure),
            date=row.date,
            value=row.value,
            n=row.n,
            group=row.group or "",
            source=row.source,
        )
        for row in payload.data_points
    ]
    try:
        points = workplans.datapoints_add(actor=request.auth.created_by, rows=rows)
    except workplans.PointsRejected as rejected:
        raise ApiError(
            422,
            "rows_rejected",
            f"{len(rejected.errors)} of {len(rows)} rows were refused; nothing was stored.",
            {"rows": [{"index": i, "errors": e} for i, e in sorted(rejected.errors.items())]},
        ) from None
    return Status(201, {"created": len(points), "data_points": points})


def _event_fields(data: dict) -> tuple[dict, dict | None]:
    texts = data.pop("texts", None)
    if texts is not None:
        texts = {lang: (t["title"], t.get("description", "")) for lang, t in texts.items()}
    return data, texts


@api.post("/events/", response={201: s.EventOut, **ERRORS}, auth=WRITE_EVENTS, tags=["events"])
def create_event(request, payload: s.EventIn):
    """A draft event at one of the district's schools (publish it in Accord)."""
    data = payload.dict()
    school = get_object_or_404(selectors.schools(request.district), pk=data.pop("school"))
    fields, texts = _event_fields(data)
    try:
        with transaction.atomic():
            event = engagement.event_create(
                school=school, actor=request.auth.created_by, texts=texts, **fields
            )
    except DjangoValidationError as error:
        raise ApiError(
            422, "invalid", "The event was not saved.", _validation_details(error)
        ) from None
    return Status(201, _event_out(request, event.pk))


@api.patch(
    "/events/{event_id}/",
    response={**_ok(s.EventOut), 409: s.ErrorOut},
    auth=WRITE_EVENTS,
    tags=["events"],
)
def update_event(request, payload: s.EventPatch, event_id: int = PK):
    """Change the fields sent; texts sent replace those languages (an empty title removes one)."""
    event = get_object_or_404(selectors.events(request.district), pk=event_id)
    fields, texts = _event_fields(payload.dict(exclude_unset=True))
    for name in ("kind", "starts_at", "ends_at", "capacity"):
        if name in fields and fields[name] is None:
            raise ApiError(422, "invalid", f"{name} may not be null.", {name: ["May not be null."]})
    for name in ("location", "online_link", "accessibility_notes"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    current = {t.language: (t.title, t.description) for t in event.translations.all()}
    texts = current | (texts or {})
    try:
        with transaction.atomic():
            engagement.event_update(
                event=event, actor=request.auth.created_by, texts=texts, **fields
            )
    except DjangoValidationError as error:
        raise ApiError(
            422, "invalid", "The event was not saved.", _validation_details(error)
        ) from None
    except StaleEdit:
        raise ApiError(409, "conflict", "The event changed meanwhile; try again.") from None
    return _event_out(request, event_id)
