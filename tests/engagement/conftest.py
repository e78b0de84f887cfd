import pytest

from tests.engagement.factories import EventFactory


@pytest.fixture
def event(world):
    """A published event at Lincoln next week, in English and Spanish, with 50 seats."""
    return EventFactory(school=world.school)
