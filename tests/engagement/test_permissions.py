"""Permission matrix of the engagement pages: role x URL -> status.

engagement:family_home has its row in tests/leadership/test_permissions.py.
"""

from engagement import services, tokens
from engagement.models import EventStatus
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person
from tests.matrix import Row, check_row, parametrize


def everyone(status: int, **overrides) -> dict[str, int]:
    from tests.conftest import ROLES

    return {role: overrides.get(role, status) for role in ROLES}


OUTSIDERS_404 = dict(other_school_principal=404, other_district_admin=404)
STAFF_ONLY_200 = everyone(
    403, anonymous=302, principal=200, teacher_leader=200, staff=200, **OUTSIDERS_404
)
STAFF_ONLY_302 = everyone(
    403, anonymous=302, principal=302, teacher_leader=302, staff=302, **OUTSIDERS_404
)
# Creating, editing, publishing and cancelling events: the principal (DESIGN.md: the principal
# "publishes events"; a teacher leader owns steps and posts progress, staff see and join).
PRINCIPAL_ONLY_200 = everyone(403, anonymous=302, principal=200, **OUTSIDERS_404)
PRINCIPAL_ONLY_302 = everyone(403, anonymous=302, principal=302, **OUTSIDERS_404)
FAMILY_ONLY_302 = everyone(403, anonymous=302, family=302, **OUTSIDERS_404)
READERS_200 = everyone(200, anonymous=302, **OUTSIDERS_404)


def _school(world):
    return {"slug": world.school.slug}


def _event(world):
    return {"slug": world.school.slug, "pk": EventFactory(school=world.school).pk}


def _draft(world):
    event = EventFactory(school=world.school, status=EventStatus.DRAFT)
    return {"slug": world.school.slug, "pk": event.pk}


def _family_rsvp(world):
    event = EventFactory(school=world.school)
    RsvpFactory(event=event, family=world.family)
    return {"slug": world.school.slug, "pk": event.pk}


def _other_rsvp(world):
    from leadership.models import Role

    event = EventFactory(school=world.school)
    other = person(Role.FAMILY, school=world.school, email="door@example.org")
    rsvp = RsvpFactory(event=event, family=other)
    return {"slug": world.school.slug, "pk": event.pk, "rsvp_pk": rsvp.pk}


def _rsvp_token(world):
    rsvp = RsvpFactory(event=EventFactory(school=world.school), family=world.family)
    return {"token": tokens.make_rsvp_token(rsvp)}


def _feed(world):
    return {
        "token": services.calendar_feeds_for(school_ids=[world.school.pk])[world.school.pk].token
    }


MATRIX = [
    Row("engagement:event_list", READERS_200, kwargs=_school),
    Row("engagement:event_create", PRINCIPAL_ONLY_200, kwargs=_school),
    Row("engagement:event_create", PRINCIPAL_ONLY_200, kwargs=_school, method="POST"),
    Row("engagement:event_detail", READERS_200, kwargs=_event),
    # A draft is the staff's and the district's; to a family it does not exist.
    Row(
        "engagement:event_detail",
        everyone(200, anonymous=302, family=404, **OUTSIDERS_404),
        kwargs=_draft,
    ),
    Row("engagement:event_edit", PRINCIPAL_ONLY_200, kwargs=_event),
    Row("engagement:event_publish", PRINCIPAL_ONLY_302, kwargs=_draft, method="POST"),
    Row("engagement:event_cancel", PRINCIPAL_ONLY_302, kwargs=_event, method="POST"),
    Row(
        "engagement:rsvp_submit",
        FAMILY_ONLY_302,
        kwargs=_event,
        method="POST",
        data=lambda w: {"adults": 1, "children": 0},
    ),
    Row("engagement:rsvp_cancel", FAMILY_ONLY_302, kwargs=_family_rsvp, method="POST"),
    Row("engagement:event_ics", READERS_200, kwargs=_event),
    # Names and needs, and the door: the school's staff (whoever helps on the night); district
    # admins see totals on the event page.
    Row("engagement:rsvp_list", STAFF_ONLY_200, kwargs=_event),
    Row("engagement:rsvp_csv", STAFF_ONLY_200, kwargs=_event),
    Row("engagement:check_in", STAFF_ONLY_200, kwargs=_event),
    Row("engagement:check_in_mark", STAFF_ONLY_302, kwargs=_other_rsvp, method="POST"),
    Row(
        "engagement:walk_in",
        STAFF_ONLY_302,
        kwargs=_event,
        method="POST",
        data=lambda w: {"name": "Walk In", "party_size": 2},
    ),
    Row(
        "engagement:feedback",
        everyone(403, anonymous=302, family=200, **OUTSIDERS_404),
        kwargs=_event,
    ),
    # Signed links work without a session, for whoever holds them.
    Row("engagement:rsvp_link", everyone(200), kwargs=_rsvp_token),
    Row("engagement:school_feed", everyone(200), kwargs=_feed),
    # Replacing the school's calendar link: the principal, who publishes its events.
    Row(
        "engagement:calendar_feed_rotate",
        everyone(403, anonymous=302, principal=302, **OUTSIDERS_404),
        kwargs=_school,
        method="POST",
    ),
    # A family's own calendar link: that family alone.
    Row("engagement:my_calendar_feed_rotate", FAMILY_ONLY_302, kwargs=_school, method="POST"),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)
