"""Two principals save the school's vision at once: the second sees both and chooses."""

import pytest
from django.test import Client

from leadership.models import AuditEntry
from tests.conflicts import STALE, version_in

HX = {"HTTP_HX_REQUEST": "true"}
URL = "/schools/lincoln/vision/"


@pytest.fixture
def two_principals(world):
    from tests.leadership.factories import person

    other = person("principal", school=world.school, email="co.principal@example.org")
    first, second = Client(), Client()
    first.force_login(world.principal)
    second.force_login(other)
    return first, second, other


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_a_stale_vision_save_is_refused_with_both_versions_and_the_resubmit_wins(
    world, two_principals, headers
):
    world.school.vision_statement = "Every child reads."
    world.school.save()
    first, second, other = two_principals
    mine = version_in(first.get(URL).text)
    theirs = version_in(second.get(URL).text)

    saved = second.post(URL, {"vision_statement": "Every child thrives.", "version": theirs})
    assert saved.status_code == 302

    stale = first.post(URL, {"vision_statement": "Every child writes.", "version": mine}, **headers)
    assert stale.status_code == 200
    page = stale.text
    assert STALE in page.replace("&#x27;", "'")
    assert "Every child thrives." in page  # theirs, saved now
    assert "Every child writes." in page  # yours, kept
    assert f"Saved by {other.full_name}" in page
    world.school.refresh_from_db()
    assert world.school.vision_statement == "Every child thrives."
    assert AuditEntry.objects.filter(action="school.vision_update").count() == 1

    # The form now carries the saved version: sending it again is the choice to keep mine.
    again = version_in(page)
    assert again != mine
    resent = first.post(URL, {"vision_statement": "Every child writes.", "version": again})
    assert resent.status_code == 302
    world.school.refresh_from_db()
    assert world.school.vision_statement == "Every child writes."


def test_the_conflict_page_is_in_the_persons_language(world, two_principals):
    first, second, _other = two_principals
    world.principal.preferred_language = "es"
    world.principal.save()
    mine = version_in(first.get(URL).text)
    second.post(URL, {"vision_statement": "Nuevo", "version": version_in(second.get(URL).text)})
    stale = first.post(URL, {"vision_statement": "Mío", "version": mine})
    assert stale.status_code == 200
    assert '<html lang="es">' in stale.text
    assert "Editar la declaración de visión de Lincoln Elementary" in stale.text
    assert "Nuevo" in stale.text and "Mío" in stale.text
