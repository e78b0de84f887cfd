"""What the family page and the RSVP post cost in queries, and that the cached family page
follows every change it shows."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from district import rollups
from engagement import services
from engagement.models import Event, EventKind, EventStatus, EventTranslation, Rsvp, RsvpStatus
from leadership import versions
from leadership.models import AuditEntry, Role
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import MembershipFactory, person

FAMILY_HOME = reverse("engagement:family_home")


def rsvp_url(event):
    return reverse("engagement:rsvp_submit", kwargs={"slug": event.school.slug, "pk": event.pk})


def htmx_post(client, event, data):
    return client.post(
        event if isinstance(event, str) else rsvp_url(event),
        data,
        headers={"HX-Request": "true", "HX-Target": "my-rsvp", "HX-Trigger": "rsvp-form"},
    )


@pytest.fixture
def two_schools(world):
    """The family has children at two schools, each with many upcoming events (some with the
    family's RSVP, one cancelled, one over, one a draft): enough for an N+1 to show."""
    MembershipFactory(
        user=world.family,
        role=Role.FAMILY,
        school=world.other_school,
        district=world.other_school.district,
    )
    events = []
    for school in (world.school, world.other_school):
        for day in range(1, 13):
            events.append(
                EventFactory(school=school, starts_at=timezone.now() + timedelta(days=day))
            )
        EventFactory(school=school, status=EventStatus.CANCELLED, texts={"en": ("Called off", "")})
        EventFactory(school=school, status=EventStatus.DRAFT, texts={"en": ("Secret draft", "")})
        EventFactory(
            school=school,
            starts_at=timezone.now() - timedelta(days=2),
            texts={"en": ("Long over", "")},
        )
    for event in events[::3]:
        RsvpFactory(event=event, family=world.family, adults=2, children=1)
    return events


@pytest.fixture
def versioned(world):
    """The schools have dashboard figures, hence a data version: the page caches."""
    rollups.refresh_district(world.district)
    assert versions.version_of(world.school.pk) is not None


# --- the family page ------------------------------------------------------------------


def test_family_page_queries_do_not_grow_with_events_or_schools(
    world, two_schools, client_for, django_assert_num_queries
):
    client = client_for(world.family)
    # the session with the user and roles; the schools with their data versions (none yet: no
    # caching) and the family's calendar links (none yet) in one query; events with the family's
    # RSVPs joined in, their titles; the family's calendar links made on this first visit (read,
    # made, read again); the announcements sent to the family (community; none here, so their texts
    # are not read).
    with django_assert_num_queries(8):
        response = client.get(FAMILY_HOME)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="event-item"') == 2 * 12  # 12 upcoming, twice
    assert html.count('class="event-item event-cancelled"') == 2  # the cancelled one, apart
    assert html.count("You are going") == 8
    assert html.count("3 people") == 8
    assert "Called off" in html and "Secret draft" not in html and "Long over" not in html


def test_cached_family_page_reads_no_events(
    world, two_schools, versioned, client_for, django_assert_num_queries
):
    client = client_for(world.family)
    first = client.get(FAMILY_HOME).content.decode()
    # the session with the user and roles, the schools with their data versions and the family's
    # calendar links (one query), the announcements sent to the family (community): no event is
    # read.
    with django_assert_num_queries(3) as captured:
        second = client.get(FAMILY_HOME).content.decode()
    assert not any("engagement_event" in q["sql"] for q in captured.captured_queries)
    strip = _without_csrf
    assert strip(first) == strip(second)


def _without_csrf(html: str) -> str:
    import re

    html = re.sub(r'"x-csrftoken": "[^"]+"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_cached_fragments_hold_no_csrf_token_and_are_per_family_and_language(
    world, event, versioned, client_for
):
    RsvpFactory(event=event, family=world.family, adults=2)
    other_family = person(Role.FAMILY, school=world.school, email="other.family@example.org")
    other_family.preferred_language = "es"
    other_family.save(update_fields=["preferred_language"])

    mine = client_for(world.family).get(FAMILY_HOME).content.decode()
    assert "You are going" in mine and "Family math night" in mine
    theirs = client_for(other_family).get(FAMILY_HOME).content.decode()
    assert "Usted asistirá" not in theirs and "2 personas" not in theirs
    assert "Noche familiar de matemáticas" in theirs and "Family math night" not in theirs

    second = EventFactory(school=world.school, texts={"en": ("Science fair", "")})
    RsvpFactory(event=second, family=other_family, adults=3, status=RsvpStatus.WAITLISTED)
    cache.clear()  # the factory wrote no version: start again from nothing
    theirs = client_for(other_family).get(FAMILY_HOME).content.decode()
    assert theirs.count("En la lista de espera") == 1 and "3 personas" in theirs
    assert "Usted asistirá" not in theirs
    mine = client_for(world.family).get(FAMILY_HOME).content.decode()
    assert "You are going" in mine and "On the waitlist" not in mine

    version = versions.version_of(world.school.pk)
    for user, language in ((world.family, "en"), (other_family, "es")):
        key = f"family-events:{world.school.pk}:{version}:{user.pk}:{language}:{language}"
        _until, fragment = cache.get(key)
        assert "csrf" not in fragment.lower()


def test_cached_page_follows_the_familys_rsvp(
    world, event, versioned, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.family)
    assert "You are going" not in client.get(FAMILY_HOME).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = htmx_post(client, event, {"adults": 2, "children": 1, "join_waitlist": "on"})
    assert response.status_code == 200
    html = client.get(FAMILY_HOME).content.decode()
    assert "You are going" in html and "3 people" in html

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("engagement:rsvp_cancel", kwargs={"slug": "lincoln", "pk": event.pk}))
    html = client.get(FAMILY_HOME).content.decode()
    assert "RSVP cancelled" in html and "3 people" not in html


def test_cached_page_follows_a_new_published_event(
    world, event, versioned, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.family)
    assert "Coffee with the principal" not in client.get(FAMILY_HOME).content.decode()
    starts = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.event_create(
            school=world.school,
            actor=world.principal,
            texts={"en": ("Coffee with the principal", "")},
            kind=EventKind.COMMUNITY_MEETING,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            location="Library",
            capacity=30,
        )
    # A draft: still not shown.
    assert "Coffee with the principal" not in client.get(FAMILY_HOME).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_publish(event=new, actor=world.principal)
    assert "Coffee with the principal" in client.get(FAMILY_HOME).content.decode()


def test_cached_page_follows_a_cancelled_event(
    world, event, versioned, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.family)
    assert "badge-bad" not in client.get(FAMILY_HOME).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=world.principal)
    html = client.get(FAMILY_HOME).content.decode()
    assert '<span class="badge badge-bad">Cancelled</span>' in html


def test_cached_page_follows_an_event_translation_edit(
    world, event, versioned, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.family)
    assert "Family math night" in client.get(FAMILY_HOME).content.decode()
    # As the admin site saves it (the inline text, then the event), with no audit entry: the
    # admin marks the school as it writes.
    from django.contrib import admin
    from django.test import RequestFactory

    text = EventTranslation.objects.get(event=event, language="en")
    text.title = "Family maths and games night"
    with django_capture_on_commit_callbacks(execute=True):
        text.save()
        admin.site._registry[Event].save_model(RequestFactory().post("/"), event, None, True)
    assert not AuditEntry.objects.exists()
    assert "Family maths and games night" in client.get(FAMILY_HOME).content.decode()


def test_cached_page_drops_an_event_once_it_is_over(world, versioned, client_for, monkeypatch):
    soon = timezone.now() + timedelta(hours=1)
    EventFactory(
        school=world.school,
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
        texts={"en": ("Breakfast with families", "")},
    )
    EventFactory(school=world.school, texts={"en": ("Science fair", "")})
    client = client_for(world.family)
    assert "Breakfast with families" in client.get(FAMILY_HOME).content.decode()
    later = timezone.now() + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = client.get(FAMILY_HOME).content.decode()
    assert "Breakfast with families" not in html and "Science fair" in html


# --- the RSVP post --------------------------------------------------------------------


# The RSVP panel sent back reads nothing: it shows the event posted to and the RSVP just
# written (a family going has no waitlist place to count, an open event no feedback link).
PANEL = 0


def test_rsvp_post_queries(world, event, client_for, django_assert_num_queries):
    client = client_for(world.family)
    data = {"adults": 1, "children": 0, "interpretation_language": "", "join_waitlist": "on"}
    url, page = rsvp_url(event), event.get_absolute_url()
    # A first RSVP: the session with the user and roles, school, the event; in the transaction (a
    # savepoint in the test's): the event locked first (one lock order for every RSVP write), the
    # family's RSVP (locked), whether anyone waits, the seats (the conditional UPDATE), the RSVP,
    # the audit entry; then the RSVP panel with its confirmation, from the event and the RSVP in
    # hand, in the same answer rather than a redirect and a second page.
    with django_assert_num_queries(PANEL + 11):
        response = htmx_post(client, url, data)
    assert response.status_code == 200
    assert 'id="rsvp-done"' in response.content.decode()
    assert page
    event.refresh_from_db()
    assert event.seats_taken == 1

    # The same RSVP again reads the RSVP (after the event, locked) and writes nothing.
    audits = AuditEntry.objects.count()
    with django_assert_num_queries(PANEL + 7):
        response = htmx_post(client, url, data)
    assert response.status_code == 200
    assert AuditEntry.objects.count() == audits
    event.refresh_from_db()
    assert event.seats_taken == 1

    # A bigger party takes one more seat: no waitlist check for a family already going.
    with django_assert_num_queries(PANEL + 10):
        response = htmx_post(client, url, dict(data, adults=2))
    assert response.status_code == 200
    assert AuditEntry.objects.count() == audits + 1
    rsvp = Rsvp.objects.get(event=event, family=world.family)
    assert (rsvp.status, rsvp.party_size) == (RsvpStatus.GOING, 2)
    event.refresh_from_db()
    assert event.seats_taken == 2


def test_resending_a_waitlisted_rsvp_keeps_its_place(world, client_for):
    event = EventFactory(school=world.school, capacity=2)
    first = person(Role.FAMILY, school=world.school, email="first@example.org")
    RsvpFactory(event=event, family=first, adults=2)
    client = client_for(world.family)
    data = {"adults": 1, "children": 0, "join_waitlist": "on"}
    htmx_post(client, event, data)
    rsvp = Rsvp.objects.get(event=event, family=world.family)
    assert rsvp.status == RsvpStatus.WAITLISTED
    htmx_post(client, event, data)
    again = Rsvp.objects.get(pk=rsvp.pk)
    assert (again.status, again.waitlisted_at, again.updated_at) == (
        RsvpStatus.WAITLISTED,
        rsvp.waitlisted_at,
        rsvp.updated_at,
    )
    assert AuditEntry.objects.filter(action="rsvp.submit").count() == 1
    assert Event.objects.get(pk=event.pk).seats_taken == 2
