"""The family and staff pages: what a person does and what they see."""

import csv
import io
import re
from datetime import UTC, timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement import tokens
from engagement.models import CheckIn, Event, EventStatus, Rsvp, RsvpStatus
from leadership.models import Role
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person


def url(name, event, **extra):
    return reverse(name, kwargs={"slug": event.school.slug, "pk": event.pk, **extra})


@pytest.fixture
def spanish_family(world):
    world.family.preferred_language = "es"
    world.family.save(update_fields=["preferred_language"])
    return world.family


def test_family_home_lists_events_in_the_familys_language(world, event, spanish_family, client_for):
    EventFactory(school=world.school, status=EventStatus.DRAFT, texts={"en": ("Secret draft", "")})
    EventFactory(school=world.far_school, texts={"en": ("Elsewhere", "")})
    response = client_for(spanish_family).get(reverse("engagement:family_home"))
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Noche familiar de matemáticas" in html
    assert "Family math night" not in html
    assert "Secret draft" not in html and "Elsewhere" not in html


def test_family_home_lists_cancelled_events_apart_and_marked(world, client_for):
    soon = timezone.now() + timedelta(days=1)
    called_off = EventFactory(
        school=world.school,
        status=EventStatus.CANCELLED,
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
        texts={"en": ("Called off", "")},
    )
    RsvpFactory(event=called_off, family=world.family)
    EventFactory(
        school=world.school,
        starts_at=soon + timedelta(days=2),
        ends_at=soon + timedelta(days=2, hours=2),
        texts={"en": ("Still on", "")},
    )
    html = client_for(world.family).get(reverse("engagement:family_home")).content.decode()
    upcoming, cancelled = html.split("<h3>Cancelled events</h3>")
    assert "Still on" in upcoming and "Called off" not in upcoming
    item = cancelled.split("</li>")[0]
    assert "Called off" in item and '<span class="badge badge-bad">Cancelled</span>' in item
    assert "You are going" not in item  # its RSVP is no reason to come


def test_event_text_falls_back_to_the_schools_default_language(world, spanish_family, client_for):
    event = EventFactory(school=world.school, texts={"en": ("Only in English", "Desc")})
    response = client_for(spanish_family).get(event.get_absolute_url())
    assert "Only in English" in response.content.decode()


def test_family_rsvps_with_needs_and_sees_it(world, event, spanish_family, client_for):
    client = client_for(spanish_family)
    response = client.post(
        url("engagement:rsvp_submit", event),
        {
            "adults": 2,
            "children": 1,
            "interpretation_language": "es",
            "childcare_count": 1,
            "join_waitlist": "on",
        },
        follow=True,
    )
    rsvp = Rsvp.objects.get(family=spanish_family)
    assert (rsvp.status, rsvp.party_size, rsvp.interpretation_language, rsvp.childcare_count) == (
        "going",
        3,
        "es",
        1,
    )
    assert rsvp.language == "es"
    event.refresh_from_db()
    assert event.seats_taken == 3
    assert 'id="rsvp-status"' in response.content.decode()

    # Change: smaller party; then cancel.
    client.post(url("engagement:rsvp_submit", event), {"adults": 1, "children": 0})
    event.refresh_from_db()
    assert event.seats_taken == 1
    client.post(url("engagement:rsvp_cancel", event))
    rsvp.refresh_from_db()
    event.refresh_from_db()
    assert (rsvp.status, event.seats_taken) == ("cancelled", 0)


def test_language_names_are_shown_in_the_readers_language(world, event, spanish_family, client_for):
    """Offered interpretation and the family's own choice read "español", not "Spanish"."""
    RsvpFactory(event=event, family=spanish_family, interpretation_language="es")
    html = client_for(spanish_family).get(event.get_absolute_url()).content.decode()
    assert "Interpretación: español, vietnamita" in html
    status = re.search(r'<p id="rsvp-status".*?</p>', html, re.S).group(0)
    assert "Interpretación: español" in status
    assert '<option value="vi">vietnamita</option>' in html
    assert "Spanish" not in html and "Vietnamese" not in html
    english = client_for(world.staff).get(url("engagement:rsvp_list", event)).content.decode()
    assert "Spanish (1 family)" in english


def test_bad_party_size_rerenders_with_input_kept_and_changes_nothing(world, event, client_for):
    response = client_for(world.family).post(
        url("engagement:rsvp_submit", event),
        {"adults": "-3", "children": "200", "accessibility_needs": "Wheelchair"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "Wheelchair" in html
    assert 'id="my-rsvp"' in html and "<html" not in html
    assert not Rsvp.objects.exists()


def test_party_bigger_than_seats_left_is_refused_with_a_message(world, client_for):
    event = EventFactory(school=world.school, capacity=2)
    response = client_for(world.family).post(
        url("engagement:rsvp_submit", event), {"adults": 3, "children": 0}
    )
    assert response.status_code == 200
    assert "has 2 seats in all" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_rsvp_to_cancelled_event_is_refused(world, client_for):
    event = EventFactory(school=world.school, status=EventStatus.CANCELLED)
    client = client_for(world.family)
    response = client.post(url("engagement:rsvp_submit", event), {"adults": 1, "children": 0})
    assert response.status_code == 200
    assert "was cancelled" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_another_schools_event_under_this_school_is_404(world, client_for):
    other = EventFactory(school=world.other_school)
    client = client_for(world.family)
    response = client.get(
        reverse("engagement:event_detail", kwargs={"slug": world.school.slug, "pk": other.pk})
    )
    assert response.status_code == 404
    response = client.post(
        reverse("engagement:rsvp_submit", kwargs={"slug": world.far_school.slug, "pk": other.pk}),
        {"adults": 1},
    )
    assert response.status_code == 404
    assert not Rsvp.objects.exists()


def test_signed_link_opens_and_changes_only_that_rsvp_without_signing_in(world, event, client):
    rsvp = RsvpFactory(event=event, family=world.family, adults=1)
    link = reverse("engagement:rsvp_link", kwargs={"token": tokens.make_rsvp_token(rsvp)})
    response = client.get(link)
    assert response.status_code == 200
    assert "Family math night" in response.content.decode()
    response = client.post(link, {"action": "update", "adults": 2, "children": 2}, follow=True)
    rsvp.refresh_from_db()
    assert rsvp.party_size == 4
    # The link signed nobody in.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("engagement:family_home")).status_code == 302
    client.post(link, {"action": "cancel"})
    rsvp.refresh_from_db()
    assert rsvp.status == RsvpStatus.CANCELLED


def test_tampered_foreign_or_expired_links_change_nothing(world, event, client, settings):
    rsvp = RsvpFactory(event=event, family=world.family, adults=1)
    token = tokens.make_rsvp_token(rsvp)
    forged = signing.dumps(
        {"r": rsvp.pk, "f": world.family.pk}, salt="accord.leadership.invitation"
    )
    for bad in [token[:-2] + "xx", forged, "nonsense"]:
        link = reverse("engagement:rsvp_link", kwargs={"token": bad})
        response = client.post(link, {"action": "cancel"})
        assert response.status_code == 400
        assert "Nothing was changed" in response.content.decode()
    settings.ENGAGEMENT_RSVP_LINK_MAX_AGE = -1
    response = client.post(
        reverse("engagement:rsvp_link", kwargs={"token": token}), {"action": "cancel"}
    )
    assert response.status_code == 400
    rsvp.refresh_from_db()
    assert rsvp.status == RsvpStatus.GOING


def test_signed_link_page_speaks_the_familys_language(world, event, spanish_family, client):
    rsvp = RsvpFactory(event=event, family=spanish_family)
    response = client.get(
        reverse("engagement:rsvp_link", kwargs={"token": tokens.make_rsvp_token(rsvp)})
    )
    html = response.content.decode()
    assert '<html lang="es">' in html and "Noche familiar de matemáticas" in html


def test_staff_create_publish_and_cancel_an_event(world, client_for):
    client = client_for(world.principal)
    response = client.post(
        reverse("engagement:event_create", kwargs={"slug": world.school.slug}),
        {
            "kind": "workshop",
            "title_en": "Reading at home",
            "description_en": "Tips",
            "title_es": "Leer en casa",
            "description_es": "Consejos",
            "starts_at": "2030-06-12T18:00",
            "ends_at": "2030-06-12T19:30",
            "location": "Library",
            "capacity": "25",
            "interpretation_languages": ["es", "vi"],
            "offers_childcare": "on",
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert event.status == EventStatus.DRAFT
    assert event.interpretation_languages == ["es", "vi"]
    # 18:00 in Riverside's zone (America/Chicago in the test world, CDT in June: UTC-5).
    assert event.starts_at.astimezone(UTC).hour == 23
    assert event.text("es").title == "Leer en casa"
    client.post(url("engagement:event_publish", event))
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    client.post(url("engagement:event_cancel", event))
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED


def test_place_and_accessibility_notes_are_written_and_read_in_each_language(
    world, spanish_family, client_for
):
    """The school writes the place and the notes in each of its languages; each family reads
    its own, and a language left blank shows the school's main one."""
    starts = timezone.localtime(timezone.now() + timedelta(days=9)).replace(hour=18, minute=0)
    response = client_for(world.principal).post(
        reverse("engagement:event_create", kwargs={"slug": world.school.slug}),
        {
            "kind": "workshop",
            "title_en": "Reading at home",
            "title_es": "Leer en casa",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Library, east door",
            "location_es": "Biblioteca, puerta este",
            "accessibility_notes": "Step-free entrance on Oak St.",
            "accessibility_notes_es": "Entrada sin escalones por la calle Oak.",
            "capacity": "25",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    client_for(world.principal).post(url("engagement:event_publish", event))

    spanish = client_for(spanish_family).get(event.get_absolute_url()).content.decode()
    assert "Biblioteca, puerta este" in spanish
    assert "Entrada sin escalones por la calle Oak." in spanish
    assert "Library, east door" not in spanish and "Step-free" not in spanish
    english = client_for(world.staff).get(event.get_absolute_url()).content.decode()
    assert "Library, east door" in english and "Step-free entrance on Oak St." in english
    assert "Biblioteca" not in english

    # The form shows each language's field again, and a blank one falls back.
    form = client_for(world.principal).get(url("engagement:event_edit", event)).content.decode()
    assert 'name="location_es"' in form and "Biblioteca, puerta este" in form
    event.translations.filter(language="es").update(location="")
    spanish = client_for(spanish_family).get(event.get_absolute_url()).content.decode()
    assert "Library, east door" in spanish


def test_family_events_list_shows_upcoming_first_and_past_apart_without_staff_columns(
    world, client_for
):
    now = timezone.now()
    EventFactory(
        school=world.school,
        starts_at=now - timedelta(days=20),
        ends_at=now - timedelta(days=20) + timedelta(hours=1),
        texts={"en": ("Long ago", "")},
    )
    EventFactory(
        school=world.school,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=1),
        texts={"en": ("Last week", "")},
    )
    EventFactory(
        school=world.school,
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=1),
        texts={"en": ("Next month", "")},
    )
    EventFactory(
        school=world.school,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
        texts={"en": ("Soon", "")},
    )
    list_url = reverse("engagement:event_list", kwargs={"slug": world.school.slug})
    html = client_for(world.family).get(list_url).content.decode()
    order = [
        html.index(text) for text in ("Soon", "Next month", "Past events", "Last week", "Long ago")
    ]
    assert order == sorted(order)
    assert ">Seats<" not in html and ">Status<" not in html and "Published" not in html
    assert ">Your RSVP<" in html and "No RSVP yet" in html
    # The calendar is a link, not an address wider than a phone.
    assert "Subscribe to the school's calendar</a>" in html and "?lang=en</a>" not in html
    staff = client_for(world.staff).get(list_url).content.decode()
    assert ">Seats<" in staff and ">Status<" in staff


def test_event_form_errors_keep_input(world, client_for):
    response = client_for(world.principal).post(
        reverse("engagement:event_create", kwargs={"slug": world.school.slug}),
        {"kind": "workshop", "title_en": "", "title_es": "Sin título", "capacity": "-5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sin título" in html and 'role="alert"' in html
    assert not Event.objects.exists()


@pytest.mark.parametrize("role", ["teacher_leader", "staff"])
def test_teacher_leaders_and_staff_are_not_offered_new_event_or_invite(
    world, event, client_for, role
):
    client = client_for(world.user(role))
    listing = client.get(reverse("engagement:event_list", kwargs={"slug": world.school.slug}))
    assert "New event" not in listing.content.decode()
    school = client.get(world.school.get_absolute_url()).content.decode()
    assert "New event" not in school
    assert "See the people of this school" in school and "invite" not in school.lower()
    detail = client.get(event.get_absolute_url()).content.decode()
    assert "Door check-in" in detail and "RSVPs and needs" in detail  # they help on the night
    assert "Cancel event" not in detail and ">Edit<" not in detail


def test_the_principal_is_offered_new_event_and_invite(world, event, client_for):
    client = client_for(world.principal)
    school = client.get(world.school.get_absolute_url()).content.decode()
    assert "New event" in school and "See and invite the people of this school" in school
    detail = client.get(event.get_absolute_url()).content.decode()
    assert "Cancel event" in detail and ">Edit<" in detail


def test_rsvp_list_shows_needs_summary_and_csv(world, event, client_for):
    other = person(Role.FAMILY, school=world.school, email="b@example.org", full_name="=cmd|x")
    RsvpFactory(
        event=event,
        family=world.family,
        adults=2,
        children=1,
        interpretation_language="es",
        childcare_count=1,
    )
    RsvpFactory(
        event=event,
        family=other,
        adults=1,
        interpretation_language="es",
        accessibility_needs="Wheelchair",
    )
    client = client_for(world.staff)
    html = client.get(url("engagement:rsvp_list", event)).content.decode()
    assert "2 families going: 4 people" in html
    assert "Spanish (2 families)" in html
    assert "Wheelchair" in html
    response = client.get(url("engagement:rsvp_csv", event))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 3
    # "=" sorts before letters; the cell is defused against spreadsheet formulas.
    assert rows[1][:2] == ["'=cmd|x", "b@example.org"]


def test_door_check_in_search_mark_and_walk_in_with_htmx(world, event, client_for):
    ana = person(Role.FAMILY, school=world.school, email="ana@example.org", full_name="Ana Pérez")
    RsvpFactory(event=event, family=world.family, adults=1)
    rsvp = RsvpFactory(event=event, family=ana, adults=2)
    client = client_for(world.staff)
    response = client.get(url("engagement:check_in", event), {"q": "pér"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Ana Pérez" in html and world.family.email not in html
    response = client.post(
        url("engagement:check_in_mark", event, rsvp_pk=rsvp.pk),
        {"q": "ana"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Ana Pérez is checked in." in response.content.decode()
    assert CheckIn.objects.filter(rsvp=rsvp).exists()
    response = client.post(
        url("engagement:walk_in", event),
        {"name": "Luis Walk", "party_size": 3},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Luis Walk is added as a walk-in." in html
    assert "1 of 2 families who RSVP\u2019d came (50%)" in html
    response = client.post(
        url("engagement:walk_in", event), {"name": "", "party_size": 0}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert CheckIn.objects.count() == 2


def test_feedback_after_the_event_and_aggregated_results(world, client_for):
    now = timezone.now()
    event = EventFactory(
        school=world.school, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)
    )
    rsvp = RsvpFactory(event=event, family=world.family)
    CheckIn.objects.create(event=event, rsvp=rsvp, party_size=1)
    client = client_for(world.family)
    response = client.post(url("engagement:feedback", event), {"rating": "9"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    client.post(url("engagement:feedback", event), {"rating": "4", "comment": "Loved it"})
    html = client_for(world.principal).get(url("engagement:rsvp_list", event)).content.decode()
    assert "Average 4.0 of 5, from 1 answers." in html and "Loved it" in html


def test_district_admin_sees_totals_but_no_names(world, event, client_for):
    RsvpFactory(event=event, family=world.family, accessibility_needs="Hearing loop")
    html = client_for(world.district_admin).get(event.get_absolute_url()).content.decode()
    assert "1 family going" in html
    assert "Hearing loop" not in html and world.family.email not in html


# --- query counts -----------------------------------------------------------------------


@pytest.fixture
def big_event(world):
    """An event with 500 RSVPs, bulk-created."""
    from leadership.models import Membership, User

    event = EventFactory(school=world.school, capacity=2000)
    users = User.objects.bulk_create(
        [User(email=f"bulk{i}@example.org", full_name=f"Family {i:03d}") for i in range(500)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, role=Role.FAMILY, district=world.district, school=world.school)
            for u in users
        ]
    )
    Rsvp.objects.bulk_create(
        [
            Rsvp(
                event=event,
                family=u,
                status=RsvpStatus.GOING,
                adults=1,
                children=i % 3,
                interpretation_language="es" if i % 2 else "",
            )
            for i, u in enumerate(users)
        ]
    )
    for i in range(30):
        EventFactory(school=world.school, starts_at=timezone.now() + timedelta(days=i + 1))
    return event


def test_query_counts_with_500_rsvps(world, big_event, client_for, django_assert_num_queries):
    staff = client_for(world.staff)
    with django_assert_num_queries(13):
        response = staff.get(url("engagement:rsvp_list", big_event))
    assert response.content.decode().count('data-label="Name"') == 500
    # ...and the school's calendar link: read, made on this first visit, read again.
    with django_assert_num_queries(8):
        assert (
            staff.get(
                reverse("engagement:event_list", kwargs={"slug": world.school.slug})
            ).status_code
            == 200
        )
    with django_assert_num_queries(8):
        assert staff.get(big_event.get_absolute_url()).status_code == 200
    with django_assert_num_queries(6):
        assert staff.get(url("engagement:rsvp_csv", big_event)).status_code == 200
    with django_assert_num_queries(8):
        assert staff.get(url("engagement:check_in", big_event)).status_code == 200
    family = client_for(world.family)
    # The schools with their versions and the family's calendar links in one query; the
    # link, made (3 queries), and the announcements sent to the family (community).
    with django_assert_num_queries(8):
        assert family.get(reverse("engagement:family_home")).status_code == 200
    with django_assert_num_queries(5):
        assert family.get(big_event.get_absolute_url()).status_code == 200
    # The school page belongs to leadership and shows every app's section; ours reads
    # the next events and their texts, whatever their number, and the principal's calendar link.
    principal = client_for(world.principal)
    with CaptureQueriesContext(connection) as queries:
        response = principal.get(world.school.get_absolute_url())
    assert "Family math night" in response.content.decode()
    ours = [q["sql"] for q in queries.captured_queries if "engagement_" in q["sql"]]
    assert len(ours) <= 4, ours


def test_lowering_capacity_below_seats_taken_is_refused(world, client_for):
    event = EventFactory(school=world.school, capacity=10)
    RsvpFactory(event=event, family=world.family, adults=4)
    client = client_for(world.principal)
    edit = url("engagement:event_edit", event)
    data = client.get(edit).context["form"].initial
    form = {
        key: (value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value)
        for key, value in data.items()
        if value not in (None, False)
    }
    form["interpretation_languages"] = ["es"]
    response = client.post(edit, {**form, "capacity": "3"})
    assert response.status_code == 200
    assert "4 seats are already taken" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 10

    # Raising it lets the waitlist in, in order.
    waiting = person(Role.FAMILY, school=world.school, email="wait@example.org")
    Event.objects.filter(pk=event.pk).update(capacity=4)
    RsvpFactory(
        event=event,
        family=waiting,
        status=RsvpStatus.WAITLISTED,
        waitlisted_at=timezone.now(),
        adults=2,
    )
    # The capacity moved behind the form's back: the form is loaded again, as a person would.
    form["version"] = client.get(edit).context["form"].initial["version"]
    response = client.post(edit, {**form, "capacity": "6"})
    assert response.status_code == 302, response.context["form"].errors
    assert Rsvp.objects.get(family=waiting).status == RsvpStatus.GOING
    event.refresh_from_db()
    assert (event.capacity, event.seats_taken) == (6, 6)


def test_a_full_event_waitlists_and_shows_the_position(world, client_for):
    event = EventFactory(school=world.school, capacity=1)
    first = person(Role.FAMILY, school=world.school, email="first@example.org")
    RsvpFactory(event=event, family=first, adults=1)
    response = client_for(world.family).post(
        url("engagement:rsvp_submit", event),
        {"adults": 1, "children": 0, "join_waitlist": "on"},
        follow=True,
    )
    html = response.content.decode()
    assert "you are on the waitlist (number 1)" in html
    assert Rsvp.objects.get(family=world.family).status == RsvpStatus.WAITLISTED


def test_signed_link_bad_input_keeps_the_rsvp(world, event, client):
    rsvp = RsvpFactory(event=event, family=world.family, adults=2)
    link = reverse("engagement:rsvp_link", kwargs={"token": tokens.make_rsvp_token(rsvp)})
    response = client.post(link, {"action": "update", "adults": "-1", "children": "0"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.adults == 2


def test_a_family_sees_only_its_own_rsvp_and_no_one_elses_needs(world, event, client_for):
    other = person(Role.FAMILY, school=world.school, email="neighbour@example.org")
    RsvpFactory(event=event, family=other, accessibility_needs="Hearing loop", children=2)
    html = client_for(world.family).get(event.get_absolute_url()).content.decode()
    assert "Hearing loop" not in html and "neighbour@example.org" not in html
    assert 'id="rsvp-status"' not in html  # no RSVP of its own yet
