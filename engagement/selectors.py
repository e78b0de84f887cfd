"""Every read the engagement pages need, scoped to the acting user and prefetched."""

from __future__ import annotations

import functools
from datetime import timedelta

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from leadership import lookups
from leadership.models import District, School, SchoolVersion
from leadership.prepared import Prepared
from leadership.selectors import family_school_ids

from .models import (
    CalendarFeed,
    CheckIn,
    Event,
    EventStatus,
    EventTranslation,
    Feedback,
    Rsvp,
    RsvpStatus,
)
from .permissions import can_see_drafts, can_see_rsvps

STATUS_ORDER = Case(
    When(status=RsvpStatus.GOING, then=Value(0)),
    When(status=RsvpStatus.WAITLISTED, then=Value(1)),
    default=Value(2),
)
VISIBLE_TO_FAMILIES = [EventStatus.PUBLISHED, EventStatus.CANCELLED]


def _with_texts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.select_related("school__district").prefetch_related("translations")


def school_events(*, user, school, upcoming_only: bool = False) -> QuerySet[Event]:
    """The school's events this user may see: all for staff and district admins; published
    and cancelled ones for families. The user's own RSVP comes along as `my_rsvps`."""
    events = Event.objects.filter(school=school)
    if not can_see_drafts(user, school):
        events = events.filter(status__in=VISIBLE_TO_FAMILIES)
    if upcoming_only:
        events = events.filter(ends_at__gt=timezone.now())
    return _with_texts(events).prefetch_related(
        Prefetch("rsvps", queryset=Rsvp.objects.filter(family=user.pk), to_attr="my_rsvps")
    )


def _events_seen(school, *, drafts: bool) -> QuerySet[Event]:
    events = Event.objects.filter(school=school)
    return events if drafts else events.filter(status__in=VISIBLE_TO_FAMILIES)


def rsvp_events(*, user, school) -> QuerySet[Event]:
    """`school_events` as the RSVP post needs them: the event's row alone (no texts, no
    RSVPs, not its school: the caller has the school in hand)."""
    return _events_seen(school, drafts=can_see_drafts(user, school))


# One of `rsvp_events` by its id, as the school's staff and as a family see them, compiled
# once: every RSVP sent reads it.
_RSVP_EVENT = {
    drafts: Prepared(
        lambda school, pk, drafts=drafts: _events_seen(school, drafts=drafts).filter(pk=pk)
    )
    for drafts in (False, True)
}


def rsvp_event(*, user, school, pk: int) -> Event | None:
    """The event `pk` among `rsvp_events(user=user, school=school)`, with `school` (in hand)
    as its school, or None."""
    event = _RSVP_EVENT[can_see_drafts(user, school)].first(school=school.pk, pk=pk)
    if event is not None:
        event.school = school
    return event


@functools.lru_cache(maxsize=16)
def _family_page_schools_sql(count: int) -> str:
    """The SELECT of `family_page_schools` for `count` schools, built once from the models'
    tables and columns."""
    school, district = School._meta, District._meta
    feed, version = CalendarFeed._meta, SchoolVersion._meta
    s_id, s_name = school.pk.column, school.get_field("name").column
    s_district = school.get_field("district").column
    school_columns = ", ".join(f's."{f.column}"' for f in school.concrete_fields)
    district_columns = ", ".join(
        f'd."{f.column}" AS "district__{f.attname}"' for f in district.concrete_fields
    )
    placeholders = ", ".join(["%s"] * count)
    # Table and column names from the models' metadata only; the person and ids are parameters.
    return (
        f"SELECT {school_columns}, {district_columns}, "  # noqa: S608
        f'v."{version.get_field("version").column}" AS "version_now", '
        f'f."{feed.get_field("token").column}" AS "my_feed_token" '
        f'FROM "{school.db_table}" s '
        f'INNER JOIN "{district.db_table}" d ON d."{district.pk.column}" = s."{s_district}" '
        f'LEFT JOIN "{version.db_table}" v '
        f'ON v."{version.get_field("school").column}" = s."{s_id}" '
        f'LEFT JOIN "{feed.db_table}" f ON f."{feed.get_field("school").column}" = s."{s_id}" '
        f'AND f."{feed.get_field("person").column}" = %s '
        f'WHERE s."{s_id}" IN ({placeholders}) ORDER BY s."{s_name}"'
    )


def family_page_schools(*, user) -> list[School]:
    """`leadership.selectors.family_schools` as the family page needs them, in one query read
    from SQL built once (the ORM compiling the three queries it replaces was most of the page's
    database time): each school with its district, its data version as `version_now` (None
    while it is not versioned) and the family's own calendar link token as `my_feed_token`
    (None until the link is first made)."""
    ids = family_school_ids(user=user)
    if not ids:
        return []
    schools = list(School.objects.raw(_family_page_schools_sql(len(ids)), [user.pk, *ids]))
    names = [f"district__{field.attname}" for field in District._meta.concrete_fields]
    for school in schools:
        # The district's columns come as the raw query's extra columns: turned into the
        # district as the ORM turns them (each column through its converters).
        school.district = lookups.from_row(District, [getattr(school, name) for name in names])
    return schools


def family_upcoming_events(*, user, schools, now) -> dict[int, list[Event]]:
    """The published and cancelled events of `schools` that end after `now`, by school id, in
    2 queries: the events with the family's own RSVP joined in (at most one per event), and
    their titles. Only what the family page shows is loaded: each event carries `my_rsvps`
    (a list of 0 or 1 RSVP holding its status and party) and its school (from `schools`);
    its translations hold titles only."""
    school_by_id = {school.pk: school for school in schools}
    events = (
        Event.objects.filter(
            school_id__in=list(school_by_id),
            status__in=VISIBLE_TO_FAMILIES,
            ends_at__gt=now,
        )
        .annotate(mine=FilteredRelation("rsvps", condition=Q(rsvps__family=user.pk)))
        .annotate(
            my_rsvp_id=F("mine__id"),
            my_status=F("mine__status"),
            my_adults=F("mine__adults"),
            my_children=F("mine__children"),
        )
        .only("id", "school_id", "status", "starts_at", "ends_at")
        .prefetch_related(
            Prefetch(
                "translations",
                queryset=EventTranslation.objects.only("id", "event_id", "language", "title"),
            )
        )
        .order_by("starts_at", "id")
    )
    by_school: dict[int, list[Event]] = {pk: [] for pk in school_by_id}
    for event in events:
        event.school = school_by_id[event.school_id]
        event.my_rsvps = (
            [
                Rsvp(
                    pk=event.my_rsvp_id,
                    event=event,
                    family_id=user.pk,
                    status=event.my_status,
                    adults=event.my_adults,
                    children=event.my_children,
                )
            ]
            if event.my_rsvp_id
            else []
        )
        by_school[event.school_id].append(event)
    return by_school


def my_rsvp(*, user, event: Event) -> Rsvp | None:
    cached = getattr(event, "my_rsvps", None)
    if cached is not None:
        return cached[0] if cached else None
    return Rsvp.objects.filter(event=event, family=user.pk).first()


def waitlist_position(rsvp: Rsvp) -> int | None:
    """1 for the first party waiting; stable while the RSVP waits (ordered by when it joined)."""
    if rsvp.status != RsvpStatus.WAITLISTED or rsvp.waitlisted_at is None:
        return None
    ahead = Rsvp.objects.filter(event_id=rsvp.event_id, status=RsvpStatus.WAITLISTED).filter(
        Q(waitlisted_at__lt=rsvp.waitlisted_at)
        | Q(waitlisted_at=rsvp.waitlisted_at, pk__lt=rsvp.pk)
    )
    return ahead.count() + 1


def event_rsvps(*, user, event: Event) -> QuerySet[Rsvp]:
    """Every RSVP with names and needs: the school's staff only."""
    if not can_see_rsvps(user, event.school):
        return Rsvp.objects.none()
    return (
        Rsvp.objects.filter(event=event)
        .select_related("family", "check_in")
        .order_by(STATUS_ORDER, "waitlisted_at", "family__full_name", "family__email", "id")
    )


def rsvp_search(*, user, event: Event, query: str) -> QuerySet[Rsvp]:
    """Families going, for the door: search by name or e-mail."""
    rsvps = event_rsvps(user=user, event=event).filter(status=RsvpStatus.GOING)
    query = query.strip()
    if query:
        rsvps = rsvps.filter(
            Q(family__full_name__icontains=query) | Q(family__email__icontains=query)
        )
    return rsvps.order_by("family__full_name", "family__email", "id")


def needs_summary(*, event: Event) -> dict:
    """Totals for planning, with no names: parties, people, interpreters, childcare, access."""
    going = Rsvp.objects.filter(event=event, status=RsvpStatus.GOING)
    totals = going.aggregate(
        parties=Count("id"),
        adults=Sum("adults"),
        children=Sum("children"),
        childcare=Sum("childcare_count"),
        access=Count("id", filter=~Q(accessibility_needs="")),
    )
    interpretation = list(
        going.exclude(interpretation_language="")
        .values("interpretation_language")
        .annotate(parties=Count("id"), people=Sum("adults"))
        .order_by("interpretation_language")
    )
    waitlisted = Rsvp.objects.filter(event=event, status=RsvpStatus.WAITLISTED).aggregate(
        parties=Count("id")
    )
    return {
        "parties": totals["parties"] or 0,
        "adults": totals["adults"] or 0,
        "children": totals["children"] or 0,
        "people": (totals["adults"] or 0) + (totals["children"] or 0),
        "childcare": totals["childcare"] or 0,
        "access": totals["access"] or 0,
        "interpretation": interpretation,
        "waitlisted": waitlisted["parties"] or 0,
    }


def attendance(*, event: Event) -> dict:
    """Who came: RSVP'd parties checked in over parties going, plus walk-ins."""
    going = Rsvp.objects.filter(event=event, status=RsvpStatus.GOING).count()
    rows = CheckIn.objects.filter(event=event).aggregate(
        rsvp_parties=Count("id", filter=Q(rsvp__isnull=False)),
        walk_ins=Count("id", filter=Q(rsvp__isnull=True)),
        people=Sum("party_size"),
    )
    came = rows["rsvp_parties"] or 0
    return {
        "going": going,
        "came": came,
        "walk_ins": rows["walk_ins"] or 0,
        "people": rows["people"] or 0,
        "rate": round(100 * came / going) if going else None,
    }


def feedback_summary(*, event: Event) -> dict:
    rows = Feedback.objects.filter(event=event)
    counts = dict(rows.values_list("rating").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    average = sum(r * n for r, n in counts.items()) / total if total else None
    return {
        "count": total,
        "average": round(average, 1) if average is not None else None,
        "distribution": [(r, counts.get(r, 0)) for r in range(5, 0, -1)],
        "comments": list(rows.exclude(comment="").values_list("comment", flat=True)[:50]),
    }


def feed_events(*, school) -> QuerySet[Event]:
    """A school's calendar feed: published and cancelled events from 90 days ago on."""
    since = timezone.now() - timedelta(days=90)
    return _with_texts(
        Event.objects.filter(school=school, status__in=VISIBLE_TO_FAMILIES, ends_at__gte=since)
    )


# --- district dashboard ---------------------------------------------------------------


def dashboard_figures(school_ids, *, year, now, bounds=None) -> dict[int, dict]:
    """Family-engagement figures per school for the district dashboard, in two queries for any
    number of schools: published events of the school year held and upcoming, RSVPs (parties
    going or waitlisted), attendance (RSVP'd parties checked in over parties going, at events
    already held) and interpretation requests."""
    if year is None:
        return {}
    # The year's first and last day in the district's time (`bounds`: aware datetimes, the
    # first instant of the year and of the day after it).
    start, end = bounds or (year.start, year.end + timedelta(days=1))
    in_year = Q(
        event__school_id__in=school_ids,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    )
    figures: dict[int, dict] = {}
    events = (
        Event.objects.filter(
            school_id__in=school_ids,
            status=EventStatus.PUBLISHED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .values("school_id")
        .annotate(
            held=Count("id", filter=Q(ends_at__lt=now)),
            upcoming=Count("id", filter=Q(starts_at__gte=now)),
        )
    )
    for row in events:
        figures[row["school_id"]] = {
            "events_held": row["held"],
            "events_upcoming": row["upcoming"],
        }
    active = [RsvpStatus.GOING, RsvpStatus.WAITLISTED]
    past_going = Q(status=RsvpStatus.GOING, event__ends_at__lt=now)
    rsvps = (
        Rsvp.objects.filter(in_year, status__in=active)
        .values("event__school_id")
        .annotate(
            rsvps=Count("id"),
            interpretation=Count("id", filter=~Q(interpretation_language="")),
            past_going=Count("id", filter=past_going),
            came=Count("id", filter=past_going & Q(check_in__isnull=False)),
        )
    )
    for row in rsvps:
        figure = figures.setdefault(row["event__school_id"], {})
        figure["rsvps"] = row["rsvps"]
        figure["interpretation_requests"] = row["interpretation"]
        if row["past_going"]:
            figure["event_attendance"] = round(100 * row["came"] / row["past_going"])
    return figures
