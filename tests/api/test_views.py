"""The API through HTTP: tokens made on the district page, reads, paging, `updated_since`,
bulk data points (all or nothing), events, errors and the rate limit."""

import hashlib
import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from api import services
from api.models import ApiToken, Scope
from engagement.models import Event, EventStatus
from leadership import versions
from leadership.models import AuditEntry, Membership, Role
from tests.api.conftest import make_token, points_body
from tests.leadership.factories import SchoolFactory
from workplans.models import DataPoint, Measure, WorkPlan

V1 = "/api/v1"


def _get(client, api_world, path, token="all"):  # noqa: S107
    return client.get(V1 + path, **api_world.auth(token))


def _send(client, api_world, method, path, body, token="all"):  # noqa: S107
    return client.generic(
        method, V1 + path, json.dumps(body), content_type="application/json",
        **api_world.auth(token),
    )  # fmt: skip


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    return body["error"]


# --- tokens -----------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_hashed(world, client):
    client.force_login(world.district_admin)
    url = reverse("api:tokens", kwargs={"slug": world.district.slug})
    response = client.post(url, {"name": "Assessment platform", "scopes": ["read", "write:data"]})
    assert response.status_code == 302
    response = client.get(response["Location"])
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("acc_") and secret in response.content.decode()
    assert "Copy it now" in response.content.decode()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scopes == ["read", "write:data"] and token.district == world.district
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert AuditEntry.objects.filter(action="api_token.create").count() == 1
    # The list shows the token, never its secret again.
    page = client.get(url).content.decode()
    assert "Assessment platform" in page and token.prefix in page and secret not in page
    assert response["Cache-Control"].startswith("max-age=0")
    # It works, and its use is noted.
    answer = client.get(f"{V1}/schools/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_needs_a_name_and_a_scope(world, client):
    client.force_login(world.district_admin)
    url = reverse("api:tokens", kwargs={"slug": world.district.slug})
    response = client.post(url, {"name": "", "scopes": []})
    assert response.status_code == 200
    assert "The token was not created" in response.content.decode()
    assert set(response.context["form"].errors) == {"name", "scopes"}
    assert not ApiToken.objects.exists()


def test_a_revoked_token_answers_401(api_world, world, client):
    token = api_world.tokens["read"]
    assert _get(client, api_world, "/schools/", "read").status_code == 200
    client.force_login(world.district_admin)
    url = reverse("api:token_revoke", kwargs={"slug": world.district.slug, "pk": token.pk})
    page = client.post(url, follow=True)
    assert "revoked" in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.district_admin
    response = _get(client, api_world, "/schools/", "read")
    _error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    # Revoking twice says so and changes nothing.
    page = client.post(url, follow=True)
    assert "revoked already" in page.content.decode()


def test_a_token_stops_when_its_maker_no_longer_runs_the_district(api_world, world, client):
    Membership.objects.filter(user=world.district_admin, role=Role.DISTRICT_ADMIN).update(
        is_active=False
    )
    _error(_get(client, api_world, "/schools/", "read"), 401, "unauthenticated")


def test_a_token_stops_when_its_maker_runs_another_district_only(api_world, world, client):
    assert _get(client, api_world, "/schools/", "read").status_code == 200
    Membership.objects.filter(user=world.district_admin, role=Role.DISTRICT_ADMIN).update(
        district=world.other_district
    )
    _error(_get(client, api_world, "/schools/", "read"), 401, "unauthenticated")


def test_unknown_or_malformed_tokens_answer_401(api_world, client):
    for header in ["Bearer acc_nope", "Bearer ", "Basic abc", "acc_" + "x" * 40]:
        response = client.get(f"{V1}/schools/", HTTP_AUTHORIZATION=header)
        _error(response, 401, "unauthenticated")


# --- reads ------------------------------------------------------------------------------


def test_reads_hold_only_the_tokens_district(api_world, client):
    schools = _get(client, api_world, "/schools/").json()["items"]
    theirs = api_world.theirs.plan.school_id
    assert theirs not in {s["id"] for s in schools} and len(schools) == 2
    for path, mine, other in [
        ("/plans/", api_world.mine.plan.pk, api_world.theirs.plan.pk),
        ("/goals/", api_world.mine.goal.pk, api_world.theirs.goal.pk),
        ("/measures/", api_world.mine.measure.pk, api_world.theirs.measure.pk),
        ("/data-points/", api_world.mine.point.pk, api_world.theirs.point.pk),
        ("/teams/", api_world.mine.team.pk, api_world.theirs.team.pk),
        ("/meetings/", api_world.mine.meeting.pk, api_world.theirs.meeting.pk),
        ("/decisions/", api_world.mine.decision.pk, api_world.theirs.decision.pk),
        ("/events/", api_world.mine.event.pk, api_world.theirs.event.pk),
    ]:
        ids = {row["id"] for row in _get(client, api_world, path).json()["items"]}
        assert ids == {mine}, path
        assert other not in ids
    for path in [f"/schools/{theirs}/", f"/events/{api_world.theirs.event.pk}/"]:
        _error(_get(client, api_world, path), 404, "not_found")
    _error(_get(client, api_world, f"/teams/?school={theirs}"), 404, "not_found")


def test_events_count_rsvps_and_never_name_families(api_world, client):
    response = _get(client, api_world, f"/events/{api_world.mine.event.pk}/")
    event = response.json()
    assert event["rsvps"] == {
        "going": 1,
        "waitlisted": 1,
        "cancelled": 0,
        "adults_going": 2,
        "children_going": 1,
        "interpretation_requests": 1,
        "childcare_requests": 0,
    }
    text = response.content.decode()
    for private in ["family@example.org", "waiting@example.org", "A ramp, please", "needs"]:
        assert private not in text


def test_listed_events_read_as_the_counted_event_models(api_world, client, world):
    """The list reads plain rows and counts RSVPs by event and status; each event reads as its
    model does with every RSVP counted by a join (api.selectors.events), field by field."""
    from django.core.serializers.json import DjangoJSONEncoder

    from api.selectors import events
    from engagement.models import EventTranslation, RsvpStatus
    from tests.engagement.factories import EventFactory, RsvpFactory
    from tests.leadership.factories import person

    second = EventFactory(school=world.school)
    EventTranslation.objects.create(event=second, language="vi", title="Đêm đọc sách")
    EventTranslation.objects.update_or_create(
        event=second, language="es", defaults={"title": "Noche", "description": "x"}
    )
    for n, (status, children, childcare, language) in enumerate(
        [
            (RsvpStatus.GOING, 2, 2, ""),
            (RsvpStatus.GOING, 1, 0, "vi"),
            (RsvpStatus.CANCELLED, 3, 1, "es"),
            (RsvpStatus.WAITLISTED, 0, 0, ""),
        ]
    ):
        family = person(Role.FAMILY, school=world.school, email=f"f{n}@example.org")
        RsvpFactory(
            event=second,
            family=family,
            status=status,
            adults=n + 1,
            children=children,
            childcare_count=childcare,
            interpretation_language=language,
        )
    iso = DjangoJSONEncoder().default
    listed = _get(client, api_world, "/events/").json()["items"]
    assert [row["id"] for row in listed] == [api_world.mine.event.pk, second.pk]
    for row, event in zip(listed, events(world.district).order_by("pk"), strict=True):
        assert row == {
            "id": event.pk,
            "school": event.school_id,
            "kind": event.kind,
            "status": event.status,
            "starts_at": iso(event.starts_at),
            "ends_at": iso(event.ends_at),
            "location": event.location,
            "online_link": event.online_link,
            "capacity": event.capacity,
            "seats_taken": event.seats_taken,
            "rsvp_deadline": event.rsvp_deadline and iso(event.rsvp_deadline),
            "interpretation_languages": event.interpretation_languages,
            "offers_childcare": event.offers_childcare,
            "offers_transport": event.offers_transport,
            "offers_food": event.offers_food,
            "accessibility_notes": event.accessibility_notes,
            "texts": {
                t.language: {"title": t.title, "description": t.description}
                for t in event.translations.all()
            },
            "rsvps": {
                "going": event.rsvps_going,
                "waitlisted": event.rsvps_waitlisted,
                "cancelled": event.rsvps_cancelled,
                "adults_going": event.adults_going,
                "children_going": event.children_going,
                "interpretation_requests": event.interpretation_requests,
                "childcare_requests": event.childcare_requests,
            },
            "updated_at": iso(event.updated_at),
        }
    assert listed[1]["rsvps"] == {
        "going": 2,
        "waitlisted": 1,
        "cancelled": 1,
        "adults_going": 3,
        "children_going": 3,
        "interpretation_requests": 1,
        "childcare_requests": 1,
    }
    texts = listed[1]["texts"]
    assert {"es", "vi"} <= set(texts) and list(texts) == sorted(texts)  # by language
    assert _get(client, api_world, f"/events/{second.pk}/").json() == listed[1]


def test_dashboard_rows_are_the_districts_schools(api_world, client):
    rows = _get(client, api_world, "/dashboard/").json()["items"]
    mine = {r["school"]: r for r in rows}
    assert set(mine) == {
        api_world.mine.plan.school_id,
        api_world.tokens["all"].district.schools.get(slug="roosevelt").pk,
    }
    assert mine[api_world.mine.plan.school_id]["has_plan"] is True


def test_pages_follow_the_cursor_to_the_end(api_world, world, client):
    for n in range(5):
        SchoolFactory(district=world.district, slug=f"extra-{n}")
    seen, cursor, pages = [], "", 0
    while True:
        body = _get(client, api_world, f"/schools/?limit=3&cursor={cursor}").json()
        seen += [row["id"] for row in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert pages == 3 and len(seen) == 7 and seen == sorted(set(seen))


def test_a_page_size_over_the_cap_or_a_bad_cursor_is_refused(api_world, client):
    error = _error(_get(client, api_world, "/schools/?limit=201"), 422, "invalid")
    assert error["details"][0]["loc"] == ["query", "limit"]
    _error(_get(client, api_world, "/schools/?cursor=bm9wZQ"), 422, "invalid")
    _error(_get(client, api_world, "/schools/?updated_since=yesterday"), 422, "invalid")
    _error(_get(client, api_world, "/schools/?updated_since=1700000000"), 422, "invalid")
    # An offset PostgreSQL cannot hold is refused, not a server error (found by the fuzzing).
    far = "0293-02-13T09:29:17%2B18:50"
    _error(_get(client, api_world, f"/schools/?updated_since={far}"), 422, "invalid")


def test_updated_since_returns_only_what_changed(api_world, client):
    old = timezone.now() - timedelta(days=10)
    Measure.objects.update(updated_at=old)
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert _get(client, api_world, f"/measures/?updated_since={since}").json()["items"] == []
    # A change through the service moves it.
    from workplans import services as workplans

    measure = api_world.mine.measure
    workplans.measure_update(
        measure=measure, actor=api_world.tokens["all"].created_by, name="Reading (spring)"
    )
    items = _get(client, api_world, f"/measures/?updated_since={since}").json()["items"]
    assert [m["id"] for m in items] == [measure.pk]
    assert items[0]["name"] == "Reading (spring)"


# --- bulk data points -------------------------------------------------------------------


def test_bulk_data_points_are_stored_and_marked(
    api_world, client, django_capture_on_commit_callbacks
):
    measure = api_world.mine.measure
    body = points_body(
        measure, {"value": "51.5", "n": 120}, {"value": "52", "group": "english_learners"}
    )
    versions.track([measure.goal.plan.school_id])
    before = versions.version_of(measure.goal.plan.school_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, api_world, "POST", "/data-points/", body, "write:data")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    assert DataPoint.objects.filter(measure=measure).count() == 3
    assert set(DataPoint.objects.filter(measure=measure).values_list("group", flat=True)) == {
        "",
        "english_learners",
    }
    assert AuditEntry.objects.filter(
        action="measure.data_import", object_id=str(measure.pk)
    ).exists()
    assert versions.version_of(measure.goal.plan.school_id) > before  # cached pages refresh


def test_one_bad_row_refuses_the_whole_batch_naming_each_problem(api_world, client):
    measure = api_world.mine.measure
    already = api_world.mine.point.date.isoformat()
    body = points_body(
        measure,
        {},
        {"date": already},  # the measure has a value for that date
        {"measure": api_world.theirs.measure.pk},  # another district's measure
    )
    body["data_points"].append(dict(body["data_points"][0]))  # a duplicate of row 0
    response = _send(client, api_world, "POST", "/data-points/", body, "write:data")
    error = _error(response, 422, "rows_rejected")
    assert "nothing was stored" in error["message"]
    rows = {row["index"]: row["errors"] for row in error["details"]["rows"]}
    assert set(rows) == {1, 2, 3}
    assert "already has a value" in rows[1]["date"][0]
    assert rows[2] == {"measure": ["No such measure in this district."]}
    assert "Duplicate of row 0" in rows[3]["date"][0]
    assert DataPoint.objects.filter(measure=measure).count() == 1


def test_a_row_of_the_wrong_shape_is_named_by_its_index(api_world, client):
    body = points_body(api_world.mine.measure, {}, {"value": "123456789.5"}, {"n": -1})
    error = _error(_send(client, api_world, "POST", "/data-points/", body), 422, "invalid")
    where = {tuple(d["loc"][-2:]) for d in error["details"]}
    assert where == {(1, "value"), (2, "n")}
    assert DataPoint.objects.filter(measure=api_world.mine.measure).count() == 1


def test_a_survey_results_group_is_read_back_but_not_accepted_as_written(api_world, client):
    """A point added from a survey result keeps that result's group ("Class or grade: Grade
    3"): the list gives it as it is, a write accepts only student-group codes, and the schema
    says both."""
    measure = api_world.mine.measure
    point = DataPoint.objects.create(
        measure=measure,
        date=api_world.mine.point.date,
        value="66.7",
        n=12,
        group="Class or grade: Grade 3",
        source="Survey “Staff voice”",
    )
    items = _get(client, api_world, f"/data-points/?measure={measure.pk}").json()["items"]
    assert {row["id"]: row["group"] for row in items}[point.pk] == "Class or grade: Grade 3"
    body = points_body(measure, {"group": "Class or grade: Grade 3"})
    error = _error(_send(client, api_world, "POST", "/data-points/", body), 422, "invalid")
    assert {tuple(d["loc"][-2:]) for d in error["details"]} == {(0, "group")}
    assert DataPoint.objects.filter(measure=measure).count() == 2
    components = client.get(f"{V1}/schema/").json()["components"]["schemas"]
    read = components["DataPointOut"]["properties"]["group"]["description"]
    assert "student-group code" in read and "Class or grade: Grade 3" in read
    written = components["DataPointIn"]["properties"]["group"]["description"]
    assert "Only these codes are accepted" in written


def test_a_closed_plan_takes_no_data(api_world, client):
    WorkPlan.objects.filter(pk=api_world.mine.plan.pk).update(status=WorkPlan.Status.CLOSED)
    body = points_body(api_world.mine.measure)
    error = _error(_send(client, api_world, "POST", "/data-points/", body), 422, "rows_rejected")
    assert "closed" in error["details"]["rows"][0]["errors"]["measure"][0]


def test_a_malformed_body_is_refused_clearly(api_world, client):
    response = client.post(
        f"{V1}/data-points/", "{not json", content_type="application/json", **api_world.auth("all")
    )
    assert response.status_code in (400, 422)
    assert set(response.json()["error"]) == {"code", "message", "details"}
    error = _error(
        _send(client, api_world, "POST", "/data-points/", {"data_points": []}), 422, "invalid"
    )
    assert error["details"][0]["loc"][-1] == "data_points"
    assert not DataPoint.objects.exclude(
        pk__in=[api_world.mine.point.pk, api_world.theirs.point.pk]
    ).exists()


# --- events -----------------------------------------------------------------------------


def _event(api_world, **changes):
    start = timezone.now() + timedelta(days=20)
    return {
        "school": api_world.mine.plan.school_id,
        "kind": "family_night",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "location": "Gym",
        "capacity": 40,
        "texts": {"en": {"title": "Reading night", "description": "Books for all"}},
    } | changes


def test_an_event_is_created_as_a_draft_and_changed(api_world, client):
    response = _send(client, api_world, "POST", "/events/", _event(api_world), "write:events")
    assert response.status_code == 201, response.content
    created = response.json()
    event = Event.objects.get(pk=created["id"])
    assert (
        event.status == EventStatus.DRAFT and event.created_by == api_world.tokens["all"].created_by
    )
    assert created["texts"]["en"]["title"] == "Reading night"
    assert created["rsvps"]["going"] == 0
    response = _send(
        client, api_world, "PATCH", f"/events/{event.pk}/",
        {"capacity": 80, "texts": {"es": {"title": "Noche de lectura"}}}, "write:events",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert event.capacity == 80
    assert set(response.json()["texts"]) == {"en", "es"}
    assert AuditEntry.objects.filter(action="event.update", object_id=str(event.pk)).exists()


def test_an_event_breaking_a_rule_is_refused_with_its_field(api_world, client):
    before = Event.objects.count()
    body = _event(api_world, location="", online_link="")
    error = _error(_send(client, api_world, "POST", "/events/", body), 422, "invalid")
    assert "location" in error["details"]
    start = timezone.now() + timedelta(days=5)
    body = _event(
        api_world, starts_at=start.isoformat(), ends_at=(start - timedelta(hours=1)).isoformat()
    )
    _error(_send(client, api_world, "POST", "/events/", body), 422, "invalid")
    body = _event(api_world, texts={"fr": {"title": "Soirée"}})  # the school's language missing
    _error(_send(client, api_world, "POST", "/events/", body), 422, "invalid")
    assert Event.objects.count() == before
    error = _error(
        _send(
            client, api_world, "PATCH", f"/events/{api_world.mine.event.pk}/", {"capacity": None}
        ),
        422,
        "invalid",
    )
    assert "capacity" in error["details"]


# --- the rate limit ---------------------------------------------------------------------


def test_each_token_has_its_own_rate_limit(api_world, client, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert _get(client, api_world, "/schools/", "read").status_code == 200
    response = _get(client, api_world, "/schools/", "read")
    error = _error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0 and error["details"]["limit_per_minute"] == 3
    assert _get(client, api_world, "/schools/", "all").status_code == 200


def test_a_token_service_refuses_unknown_scopes(world):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_token(world.district_admin, world.district, ["admin"])
    with pytest.raises(ValidationError):
        make_token(world.district_admin, world.district, [])
    assert not ApiToken.objects.exists()
    token, secret = make_token(world.district_admin, world.district, [Scope.READ])
    assert services.token_for_secret(secret) == token
    assert services.token_for_secret(secret + "x") is None
