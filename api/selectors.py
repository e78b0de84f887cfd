"""What a district's token may read: every query starts from the token's district, so another
district's rows are never found (a lookup by id answers 404)."""

from django.db.models import Count, Q, QuerySet, Sum

from engagement.models import Event, RsvpStatus
from leadership.models import District, School, SchoolYear
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
