"""The dashboard's per-school figures: computed from the teams, workplans and engagement
selectors for many schools at once, stored in SchoolRollup, and kept correct.

A row is fresh while it was computed today (district time) and no write to the school's data
has committed since: its computed version is the school's data version
(leadership.versions), which the writing services move when they commit
(`versions.mark_changed`; the admin's edits through leadership.signals). `fresh_rollups`
recomputes the stale rows of a district before a read, in a fixed number of queries
whatever their count.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from district.models import SchoolRollup
from engagement import selectors as engagement
from leadership import clock, versions
from leadership.models import (
    District,
    Membership,
    Role,
    School,
    SchoolVersion,
    SchoolYear,
)
from teams import selectors as teams
from voice import selectors as voice
from workplans import selectors as workplans

FIGURE_DEFAULTS = {
    "has_ilt": False,
    "seats_required": 0,
    "seats_filled": 0,
    "meetings_30d": 0,
    "attendance_30d": None,
    "actions_open": 0,
    "actions_overdue": 0,
    "has_plan": False,
    "goals_total": 0,
    "goals_on_track": 0,
    "goals_at_risk": 0,
    "goals_off_track": 0,
    "goals_no_data": 0,
    "steps_total": 0,
    "steps_done": 0,
    "steps_done_pct": None,
    "events_held": 0,
    "events_upcoming": 0,
    "rsvps": 0,
    "event_attendance": None,
    "interpretation_requests": 0,
    "survey_response_rate": None,
    "goal_statuses": [],
    "trend": {},
}


def district_today(district: District, now: datetime | None = None):
    return clock.today_in(district, now)


def current_year(district: District) -> SchoolYear | None:
    return SchoolYear.objects.filter(district=district, is_current=True).first()


def _year_bounds(district: District, year):
    if year is None:
        return None
    return clock.day_bounds(district, year.start, year.end)


def compute(district: District, school_ids: list[int], *, year=None, now=None) -> int:
    """Recompute and store the figures of these schools of the district (about a dozen queries,
    whatever the number of schools). Returns how many rows were written."""

    if not school_ids:
        return 0
    now = now or timezone.now()
    today = district_today(district, now)
    year = year if year is not None else current_year(district)
    # The versions first, the data after: a write that commits in between leaves the row
    # stale (recomputed next time), never fresh with older figures.
    versions.track(school_ids)
    data_versions = versions.versions_of(school_ids)
    parts = (
        teams.dashboard_figures(school_ids, year=year, now=now, today=today),
        workplans.dashboard_figures(school_ids, year=year, today=today),
        engagement.dashboard_figures(
            school_ids, year=year, now=now, bounds=_year_bounds(district, year)
        ),
        voice.dashboard_figures(school_ids),
    )
    rows = []
    for school_id in school_ids:
        figures = dict(FIGURE_DEFAULTS)
        for part in parts:
            figures.update(part.get(school_id, {}))
        rows.append(
            SchoolRollup(
                school_id=school_id,
                as_of=today,
                computed_at=now,
                computed_version=data_versions.get(school_id, 0),
                **figures,
            )
        )
    SchoolRollup.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["school"],
        update_fields=["as_of", "computed_at", "computed_version", *FIGURE_DEFAULTS],
        batch_size=500,
    )
    return len(rows)


def _stale(today) -> Q:
    return (
        Q(rollup__isnull=True)
        | ~Q(rollup__as_of=today)
        | ~Q(rollup__computed_version=F("current_version"))
    )


def stale_school_ids(district: District, *, today=None, school_ids=None) -> list[int]:
    """Active schools of the district (or of these) whose figures are missing, from another
    day, or older than the last write to their data (one query)."""
    today = today or district_today(district)
    schools = School.objects.filter(district=district, is_active=True)
    if school_ids is not None:
        schools = schools.filter(pk__in=school_ids)
    schools = schools.annotate(current_version=Coalesce("data_version__version", 0))
    return list(schools.filter(_stale(today)).values_list("pk", flat=True))


# The version of a district's figures: rows, the sum of their data versions, the sum of
# their school ids and their day; any write, added or removed school or new day moves it.
# Then what decides freshness: the oldest day and the rows missing or behind their data.
_FIGURES = """
      COUNT(r.id), COALESCE(SUM(v.version), 0), COALESCE(SUM(r.school_id), 0),
      MAX(r.as_of), MIN(r.as_of),
      SUM(CASE WHEN s.id IS NOT NULL AND (r.id IS NULL
               OR COALESCE(v.version, 0) <> r.computed_version)
          THEN 1 ELSE 0 END)
"""

_VERSION_SQL = (
    "SELECT"
    + _FIGURES
    + """
    FROM {school} s LEFT JOIN {rollup} r ON r.school_id = s.id
    LEFT JOIN {version} v ON v.school_id = s.id
    WHERE s.district_id = %s AND s.is_active
"""
)


def _version_of(figures, today) -> tuple[tuple, bool]:
    """(version, fresh) from the _FIGURES columns."""
    count, versions, ids, newest, oldest, behind = figures
    days = {str(newest)[:10], str(oldest)[:10]} if count else set()
    fresh = not behind and (not count or days == {today.isoformat()})
    return (count, int(versions), int(ids), str(newest)[:10]), fresh


def _version_row(district: District, today) -> tuple[tuple, bool]:
    # Hand-written: it runs on every dashboard request, and the ORM's version of this
    # aggregate costs more to build than the database takes to answer it.
    sql = _VERSION_SQL.format(
        school=School._meta.db_table,
        rollup=SchoolRollup._meta.db_table,
        version=SchoolVersion._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [district.pk])
        return _version_of(cursor.fetchone(), today)


def fresh_version(district: District) -> tuple:
    """Recompute the district's stale figures, then return their version, which changes
    whenever a row is recomputed for a write or a new day, added or removed. One query when
    every row is fresh."""
    today = district_today(district)
    version, fresh = _version_row(district, today)
    if not fresh:
        compute(district, stale_school_ids(district, today=today))
        version, _fresh = _version_row(district, today)
    return version


_GATE_HEAD = """
    SELECT {district_columns},
      EXISTS (SELECT 1 FROM {membership} m WHERE m.user_id = %s AND m.is_active
              AND m.role = %s AND m.district_id = d.id),
      EXISTS (SELECT 1 FROM {membership} m WHERE m.user_id = %s AND m.is_active
              AND m.district_id = d.id),"""
_GATE_FROM = """
    FROM {district} d
    LEFT JOIN {school} s ON s.district_id = d.id AND s.is_active
    LEFT JOIN {rollup} r ON r.school_id = s.id
    LEFT JOIN {version} v ON v.school_id = s.id
    WHERE d.slug = %s
    GROUP BY d.id
"""
_GATE_SQL = _GATE_HEAD + _FIGURES + _GATE_FROM


@dataclass
class Gate:
    """What the dashboard needs before anything else, read in one query: the district, the
    person's right to it, and the version of its figures."""

    district_id: int
    timezone: str
    # The district's row itself, read by the same query (the page needs it either way).
    district: District
    is_admin: bool
    in_district: bool
    version: tuple
    fresh: bool


@functools.cache
def _gate_sql() -> tuple[str, list[str]]:
    """The gate's statement, written once from the models' tables, and the district's fields."""
    fields = District._meta.concrete_fields
    sql = _GATE_SQL.format(
        district_columns=", ".join(f'd."{f.column}"' for f in fields),
        district=District._meta.db_table,
        membership=Membership._meta.db_table,
        school=School._meta.db_table,
        rollup=SchoolRollup._meta.db_table,
        version=SchoolVersion._meta.db_table,
    )
    return sql, [f.attname for f in fields]


def dashboard_gate(slug: str, user_id: int) -> Gate | None:
    """One query for the dashboard's hot path (the page is read far more often than the
    figures change): it replaces loading the district, the person's roles and the version
    of the figures one by one. None when no district has this slug."""
    sql, attnames = _gate_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, Role.DISTRICT_ADMIN, user_id, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(attnames)
    district = District.from_db(connection.alias, attnames, row[:width])
    is_admin, in_district, *figures = row[width:]
    tz = district.timezone
    today = clock.today_in(tz)
    version, fresh = _version_of(figures, today)
    return Gate(
        district_id=district.pk,
        timezone=tz,
        district=district,
        is_admin=bool(is_admin),
        in_district=bool(in_district),
        version=version,
        fresh=fresh,
    )


def fresh_rollups(district: District) -> QuerySet[SchoolRollup]:
    """The district's active schools' figures, recomputing the stale ones first."""
    fresh_version(district)
    return SchoolRollup.objects.filter(school__district=district, school__is_active=True)


def refresh_district(district: District) -> int:
    """Recompute every active school of the district (nightly, and after loading data)."""
    ids = list(
        School.objects.filter(district=district, is_active=True).values_list("pk", flat=True)
    )
    return compute(district, ids)
