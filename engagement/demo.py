"""Demo events for leadership's seed_demo: upcoming and past events, RSVPs, a full event with a
waitlist, check-ins and feedback. Bulk inserts; a school that already has events is left alone,
so running it again changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from leadership.models import Membership, Role

from .models import (
    CheckIn,
    Event,
    EventKind,
    EventStatus,
    EventTranslation,
    Feedback,
    Rsvp,
    RsvpStatus,
)

TEXTS = {
    "math": (
        ("Family math night", "Games and puzzles to play at home, with dinner for everyone."),
        (
            "Noche familiar de matemáticas",
            "Juegos y acertijos para jugar en casa, con cena para todos.",
        ),
    ),
    "walk": (
        ("Learning walk with families", "Visit classrooms with teachers and the principal."),
        ("Recorrido de aprendizaje con familias", "Visite las aulas con maestros y la directora."),
    ),
    "coffee": (
        ("Coffee with the principal", "An open conversation about this year's school plan."),
        ("Café con la directora", "Una conversación abierta sobre el plan escolar de este año."),
    ),
    "draft": (("Spring community meeting", "Draft: agenda to follow."), ("", "")),
}

ACCESS_NOTES = "Step-free entrance by the main office; hearing loop in the library."


def _at(day, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=tz)


def seed(*, district, schools) -> str:
    tz = ZoneInfo(district.timezone)
    today = timezone.localdate(timezone=tz)
    todo = [s for s in schools if not Event.objects.filter(school=s).exists()]
    if not todo:
        return "demo events already there"
    families: dict[int, list[int]] = {}
    for school_id, user_id in (
        Membership.objects.active()
        .filter(school__in=todo, role=Role.FAMILY)
        .order_by("school_id", "user_id")
        .values_list("school_id", "user_id")
    ):
        families.setdefault(school_id, []).append(user_id)

    plan = [
        # key, kind, status, days from today, hours, capacity
        ("math", EventKind.FAMILY_NIGHT, EventStatus.PUBLISHED, 12, 18, 60),
        ("walk", EventKind.LEARNING_WALK, EventStatus.PUBLISHED, 5, 9, 6),  # full, waitlist
        ("coffee", EventKind.COMMUNITY_MEETING, EventStatus.PUBLISHED, -10, 8, 30),  # past
        ("draft", EventKind.COMMUNITY_MEETING, EventStatus.DRAFT, 40, 18, 80),
    ]
    events, keys = [], []
    for school in todo:
        for key, kind, status, days, hour, capacity in plan:
            day = today + timedelta(days=days)
            keys.append((school.pk, key))
            events.append(
                Event(
                    school=school,
                    kind=kind,
                    status=status,
                    starts_at=_at(day, hour, tz),
                    ends_at=_at(day, hour, tz) + timedelta(hours=2),
                    rsvp_deadline=_at(day - timedelta(days=1), 17, tz),
                    location=f"{school.name} library",
                    capacity=capacity,
                    interpretation_languages=["Spanish", "Vietnamese"],
                    offers_childcare=key in ("math", "coffee"),
                    offers_food=key == "math",
                    accessibility_notes=ACCESS_NOTES,
                )
            )
    # PostgreSQL and SQLite (3.35+) both return the new ids from a bulk insert.
    Event.objects.bulk_create(events)
    by_school: dict[int, dict[str, Event]] = {}
    for (school_id, key), event in zip(keys, events, strict=True):
        by_school.setdefault(school_id, {})[key] = event

    texts, rsvps = [], []
    for school in todo:
        mine = by_school[school.pk]
        for key, event in mine.items():
            (en_title, en_desc), (es_title, es_desc) = TEXTS[key]
            texts.append(
                EventTranslation(event=event, language="en", title=en_title, description=en_desc)
            )
            if es_title:
                texts.append(
                    EventTranslation(
                        event=event, language="es", title=es_title, description=es_desc
                    )
                )
        people = families.get(school.pk, [])
        now = timezone.now()
        # Family night: most families, some with needs.
        for n, user_id in enumerate(people[:8]):
            rsvps.append(
                Rsvp(
                    event=mine["math"],
                    family_id=user_id,
                    status=RsvpStatus.GOING,
                    adults=1 + n % 2,
                    children=n % 3,
                    interpretation_language="Spanish" if n % 3 == 1 else "",
                    childcare_count=1 if n % 3 == 2 else 0,
                    accessibility_needs="Wheelchair access" if n == 4 else "",
                )
            )
        # Learning walk: 6 seats, 3 parties of 2 going, the rest waiting in order.
        for n, user_id in enumerate(people[:6]):
            going = n < 3
            rsvps.append(
                Rsvp(
                    event=mine["walk"],
                    family_id=user_id,
                    status=RsvpStatus.GOING if going else RsvpStatus.WAITLISTED,
                    adults=2,
                    waitlisted_at=None if going else now + timedelta(seconds=n),
                )
            )
        # Past coffee: six came.
        for user_id in people[:6]:
            rsvps.append(
                Rsvp(event=mine["coffee"], family_id=user_id, status=RsvpStatus.GOING, adults=1)
            )
    EventTranslation.objects.bulk_create(texts)
    Rsvp.objects.bulk_create(rsvps)
    # Seats held by the RSVPs just made, written in one bulk UPDATE.
    for rsvp in rsvps:
        if rsvp.status == RsvpStatus.GOING:
            rsvp.event.seats_taken += rsvp.party_size
    Event.objects.bulk_update(events, ["seats_taken"], batch_size=500)

    coffee_ids = [by_school[s.pk]["coffee"].pk for s in todo]
    came = list(Rsvp.objects.filter(event_id__in=coffee_ids).order_by("event_id", "id"))
    CheckIn.objects.bulk_create(
        [CheckIn(event_id=r.event_id, rsvp=r, party_size=r.party_size) for r in came]
        + [CheckIn(event_id=pk, name="Walk-in neighbour", party_size=2) for pk in coffee_ids]
    )
    comments = [
        "Very useful, thank you!",
        "Please offer it in the evening too.",
        "",
        "Great interpreter.",
        "",
        "",
    ]
    Feedback.objects.bulk_create(
        [
            Feedback(
                event_id=r.event_id,
                family_id=r.family_id,
                rating=5 - i % 6 // 2,
                comment=comments[i % 6],
            )
            for i, r in enumerate(came)
        ]
    )
    return f"{len(events)} events, {len(rsvps)} RSVPs in {len(todo)} schools"
