import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Attached files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
