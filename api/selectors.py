"""What a district's token may read: every query starts from the token's district, so another
district's rows are never found (a lookup by id answers 404)."""

from django.db.models import Count, Q, QuerySet, Sum

from engagement.models import Event, EventTranslation, Rsvp, RsvpStatus
from leadership.models import District, School, SchoolYear
from leadership.prepared import Prepared
from teams.models import Decision, Meeting, Team
from workplans.models import DataPoint, Goal, Measure, WorkPlan


def schools(district: District) -> QuerySet[School]:
    return School.objects.filter(district=district)


def school_years(district: District) -> QuerySet[SchoolYear]:
    return SchoolYear.objects.filter(district=district)


def teams(district: District) -> QuerySet[Team]:
    return Team.objects.filter(school__district=district)


def meetings(district: District) -> QuerySet[Meeting]:
    return Meeting.objects.filter(team__school__district=district).select_related("team")


def decisions(district: District) -> QuerySet[Decision]:
    return Decision.objects.filter(meeting__team__school__district=district).select_related(
        "meeting__team"
    )


def plans(district: District) -> QuerySet[WorkPlan]:
    return WorkPlan.objects.filter(school__district=district)


def goals(district: District) -> QuerySet[Goal]:
    return Goal.objects.filter(plan__school__district=district).select_related("plan")


def measures(district: District) -> QuerySet[Measure]:
    return Measure.objects.filter(goal__plan__school__district=district).select_related(
        "goal__plan__school"
    )


def data_points(district: District) -> QuerySet[DataPoint]:
    return DataPoint.objects.filter(measure__goal__plan__school__district=district)


def _rsvps(status: str) -> Q:
    return Q(rsvps__status=status)


def event_rows(district: District) -> QuerySet[Event]:
    """The district's events, uncounted: what a list pages through before counting."""
    return Event.objects.filter(school__district=district)


def events(district: District) -> QuerySet[Event]:
    """Events with their RSVPs counted: how many, never who nor what they asked for."""
    going = _rsvps(RsvpStatus.GOING)
    return (
        Event.objects.filter(school__district=district)
        .select_related("school")
        .prefetch_related("translations")
        .annotate(
            rsvps_going=Count("rsvps", filter=going),
            rsvps_waitlisted=Count("rsvps", filter=_rsvps(RsvpStatus.WAITLISTED)),
            rsvps_cancelled=Count("rsvps", filter=_rsvps(RsvpStatus.CANCELLED)),
            adults_going=Sum("rsvps__adults", filter=going, default=0),
            children_going=Sum("rsvps__children", filter=going, default=0),
            interpretation_requests=Count(
                "rsvps", filter=going & ~Q(rsvps__interpretation_language="")
            ),
            childcare_requests=Count("rsvps", filter=going & Q(rsvps__childcare_count__gt=0)),
        )
    )


# An event's own columns as the API shows them (api.schemas.EventOut, `texts` and `rsvps`
# aside): what a values() query of event_rows() reads for event_rows_out().
EVENT_COLUMNS = (
    "id",
    "school_id",
    "kind",
    "status",
    "starts_at",
    "ends_at",
    "location",
    "online_link",
    "capacity",
    "seats_taken",
    "rsvp_deadline",
    "interpretation_languages",
    "offers_childcare",
    "offers_transport",
    "offers_food",
    "accessibility_notes",
    "updated_at",
)


def _rsvps_counted_query(*, ids: list[int]) -> QuerySet[Rsvp]:
    # `event__pk__in`, the same SQL as `event_id__in`: Django prepares each id as an integer
    # instead of normalizing it as a related object (a quarter less Python work a query).
    return (
        Rsvp.objects.filter(event__pk__in=ids)
        .order_by()
        .values_list("event_id", "status")
        .annotate(
            n=Count("pk"),
            adults=Sum("adults"),
            children=Sum("children"),
            interpretation=Count("pk", filter=~Q(interpretation_language="")),
            childcare=Count("pk", filter=Q(childcare_count__gt=0)),
        )
    )


def _event_texts_query(*, ids: list[int]) -> QuerySet[EventTranslation]:
    return (
        EventTranslation.objects.filter(event__pk__in=ids)
        .order_by("event_id", "language")
        .values_list("event_id", "language", "title", "description")
    )


# Compiled once per number of events (see leadership.prepared): a page of events runs both.
_rsvps_counted = Prepared(_rsvps_counted_query)
_event_texts = Prepared(_event_texts_query)


def event_rows_out(rows: list[dict]) -> list[dict]:
    """Rows of EVENT_COLUMNS completed as the API shows them, in place: `texts` by language
    and `rsvps` counted (how many, never who nor what they asked for), in two queries
    whatever the number of rows, no model built. Counting by event and status over only these
    events' RSVPs is also what keeps a page cheap for PostgreSQL (see api.api.list_events)."""
    if not rows:
        return rows
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["texts"] = {}
        row["rsvps"] = {
            "going": 0,
            "waitlisted": 0,
            "cancelled": 0,
            "adults_going": 0,
            "children_going": 0,
            "interpretation_requests": 0,
            "childcare_requests": 0,
        }
    counted = _rsvps_counted.rows(ids=list(by_id))
    for event_id, status, n, adults, children, interpretation, childcare in counted:
        rsvps = by_id[event_id]["rsvps"]
        if status == RsvpStatus.GOING:
            rsvps["going"] = n
            rsvps["adults_going"] = adults
            rsvps["children_going"] = children
            rsvps["interpretation_requests"] = interpretation
            rsvps["childcare_requests"] = childcare
        elif status in (RsvpStatus.WAITLISTED, RsvpStatus.CANCELLED):
            rsvps[status] = n
    for event_id, language, title, description in _event_texts.rows(ids=list(by_id)):
        by_id[event_id]["texts"][language] = {"title": title, "description": description}
    return rows
