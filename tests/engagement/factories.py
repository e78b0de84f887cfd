"""factory-boy factories for events and RSVPs."""

from datetime import timedelta

import factory
from django.db.models import F
from django.utils import timezone

from engagement.models import Event, EventKind, EventStatus, EventTranslation, Rsvp, RsvpStatus
from tests.leadership.factories import SchoolFactory


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    kind = EventKind.FAMILY_NIGHT
    status = EventStatus.PUBLISHED
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    location = "Library"
    capacity = 50
    interpretation_languages = ["es", "vi"]
    offers_childcare = True

    @factory.post_generation
    def texts(self, create, extracted, **kwargs):
        texts = (
            extracted
            if extracted is not None
            else {
                "en": ("Family math night", "Games and puzzles for the whole family."),
                "es": ("Noche familiar de matemáticas", "Juegos y acertijos para toda la familia."),
            }
        )
        if create:
            EventTranslation.objects.bulk_create(
                [
                    EventTranslation(event=self, language=code, title=title, description=desc)
                    for code, (title, desc) in texts.items()
                ]
            )


class RsvpFactory(factory.django.DjangoModelFactory):
    """An RSVP row; a going one holds its seats on the event, as the services would."""

    class Meta:
        model = Rsvp

    event = factory.SubFactory(EventFactory)
    family = None
    status = RsvpStatus.GOING
    adults = 1
    children = 0

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        rsvp = super()._create(model_class, *args, **kwargs)
        if rsvp.status == RsvpStatus.GOING:
            Event.objects.filter(pk=rsvp.event_id).update(
                seats_taken=F("seats_taken") + rsvp.party_size
            )
        return rsvp
