"""What a person sees when Django refuses a request before any view: too large, too many parts."""

import pytest
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import get_random_string

from leadership.errors import bad_request

pytestmark = pytest.mark.django_db


def vision_url(world):
    return reverse("leadership:school_vision_edit", kwargs={"slug": world.school.slug})


def test_a_too_large_form_gets_a_page_in_the_persons_language(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1536
    world.principal.preferred_language = "es"
    world.principal.save()
    response = client_for(world.principal).post(vision_url(world), {"vision_statement": "x" * 4000})
    page = response.content.decode()
    assert response.status_code == 413
    assert '<html lang="es">' in page
    assert "1,5\xa0KB" in page  # the limit, written the Spanish way
    with translation.override("es"):
        assert str(translation.gettext("Too much sent at once")) in page
        assert str(translation.gettext("Back to your home page")) == "Volver a su página de inicio"
        assert "Volver a su página de inicio" in page
    world.school.refresh_from_db()
    assert world.school.vision_statement != "x" * 4000


def test_too_many_fields_get_a_page_that_says_the_limit(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client_for(world.principal).post(
        vision_url(world), {f"field{i}": "x" for i in range(10)}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="en">' in page
    assert "The form sent more than 5 fields, the most a page accepts." in page


def test_the_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().post("/", {"a": "b"})
    with django_assert_num_queries(0):
        too_big = bad_request(request, RequestDataTooBig("too big"))
        too_many = bad_request(request, TooManyFieldsSent("too many"))
        other = bad_request(request, Exception("unreadable"))
    assert too_big.status_code == 413 and "Too much sent at once" in too_big.content.decode()
    assert too_many.status_code == 400
    assert other.status_code == 400 and "cannot read" in other.content.decode()


def test_the_page_is_in_spanish_when_the_csrf_check_reads_the_body(world, settings):
    # In production the body is first read by the CSRF check, before any view runs.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1536
    world.principal.preferred_language = "es"
    world.principal.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.principal)
    secret = get_random_string(32, allowed_chars=CSRF_ALLOWED_CHARS)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = client.post(
        vision_url(world), {"csrfmiddlewaretoken": secret, "vision_statement": "x" * 4000}
    )
    page = response.content.decode()
    assert response.status_code == 413
    assert '<html lang="es">' in page and "Volver a su página de inicio" in page
