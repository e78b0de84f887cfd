"""Demo events for leadership's seed_demo: a school year of family events, in bulk.

Per school: 20 events spread over the year. Past ones have RSVPs, check-ins at the door (walk-ins
too), the reminders and surveys that were sent, and feedback; upcoming ones are published and
take RSVPs (the nearer, the more), one small learning walk is full with a waitlist, and the last
event of the year is still a draft. Some families ask for interpretation, childcare or access.

Seats follow the services' rules: `seats_taken` is the sum of the parties going, never above
the capacity, and RSVPs join the waitlist in order once a party does not fit (whole parties,
first come first served). A school that already has events is left alone, so running it again
changes nothing. Numbers vary between schools, deterministically (a random generator seeded by
the school's slug).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from leadership import clock, versions
from leadership.models import Membership, Role, SchoolYear

from .models import (
    CheckIn,
    Event,
    EventKind,
    EventStatus,
    EventTranslation,
    Feedback,
    MessageKind,
    Rsvp,
    RsvpStatus,
    SentMessage,
)

EVENTS = 20
BATCH = 2000
# key: kind, hour, hours long, capacity range, childcare, food, (en title, en text), (es ...),
# (vi ...).
TEMPLATES = {
    "back": (
        EventKind.FAMILY_NIGHT,
        18,
        2,
        (120, 200),
        True,
        True,
        ("Back-to-school night", "Meet your child's teachers and see the classrooms."),
        ("Noche de regreso a clases", "Conozca a los maestros de su hijo y vea los salones."),
        ("Đêm tựu trường", "Gặp gỡ giáo viên của con quý vị và tham quan lớp học."),
    ),
    "coffee": (
        EventKind.COMMUNITY_MEETING,
        8,
        1,
        (30, 50),
        False,
        True,
        ("Coffee with the principal", "An open conversation about this year's school plan."),
        ("Café con la directora", "Una conversación abierta sobre el plan escolar de este año."),
        ("Cà phê với hiệu trưởng", "Trò chuyện cởi mở về kế hoạch của trường năm nay."),
    ),
    "math": (
        EventKind.FAMILY_NIGHT,
        18,
        2,
        (80, 120),
        True,
        True,
        ("Family math night", "Games and puzzles to play at home, with dinner for everyone."),
        (
            "Noche familiar de matemáticas",
            "Juegos y acertijos para jugar en casa, con cena para todos.",
        ),
        ("Đêm toán học gia đình", "Trò chơi và câu đố để chơi ở nhà, có bữa tối cho mọi người."),
    ),
    "reading": (
        EventKind.FAMILY_NIGHT,
        18,
        2,
        (80, 120),
        True,
        True,
        ("Family reading night", "Read together, take books home, meet the librarian."),
        (
            "Noche familiar de lectura",
            "Lean juntos, lleven libros a casa, conozcan a la bibliotecaria.",
        ),
        ("Đêm đọc sách gia đình", "Cùng đọc sách, mượn sách về nhà, gặp thủ thư."),
    ),
    "workshop": (
        EventKind.WORKSHOP,
        17,
        2,
        (30, 50),
        True,
        False,
        ("Helping with homework", "Simple routines that help at home, in any language."),
        ("Cómo ayudar con la tarea", "Rutinas sencillas que ayudan en casa, en cualquier idioma."),
        (
            "Giúp con làm bài tập về nhà",
            "Những thói quen đơn giản giúp con ở nhà, bằng bất kỳ ngôn ngữ nào.",
        ),
    ),
    "conference": (
        EventKind.CONFERENCE,
        15,
        3,
        (150, 250),
        True,
        False,
        ("Student-led conferences", "Your child shows you their portfolio and their goals."),
        ("Conferencias dirigidas por estudiantes", "Su hijo le muestra su portafolio y sus metas."),
        (
            "Buổi họp do học sinh dẫn dắt",
            "Con quý vị giới thiệu hồ sơ học tập và mục tiêu của mình.",
        ),
    ),
    "walk": (
        EventKind.LEARNING_WALK,
        9,
        2,
        (6, 8),
        False,
        False,
        ("Learning walk with families", "Visit classrooms with teachers and the principal."),
        ("Recorrido de aprendizaje con familias", "Visite las aulas con maestros y la directora."),
        ("Tham quan lớp học cùng gia đình", "Thăm các lớp học cùng giáo viên và hiệu trưởng."),
    ),
    "elac": (
        EventKind.COMMUNITY_MEETING,
        17,
        1,
        (30, 50),
        True,
        True,
        ("English learner advisory committee", "Review the plan for English learners."),
        ("Comité asesor de aprendices de inglés", "Revisemos el plan para aprendices de inglés."),
        (
            "Ủy ban cố vấn học sinh học tiếng Anh",
            "Xem xét kế hoạch dành cho học sinh học tiếng Anh.",
        ),
    ),
    "stem": (
        EventKind.FAMILY_NIGHT,
        17,
        2,
        (100, 180),
        True,
        True,
        ("STEM fair", "Students show their projects; try the experiments yourself."),
        ("Feria de ciencias", "Los estudiantes presentan sus proyectos; pruebe los experimentos."),
        ("Hội chợ khoa học", "Học sinh trình bày dự án; quý vị hãy tự làm thử các thí nghiệm."),
    ),
    "budget": (
        EventKind.COMMUNITY_MEETING,
        18,
        1,
        (40, 60),
        True,
        False,
        ("School plan and budget meeting", "Have a say in next year's plan and budget."),
        ("Reunión del plan y presupuesto", "Opine sobre el plan y el presupuesto del próximo año."),
        ("Họp về kế hoạch và ngân sách của trường", "Góp ý cho kế hoạch và ngân sách năm tới."),
    ),
    "celebration": (
        EventKind.FAMILY_NIGHT,
        17,
        2,
        (150, 250),
        True,
        True,
        ("End-of-year celebration", "Draft: agenda to follow."),
        ("Celebración de fin de año", "Borrador: el programa se enviará pronto."),
        ("Lễ mừng cuối năm", "Bản nháp: chương trình sẽ được gửi sau."),
    ),
}
# The school year's calendar of events, in order: the first and last are fixed.
MIDDLE = ["coffee", "math", "workshop", "conference", "walk", "elac", "reading", "stem", "budget"]
ACCESS_NOTES = "Step-free entrance by the main office; hearing loop in the library."
# The place and the notes as the school writes them in its other languages.
PLACES = {
    "en": ("{school} cafeteria", "{school} library"),
    "es": ("Cafetería de {school}", "Biblioteca de {school}"),
    "vi": ("Nhà ăn trường {school}", "Thư viện trường {school}"),
}
TRANSLATED_ACCESS_NOTES = {
    "es": "Entrada sin escalones por la oficina principal; bucle auditivo en la biblioteca.",
    "vi": "Lối vào không có bậc thang qua văn phòng chính; hệ thống hỗ trợ nghe trong thư viện.",
}
ACCESS_NEEDS = [
    "Wheelchair access",
    "Seating near the front: low vision",
    "Large-print materials",
    "ASL interpreter",
    "Step-free route from the parking lot",
]
COMMENTS = [
    "Very useful, thank you!",
    "Please offer it in the evening too.",
    "",
    "Great interpreter.",
    "",
    "My kids loved it.",
    "Too short; we had more questions.",
    "",
]
# Children that come along to adults' events (childcare); none on a learning walk.
CHILDREN = {
    "walk": [0],
    "coffee": [0, 0, 0, 1],
    "elac": [0, 0, 1, 2],
    "budget": [0, 0, 1, 2],
    "workshop": [0, 0, 1, 2],
}
WALK_INS = ["Walk-in family", "Neighbour", "Grandparent", "Walk-in: new family"]


@contextmanager
def timestamps_as_given(model, *names):
    """Let bulk_create write the dates the demo chose: auto_now(_add) would stamp them all now.

    Only the seeding command runs this, on one thread, around single bulk inserts.
    """
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=tz)


def _weekday(day: date) -> date:
    """Saturday and Sunday move to the Friday before and the Monday after."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def calendar(rng: random.Random, start: date, end: date) -> list[tuple[str, date]]:
    """20 events from the week after the start of the year to the week before its end."""
    keys = ["back"] + [rng.choice(MIDDLE) for _ in range(EVENTS - 2)] + ["celebration"]
    # At least one learning walk and one coffee each year, at a random place in the middle.
    for key in ("walk", "coffee"):
        if key not in keys:
            keys[rng.randint(1, EVENTS - 2)] = key
    first, last = start + timedelta(days=7), end - timedelta(days=7)
    gap = (last - first).days / (EVENTS - 1)
    days = []
    for n in range(EVENTS):
        jitter = 0 if n in (0, EVENTS - 1) else rng.randint(-3, 3)
        days.append(_weekday(first + timedelta(days=round(gap * n) + jitter)))
    return list(zip(keys, days, strict=True))


def seed(*, district, schools, year=None) -> str:
    tz = clock.zone_of(district)
    now = timezone.now()
    year = year or SchoolYear.objects.filter(district=district, is_current=True).first()
    today = clock.today_in(district, now)
    start = year.start if year else today - timedelta(days=90)
    end = year.end if year else start + timedelta(days=300)
    have = set(
        Event.objects.filter(school__in=schools).values_list("school_id", flat=True).distinct()
    )
    todo = [s for s in schools if s.pk not in have]
    if not todo:
        return "demo events already there"
    families: dict[int, list[tuple[int, str]]] = {}
    staff: dict[int, list[int]] = {}
    for school_id, role, user_id, language in (
        Membership.objects.active()
        .filter(school__in=todo, role__in=[Role.FAMILY, Role.PRINCIPAL, Role.STAFF])
        .order_by("school_id", "user__email")
        .values_list("school_id", "role", "user_id", "user__preferred_language")
    ):
        if role == Role.FAMILY:
            families.setdefault(school_id, []).append((user_id, language))
        else:
            staff.setdefault(school_id, []).append(user_id)

    events, keys, texts = [], [], []
    for school in todo:
        rng = random.Random(f"{school.slug}:engagement")
        full_walk_done = False
        for key, day in calendar(rng, start, end):
            kind, hour, hours, (cap_low, cap_high), childcare, food, en, es, vi = TEMPLATES[key]
            starts_at = _at(day, hour, tz)
            past = starts_at + timedelta(hours=hours) <= now
            capacity = rng.randint(cap_low, cap_high)
            event = Event(
                school=school,
                kind=kind,
                status=EventStatus.DRAFT if key == "celebration" else EventStatus.PUBLISHED,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=hours),
                rsvp_deadline=_at(day - timedelta(days=1), 17, tz),
                location=PLACES["en"][capacity <= 60].format(school=school.name),
                capacity=capacity,
                interpretation_languages=["es", "vi"] if rng.random() < 0.6 else ["es"],
                offers_childcare=childcare,
                offers_transport=kind == EventKind.CONFERENCE and rng.random() < 0.4,
                offers_food=food,
                accessibility_notes=ACCESS_NOTES,
            )
            # The demand: most families at past events, more the nearer an upcoming one is.
            days_ahead = (day - today).days
            if event.status == EventStatus.DRAFT:
                demand = 0
            elif past:
                demand = rng.randint(10, 26)
            elif days_ahead <= 30:
                demand = rng.randint(8, 22)
            elif days_ahead <= 90:
                demand = rng.randint(3, 12)
            else:
                demand = rng.randint(0, 5)
            if key == "walk":
                # Parties of two for a few seats: the first walk still to come fills up and
                # has a waitlist; the others have about as many parties as seats.
                demand = capacity // 2 + rng.randint(-1, 1) if demand else 0
                if not past and not full_walk_done:
                    demand = capacity // 2 + rng.randint(2, 4)
                    full_walk_done = True
            event.demo = (key, past, demand, rng)
            events.append(event)
            keys.append(key)
            texts.append(
                EventTranslation(event=event, language="en", title=en[0], description=en[1])
            )
            for language, (title, description) in (("es", es), ("vi", vi)):
                texts.append(
                    EventTranslation(
                        event=event,
                        language=language,
                        title=title,
                        description=description,
                        location=PLACES[language][capacity <= 60].format(school=school.name),
                        accessibility_notes=TRANSLATED_ACCESS_NOTES[language],
                    )
                )
    Event.objects.bulk_create(events, batch_size=BATCH)
    EventTranslation.objects.bulk_create(texts, batch_size=BATCH)

    rsvps = []
    for event in events:
        key, past, demand, rng = event.demo
        people = families.get(event.school_id, [])
        chosen = rng.sample(people, min(demand, len(people)))
        # RSVPs open three weeks ahead (earlier for events far off), and none is in the future.
        # In UTC, so that the arithmetic is not off by an hour across a DST change.
        opened = min(event.starts_at - timedelta(days=21), now - timedelta(days=2))
        opened = opened.astimezone(UTC)
        latest = min(event.rsvp_deadline, now).astimezone(UTC)
        moments = sorted(
            opened + (latest - opened) * rng.random() for _ in chosen
        )  # the order they pressed RSVP
        waiting = False
        for (family_id, language), at in zip(chosen, moments, strict=True):
            adults = 2 if key == "walk" else rng.choice([1, 1, 2, 2, 2, 3])
            children = rng.choice(CHILDREN.get(key, [0, 1, 1, 2, 2, 3]))
            wants = event.interpretation_languages
            interpretation = ""
            if language == "es" and "es" in wants and rng.random() < 0.75:
                interpretation = "es"
            elif "vi" in wants and rng.random() < (0.75 if language == "vi" else 0.06):
                interpretation = "vi"
            childcare = (
                rng.randint(1, children)
                if event.offers_childcare and children and rng.random() < 0.35
                else 0
            )
            rsvp = Rsvp(
                event=event,
                family_id=family_id,
                adults=adults,
                children=children,
                interpretation_language=interpretation,
                childcare_count=childcare,
                accessibility_needs=rng.choice(ACCESS_NEEDS) if rng.random() < 0.06 else "",
                language=language or "en",
                created_at=at,
                updated_at=at,
            )
            if rng.random() < 0.05:
                rsvp.status = RsvpStatus.CANCELLED  # changed their mind: holds no seat
            elif waiting or rsvp.party_size > event.capacity - event.seats_taken:
                # Whole parties, first come first served: once one waits, the rest wait too.
                waiting = True
                rsvp.status = RsvpStatus.WAITLISTED
                rsvp.waitlisted_at = at
            else:
                rsvp.status = RsvpStatus.GOING
                event.seats_taken += rsvp.party_size
            rsvps.append(rsvp)
    with timestamps_as_given(Rsvp, "created_at", "updated_at"):
        Rsvp.objects.bulk_create(rsvps, batch_size=BATCH)
    Event.objects.bulk_update(events, ["seats_taken"], batch_size=500)

    # Past events: who came (most of those going, plus walk-ins), the reminders and surveys
    # that went out, and feedback from some who came.
    check_ins, messages, feedback = [], [], []
    for rsvp in rsvps:
        event = rsvp.event
        key, past, _demand, rng = event.demo
        if not past or rsvp.status != RsvpStatus.GOING:
            continue
        door = staff.get(event.school_id) or [None]
        messages.append(
            SentMessage(
                rsvp=rsvp,
                kind=MessageKind.REMINDER,
                sent_at=max(rsvp.created_at, event.starts_at - timedelta(hours=48)),
            )
        )
        if rng.random() < 0.82:
            check_ins.append(
                CheckIn(
                    event=event,
                    rsvp=rsvp,
                    party_size=rsvp.party_size,
                    checked_in_by_id=rng.choice(door),
                    checked_in_at=event.starts_at + timedelta(minutes=rng.randint(-10, 25)),
                )
            )
            surveyed = event.ends_at + timedelta(hours=2)
            if surveyed <= now:
                messages.append(SentMessage(rsvp=rsvp, kind=MessageKind.FEEDBACK, sent_at=surveyed))
                if rng.random() < 0.5:
                    feedback.append(
                        Feedback(
                            event=event,
                            family_id=rsvp.family_id,
                            rating=rng.choice([3, 4, 4, 5, 5, 5, 2]),
                            comment=rng.choice(COMMENTS),
                            created_at=min(surveyed + timedelta(hours=rng.randint(1, 48)), now),
                        )
                    )
    for event in events:
        key, past, _demand, rng = event.demo
        if past:
            door = staff.get(event.school_id) or [None]
            for n in range(rng.randint(0, 4)):
                check_ins.append(
                    CheckIn(
                        event=event,
                        name=f"{rng.choice(WALK_INS)} {n + 1}",
                        party_size=rng.randint(1, 4),
                        checked_in_by_id=rng.choice(door),
                        checked_in_at=event.starts_at + timedelta(minutes=rng.randint(0, 30)),
                    )
                )
    CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
    SentMessage.objects.bulk_create(messages, batch_size=BATCH)
    with timestamps_as_given(Feedback, "created_at"):
        Feedback.objects.bulk_create(feedback, batch_size=BATCH)
    versions.mark_changed(school_ids=[school.pk for school in todo])  # bulk writes: no service
    return (
        f"{len(events)} events, {len(rsvps)} RSVPs, {len(check_ins)} check-ins, "
        f"{len(feedback)} feedback in {len(todo)} schools"
    )
