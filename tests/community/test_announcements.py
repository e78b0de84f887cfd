"""Announcements: written in every language of the school, sent once to each person in their
language, shown on the family page; the sender sees how many were sent and opened."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from community import services, tasks
from community.models import Announcement, Announcer, Delivery, FamilyAudience
from engagement.models import RsvpStatus
from leadership.models import Membership, Role, SentMail
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person

TEXTS = {
    "en": ("No school on Friday", "The school is closed on Friday for teacher training."),
    "es": ("No hay clases el viernes", "La escuela cierra el viernes por formación docente."),
}


@pytest.fixture
def families(world):
    """The world's family reads Spanish; two more families read English and Spanish."""
    world.family.preferred_language = "es"
    world.family.save(update_fields=["preferred_language"])
    return [
        world.family,
        person(Role.FAMILY, school=world.school, email="en@example.org"),
        person(Role.FAMILY, school=world.school, email="es@example.org", preferred_language="es"),
    ]


def _post(client, world, **data):
    payload = {
        "families": "all",
        "title_en": TEXTS["en"][0],
        "body_en": TEXTS["en"][1],
        "title_es": TEXTS["es"][0],
        "body_es": TEXTS["es"][1],
    }
    url = reverse("community:announcement_create", kwargs={"slug": world.school.slug})
    return client.post(url, payload | data)


def test_each_family_receives_it_once_wholly_in_its_language(
    client_for, world, families, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(world.principal)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, world)
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == announcement.get_absolute_url()
    by_person = {mail.to[0]: mail for mail in mailoutbox}
    assert sorted(by_person) == sorted(f.email for f in families)
    assert len(mailoutbox) == 3  # one each; nobody of the staff
    spanish = by_person[world.family.email]
    assert "No hay clases el viernes" in spanish.subject
    assert "formación docente" in spanish.body and "Hola" in spanish.body
    assert "teacher training" not in spanish.body and "Hello" not in spanish.body
    english = by_person["en@example.org"]
    assert "No school on Friday" in english.subject and "viernes" not in english.body
    assert Delivery.objects.filter(emailed_at__isnull=False).count() == 3

    # The family page shows it in the family's language only.
    page = client_for(world.family).get(reverse("engagement:family_home")).content.decode()
    assert "No hay clases el viernes" in page and "No school on Friday" not in page


def test_the_sender_sees_sent_and_opened(
    client_for, world, families, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announcement_send(
            actor=world.principal,
            school=world.school,
            families="all",
            to_staff=False,
            texts=TEXTS,
        )
    reader = client_for(world.family)
    read = reader.get(announcement.get_absolute_url())
    assert "formación docente" in read.content.decode()
    reader.get(announcement.get_absolute_url())  # opening twice counts once
    page = client_for(world.principal).get(announcement.get_absolute_url())
    counts = page.context["announcement"]
    assert (counts.recipients, counts.emailed, counts.opened) == (3, 3, 1)
    listing = client_for(world.principal).get(
        reverse("community:announcement_list", kwargs={"slug": world.school.slug})
    )
    assert "3 of 3" in listing.content.decode()


def test_a_missing_translation_is_refused_and_nothing_is_sent(
    client_for, world, families, mailoutbox, django_capture_on_commit_callbacks
):
    world.principal.preferred_language = "es"
    world.principal.save(update_fields=["preferred_language"])
    client = client_for(world.principal)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, world, title_es="", body_es="")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "falta" in errors and "español" in errors
    assert not Announcement.objects.exists() and not Delivery.objects.exists()
    assert mailoutbox == []


def test_oversized_text_is_refused(client_for, world, families):
    response = _post(client_for(world.principal), world, body_en="x" * 5001)
    assert response.status_code == 200
    assert "5000" in " ".join(response.context["form"].errors["body_en"])
    assert not Announcement.objects.exists()


def test_staff_write_only_when_the_principal_allows(client_for, world, families):
    url = reverse("community:announcement_create", kwargs={"slug": world.school.slug})
    assert client_for(world.staff).get(url).status_code == 403
    principal = client_for(world.principal)
    response = principal.post(
        reverse("community:announcers", kwargs={"slug": world.school.slug}),
        {"person": world.staff.pk, "allowed": "yes"},
        follow=True,
    )
    assert "may now write announcements" in response.content.decode()
    assert Announcer.objects.filter(school=world.school, user=world.staff).exists()
    staff = client_for(world.staff)
    assert staff.get(url).status_code == 200
    assert _post(staff, world).status_code == 302
    principal = client_for(world.principal)
    principal.post(
        reverse("community:announcers", kwargs={"slug": world.school.slug}),
        {"person": world.staff.pk, "allowed": "no"},
    )
    assert client_for(world.staff).get(url).status_code == 403


def test_families_going_to_an_event_and_the_staff(world, families, mailoutbox):
    event = EventFactory(school=world.school)
    RsvpFactory(event=event, family=families[1])
    RsvpFactory(event=event, family=families[2], status=RsvpStatus.CANCELLED)
    # A person who is staff and also a family of the school receives it once.
    Membership.objects.create(
        user=families[1], role=Role.STAFF, district=world.district, school=world.school
    )
    announcement = services.announcement_send(
        actor=world.principal,
        school=world.school,
        families=FamilyAudience.EVENT,
        event=event,
        to_staff=True,
        texts=TEXTS,
    )
    people = set(announcement.deliveries.values_list("person__email", flat=True))
    assert people == {
        families[1].email,
        world.principal.email,
        world.teacher_leader.email,
        world.staff.email,
    }


def test_an_event_of_another_school_is_refused(world, families):
    other = EventFactory(school=world.other_school)
    with pytest.raises(Exception, match="published events"):
        services.announcement_send(
            actor=world.principal,
            school=world.school,
            families=FamilyAudience.EVENT,
            event=other,
            to_staff=False,
            texts=TEXTS,
        )
    assert not Announcement.objects.exists()


def test_announcements_are_rate_limited_per_sender(world, families, settings):
    settings.COMMUNITY_ANNOUNCEMENTS_PER_DAY = 1
    send = dict(actor=world.principal, school=world.school, families="all", to_staff=False)
    services.announcement_send(**send, texts=TEXTS)
    with pytest.raises(Exception, match="the most allowed"):
        services.announcement_send(**send, texts=TEXTS)
    assert Announcement.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        services.announcement_send(**send, texts=TEXTS)
    assert Announcement.objects.count() == 2


def test_the_fan_out_sends_in_batches_once_each(
    world, families, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    for n in range(4):
        person(Role.FAMILY, school=world.school, email=f"more{n}@example.org")
    monkeypatch.setattr(tasks, "BATCH", 2)
    batches = []
    real = tasks.send_announcement_batch.run

    def counted(announcement_id, ids):
        batches.append(list(ids))
        return real(announcement_id, ids)

    monkeypatch.setattr(tasks.send_announcement_batch, "run", counted)
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announcement_send(
            actor=world.principal, school=world.school, families="all", to_staff=False, texts=TEXTS
        )
    assert [len(batch) for batch in batches] == [2, 2, 2, 1]
    assert len(mailoutbox) == 7
    # The fan-out run again (a duplicate delivery of the task) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.announcement_fan_out.apply(args=[announcement.pk])
    assert len(mailoutbox) == 7
    assert SentMail.objects.filter(key__startswith="community.announcement:").count() == 7


def test_nobody_to_send_to_is_refused(world):
    event = EventFactory(school=world.school)  # nobody going yet
    with pytest.raises(Exception, match="Nobody would receive it"):
        services.announcement_send(
            actor=world.principal,
            school=world.school,
            families=FamilyAudience.EVENT,
            event=event,
            to_staff=False,
            texts=TEXTS,
        )
    assert not Announcement.objects.exists()
