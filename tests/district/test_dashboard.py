"""The district dashboard: its figures, filters, sort, pages, CSV and drill-down."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from district import rollups
from district.models import SchoolRollup
from leadership import versions
from tests.district.conftest import EXPECTED, add_schools

pytestmark = pytest.mark.django_db


def dashboard_url(world, **params) -> str:
    url = reverse("district:district_dashboard", kwargs={"slug": world.district.slug})
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def row_of(school) -> SchoolRollup:
    return SchoolRollup.objects.get(school=school)


def test_each_figure_of_a_school_is_counted(world, activity, client_for):
    response = client_for(world.district_admin).get(dashboard_url(world))
    assert response.status_code == 200
    row = row_of(world.school)
    assert {key: getattr(row, key) for key in EXPECTED} == EXPECTED
    # Each goal's status and priority, for the priorities page.
    assert sorted(row.goal_statuses) == sorted(
        [
            [activity.on_track.pk, activity.priority.pk, "on_track"],
            [activity.off_track.pk, activity.priority.pk, "off_track"],
            [activity.no_data.pk, None, "not_enough_data"],
        ]
    )
    # September: one point each, not enough data; November: one on track, one off.
    y = activity.ilt.year.start.year
    assert row.trend[f"{y}-09"] == [0, 0, 0, 3]
    assert row.trend[f"{y}-11"] == [1, 0, 1, 1]
    page = response.content.decode()
    assert "Lincoln Elementary" in page and "Roosevelt High" in page
    assert 'aria-label="Goals: 1 on track, 1 off track, 1 not enough data"' in page


def test_a_school_without_ilt_plan_or_events_shows_empty_figures(world, client_for):
    response = client_for(world.district_admin).get(dashboard_url(world))
    assert response.status_code == 200
    row = row_of(world.other_school)
    assert (row.has_ilt, row.has_plan, row.rsvps, row.attendance_30d) == (False, False, 0, None)
    assert "no ILT" in response.content.decode()


# --- the stored figures stay correct -----------------------------------------------------


def _refresh(world):
    rollups.fresh_rollups(world.district)
    return row_of(world.school)


def _data_point_off_track(activity, world):
    from workplans import services

    services.datapoint_create(
        measure=activity.measure, actor=world.principal, date=_nov_20(activity), value="41"
    )


def _nov_20(activity) -> str:
    return f"{activity.ilt.year.start.year}-11-20"


def _steps_done(activity, world):
    from workplans import services

    services.step_update(step=activity.step_open, actor=world.principal, status="done")


def _seat_filled(activity, world):
    from teams.models import TeamMember
    from tests.leadership.factories import person

    someone = person("staff", school=world.school, email="classified@example.org")
    TeamMember.objects.create(team=activity.ilt.team, user=someone, stakeholder_group="classified")


def _action_done(activity, world):
    from teams import services
    from teams.models import ActionItem

    overdue = ActionItem.objects.get(title="Overdue")
    services.action_item_set_status(action=overdue, actor=world.principal, status="done")


def _rsvp_through_the_page(activity, world, client):
    from engagement import services

    services.rsvp_submit(
        event=activity.next_event,
        family=activity.families[2],
        adults=2,
        children=1,
        interpretation_language="vi",
    )


def _event_deleted(activity, world):
    # No service deletes an event: the admin site does, and marks the school as it writes.
    from django.contrib import admin
    from django.test import RequestFactory

    event = activity.past_event
    admin.site._registry[type(event)].delete_model(RequestFactory().post("/"), event)


CHANGES = [
    (_data_point_off_track, {"goals_on_track": 0, "goals_off_track": 2}),
    (_steps_done, {"steps_done": 2, "steps_done_pct": 100}),
    (_seat_filled, {"seats_filled": 3}),
    (_action_done, {"actions_open": 1, "actions_overdue": 0}),
    (_rsvp_through_the_page, {"rsvps": 4, "interpretation_requests": 2}),
    (_event_deleted, {"events_held": 0, "rsvps": 1, "interpretation_requests": 0}),
]


@pytest.mark.parametrize(("change", "expected"), CHANGES, ids=[c.__name__ for c, _e in CHANGES])
def test_the_figures_follow_a_change_once_it_commits(
    world, activity, client, change, expected, django_capture_on_commit_callbacks
):
    before = _refresh(world)
    # Until the write commits, the stored row is what the dashboard shows: it is a cache.
    with django_capture_on_commit_callbacks(execute=False) as pending:
        if change is _rsvp_through_the_page:
            change(activity, world, client)
        else:
            change(activity, world)
    assert pending, "the write registered no mark for the dashboard"
    stale = _refresh(world)
    assert stale.computed_at == before.computed_at
    for callback in pending:
        callback()
    after = _refresh(world)
    assert after.computed_at > before.computed_at
    assert {key: getattr(after, key) for key in expected} == expected


def test_figures_from_another_day_are_recomputed(world, activity):
    row = _refresh(world)
    SchoolRollup.objects.filter(pk=row.pk).update(as_of="2000-01-01")
    assert rollups.stale_school_ids(world.district) == [world.school.pk]
    again = _refresh(world)
    assert again.as_of == row.as_of and again.computed_at > row.computed_at
    assert rollups.stale_school_ids(world.district) == []


def test_a_data_import_marks_the_school(world, activity, django_capture_on_commit_callbacks):
    from workplans import services

    _refresh(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.datapoints_import(
            measure=activity.measure,
            actor=world.principal,
            file=io.BytesIO(f"date,value\n{_nov_20(activity)},41\n".encode()),
        )
    assert _refresh(world).goals_off_track == 2


def test_a_new_school_appears_and_an_inactive_one_leaves(world, client_for):
    client = client_for(world.district_admin)
    client.get(dashboard_url(world))
    add_schools(world, 1)
    page = client.get(dashboard_url(world)).content.decode()
    assert "School 000" in page
    world.other_school.is_active = False
    world.other_school.save()
    assert "Roosevelt High" not in client.get(dashboard_url(world)).content.decode()


# --- filters, sort, pages ----------------------------------------------------------------


def names_on(response) -> list[str]:
    import re

    return re.findall(r'<th scope="row"[^>]*><a [^>]*>([^<]+)</a>', response.content.decode())


def test_filter_by_status_text_grade_and_priority(world, activity, client_for):
    add_schools(world, 4)
    client = client_for(world.district_admin)
    assert names_on(client.get(dashboard_url(world, status="off_track"))) == ["Lincoln Elementary"]
    assert names_on(client.get(dashboard_url(world, q="school 00"))) == [
        "School 000",
        "School 001",
        "School 002",
        "School 003",
    ]
    assert names_on(client.get(dashboard_url(world, grades="6-8"))) == ["School 001"]
    assert names_on(client.get(dashboard_url(world, priority=activity.priority.pk))) == [
        "Lincoln Elementary"
    ]
    assert names_on(client.get(dashboard_url(world, status="vacancies", q="roosevelt"))) == [
        "Roosevelt High"
    ]


def test_sort_by_a_column_both_ways(world, activity, client_for):
    add_schools(world, 3)
    client = client_for(world.district_admin)
    by_overdue = names_on(client.get(dashboard_url(world, sort="-overdue")))
    rows = SchoolRollup.objects.order_by("-actions_overdue", "school__name")
    assert by_overdue == [r.school.name for r in rows]
    ascending = names_on(client.get(dashboard_url(world, sort="school")))
    assert ascending == sorted(ascending)
    descending = names_on(client.get(dashboard_url(world, sort="-school")))
    assert descending == list(reversed(ascending))


def test_pages_keep_the_filters_and_past_the_end_shows_the_last(world, client_for):
    add_schools(world, 30)
    client = client_for(world.district_admin)
    first = client.get(dashboard_url(world, sort="-school"))
    assert len(names_on(first)) == 25
    assert "?sort=-school&amp;page=2" in first.content.decode()
    # Past the end: to the last page, so the address bar names the page shown, and said.
    last = client.get(dashboard_url(world, sort="-school", page=99), follow=True)
    assert last.redirect_chain == [(dashboard_url(world, sort="-school", page=2), 302)]
    assert len(names_on(last)) == 32 - 25
    assert "Page 2 of 2" in last.content.decode()
    assert "There is no page 99: this is the last page, 2." in last.content.decode()
    # The same through htmx: the results say it, and the pushed URL is the last page's.
    swapped = client.get(
        dashboard_url(world, sort="-school", page=99),
        headers={"HX-Request": "true", "HX-Target": "dashboard-results"},
    )
    assert swapped["HX-Push-Url"] == dashboard_url(world, sort="-school", page=2)
    assert "There is no page 99: this is the last page, 2." in swapped.content.decode()
    assert len(names_on(swapped)) == 32 - 25


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "salary"},
        {"sort": "--school"},
        {"status": "great"},
        {"priority": "abc"},
        {"priority": "999999"},
        {"grades": "K-99"},
        {"page": "two"},
        {"colour": "blue"},
    ],
)
def test_a_bad_parameter_is_ignored_with_a_notice(world, client_for, params):
    response = client_for(world.district_admin).get(dashboard_url(world, **params))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="notice"' in page and "Ignored" in page
    assert len(names_on(response)) == 2  # the rest of the page as without it


def test_htmx_gets_only_the_results(world, client_for):
    response = client_for(world.district_admin).get(
        dashboard_url(world, q="lincoln"),
        headers={"HX-Request": "true", "HX-Target": "dashboard-results"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="dashboard-results"')
    assert names_on(response) == ["Lincoln Elementary"]
    assert "<html" not in page


def test_csv_has_the_filtered_schools(world, activity, client_for):
    add_schools(world, 3)
    response = client_for(world.district_admin).get(
        reverse("district:district_dashboard_csv", kwargs={"slug": world.district.slug})
        + "?status=off_track"
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "school"
    assert [r[0] for r in rows[1:]] == ["Lincoln Elementary"]
    lincoln = dict(zip(rows[0], rows[1], strict=True))
    assert lincoln["goals_off_track"] == "1" and lincoln["family_attendance_pct"] == "50"


def test_csv_cells_cannot_run_as_formulas(world, client_for):
    world.school.name = "=HYPERLINK(1)"
    world.school.save()
    response = client_for(world.district_admin).get(
        reverse("district:district_dashboard_csv", kwargs={"slug": world.district.slug})
    )
    assert "'=HYPERLINK(1)" in response.content.decode()


# --- drill-down and the principal's row --------------------------------------------------


def test_drilldown_shows_the_ilt_plan_and_events(world, activity, client_for):
    url = reverse(
        "district:school_drilldown",
        kwargs={"slug": world.district.slug, "school": world.school.slug},
    )
    page = client_for(world.district_admin).get(url).content.decode()
    assert "Lincoln ILT" in page
    assert "Reading rises" in page and "Off track" in page
    assert "Family math night" in page
    assert "Read-only view for the district" in page
    assert "Every student reads" in page  # the goal's priority


def test_principal_sees_the_own_row(world, activity, client_for):
    url = reverse("district:school_dashboard", kwargs={"slug": world.school.slug})
    page = client_for(world.principal).get(url).content.decode()
    assert "Lincoln Elementary at a glance" in page
    assert "Roosevelt" not in page


# --- the district trend ------------------------------------------------------------------


def test_trend_chart_and_its_table(world, activity, client_for):
    page = client_for(world.district_admin).get(dashboard_url(world)).content.decode()
    assert 'class="trend-chart" role="img"' in page
    assert "<summary>The figures as a table</summary>" in page
    assert f"Nov {activity.ilt.year.start.year}" in page


def test_the_hourly_task_recomputes_only_stale_figures(world, activity):
    from district.tasks import refresh_dashboards

    assert refresh_dashboards() == 3  # Lincoln, Roosevelt and Hillcrest's school: never computed
    assert refresh_dashboards() == 0
    SchoolRollup.objects.filter(school=world.school).update(as_of="2000-01-01")
    assert refresh_dashboards() == 1


def test_the_cached_page_follows_a_change(
    world, activity, client_for, django_capture_on_commit_callbacks
):
    from workplans import services

    client = client_for(world.district_admin)
    before = 'aria-label="Goals: 1 on track, 1 off track, 1 not enough data"'
    assert before in client.get(dashboard_url(world)).content.decode()
    assert before in client.get(dashboard_url(world)).content.decode()  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.datapoint_create(
            measure=activity.measure, actor=world.principal, date=_nov_20(activity), value="41"
        )
    page = client.get(dashboard_url(world)).content.decode()
    assert 'aria-label="Goals: 2 off track, 1 not enough data"' in page
    with django_capture_on_commit_callbacks(execute=True):
        world.school.name = "Lincoln Community School"
        world.school.save()
    assert "Lincoln Community School" in client.get(dashboard_url(world)).content.decode()
    # The htmx partial is cached apart from the page and follows too.
    partial = client.get(
        dashboard_url(world, q="lincoln"),
        headers={"HX-Request": "true", "HX-Target": "dashboard-results"},
    )
    assert "Lincoln Community School" in partial.content.decode()


def test_the_school_data_version_grows_with_every_committed_write(
    world, activity, django_capture_on_commit_callbacks
):
    from leadership import services

    assert versions.version_of(world.school.pk) is None  # no figures yet: no caching
    _refresh(world)
    first = versions.version_of(world.school.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _steps_done(activity, world)
    second = versions.version_of(world.school.pk)
    assert second > first
    with django_capture_on_commit_callbacks(execute=True):
        services.school_vision_update(
            school=world.school, actor=world.principal, vision_statement="Every child reads."
        )
    assert versions.version_of(world.school.pk) > second
    assert versions.version_of(world.other_school.pk) == 0


def test_the_principals_page_recomputes_only_their_school(world, activity, client_for):
    url = reverse("district:school_dashboard", kwargs={"slug": world.school.slug})
    assert client_for(world.principal).get(url).status_code == 200
    assert list(SchoolRollup.objects.values_list("school_id", flat=True)) == [world.school.pk]


def test_a_page_kept_for_one_session_is_not_shown_to_another(world, client, client_for):
    from django.test import Client

    from leadership.models import Role
    from tests.leadership.factories import person

    first = client_for(world.district_admin)
    first.get(dashboard_url(world))
    page = first.get(dashboard_url(world)).content.decode()  # kept for this session
    assert world.district_admin.get_full_name() in page
    colleague = person(Role.DISTRICT_ADMIN, district=world.district, email="colleague@example.org")
    other = Client()
    other.force_login(colleague)
    other.get(dashboard_url(world))
    theirs = other.get(dashboard_url(world)).content.decode()
    assert colleague.get_full_name() in theirs
    assert world.district_admin.get_full_name() not in theirs


def test_a_waiting_message_is_shown_not_a_kept_page(world, client_for):
    from tests.teams.factories import current_year

    current_year(world.district)
    client = client_for(world.district_admin)
    client.get(dashboard_url(world))
    client.get(dashboard_url(world))  # kept
    priorities = reverse("district:district_priorities", kwargs={"slug": world.district.slug})
    client.post(priorities, {"title": "Attendance"})  # leaves “Priority … added.”
    assert "Priority “Attendance” added." in client.get(dashboard_url(world)).content.decode()


def test_renaming_a_person_moves_their_schools_version(
    world, activity, django_capture_on_commit_callbacks
):
    _refresh(world)
    before = versions.version_of(world.school.pk)
    with django_capture_on_commit_callbacks(execute=True):
        world.teacher_leader.last_login = world.teacher_leader.date_joined
        world.teacher_leader.save(update_fields=["last_login"])
    assert versions.version_of(world.school.pk) == before  # signing in changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        world.teacher_leader.full_name = "Renamed Leader"
        world.teacher_leader.save()
    assert versions.version_of(world.school.pk) > before
    assert versions.version_of(world.other_school.pk) == 0  # not their school


def test_the_drilldown_speaks_district_time(world, activity, client_for):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from teams.models import Meeting

    world.district.timezone = "America/Los_Angeles"
    world.district.save()
    y = activity.ilt.year.start.year
    evening = datetime(y, 12, 16, 18, 0, tzinfo=ZoneInfo("America/Los_Angeles"))  # 02:00 UTC
    Meeting.objects.create(team=activity.ilt.team, starts_at=evening)
    url = reverse(
        "district:school_drilldown",
        kwargs={"slug": world.district.slug, "school": world.school.slug},
    )
    page = client_for(world.district_admin).get(url).content.decode()
    assert "Next meeting: <a" in page and f"Dec. 16, {y}" in page.split("Next meeting:")[1][:200]


def test_a_meeting_already_held_or_cancelled_is_not_the_next_one(world, activity, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from teams.models import Meeting, MeetingStatus

    # Held early this morning although booked for tomorrow; a cancelled one the day after.
    soon = timezone.now() + timedelta(days=1)
    Meeting.objects.create(team=activity.ilt.team, starts_at=soon, status=MeetingStatus.HELD)
    Meeting.objects.create(
        team=activity.ilt.team, starts_at=soon + timedelta(days=1), status=MeetingStatus.CANCELLED
    )
    url = reverse(
        "district:school_drilldown",
        kwargs={"slug": world.district.slug, "school": world.school.slug},
    )
    page = client_for(world.district_admin).get(url).content.decode()
    assert "Next meeting:" not in page
    assert "No meeting scheduled." in page
    scheduled = Meeting.objects.create(
        team=activity.ilt.team, starts_at=soon + timedelta(days=2), status=MeetingStatus.SCHEDULED
    )
    page = client_for(world.district_admin).get(url).content.decode()
    assert f'Next meeting: <a href="{scheduled.get_absolute_url()}"' in page


def test_an_event_counts_in_the_school_year_of_its_district_day(world, activity):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from tests.engagement.factories import EventFactory

    world.district.timezone = "America/Los_Angeles"
    world.district.save()
    zone = ZoneInfo("America/Los_Angeles")
    year = activity.ilt.year
    last_evening = datetime.combine(year.end, time(18), tzinfo=zone)  # last day, 01:00 UTC
    before = datetime.combine(year.start - timedelta(days=1), time(18), tzinfo=zone)
    EventFactory(school=world.school, starts_at=last_evening, ends_at=last_evening.replace(hour=20))
    EventFactory(school=world.school, starts_at=before, ends_at=before.replace(hour=20))
    row = _refresh(world)
    assert row.events_upcoming == 2  # the upcoming one of the fixture and the last evening


def test_freshness_does_not_depend_on_clocks(world, activity, django_capture_on_commit_callbacks):
    # A server whose clock ran ahead computed the row: a later write still makes it stale.
    row = _refresh(world)
    SchoolRollup.objects.filter(pk=row.pk).update(computed_at="2100-01-01T00:00:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        _steps_done(activity, world)
    assert rollups.stale_school_ids(world.district) == [world.school.pk]
    assert _refresh(world).steps_done == 2
