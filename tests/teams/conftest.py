"""Fixtures of the teams tests: the world's school gets an ILT."""

import pytest

from tests.teams.factories import ilt_for


@pytest.fixture
def ilt(world):
    """The Lincoln ILT: the principal facilitates; the teacher leader and the family sit on it."""
    return ilt_for(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Pre-read files go to a folder of the test, never the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"
