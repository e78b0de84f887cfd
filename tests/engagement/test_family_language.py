"""The family side in the family's language, as a Spanish-speaking parent meets it on a phone:
one register of address (usted) on every page and e-mail, and buttons that say what they do."""

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from engagement import tokens
from tests.engagement.factories import RsvpFactory

# Forms of address and verbs of the informal register (tú) a Spanish family page could slip
# into; the pages speak usted throughout.
TU = re.compile(
    r"\b(tú|tu|tus|te|ti|contigo|puedes|tienes|quieres|estás|eres|necesitas|envíame|"
    r"ingresa|escribe|elige|revisa|inténtalo|vuelve|ten|introduce|haz|pulsa)\b",
    re.IGNORECASE,
)


def text_of(html: str) -> str:
    """What a reader sees and hears: the text, and the labels and values of controls."""
    attributes = " ".join(re.findall(r'(?:aria-label|placeholder|title|value)="([^"]*)"', html))
    return strip_tags(re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)) + attributes


@pytest.fixture
def spanish_family(world):
    world.family.preferred_language = "es"
    world.family.set_unusable_password()
    world.family.save()
    return world.family


def test_spanish_pages_and_code_email_speak_usted_throughout(
    world, event, spanish_family, client, client_for, mailoutbox
):
    client.post("/language/", {"language": "es", "next": "/"})
    pages = {
        path: client.get(path).content.decode()
        for path in ("/accounts/login/", "/accounts/login/code/")
    }
    client.post("/accounts/login/code/", {"email": spanish_family.email})
    pages["/accounts/login/code/confirm/"] = client.get("/accounts/login/code/confirm/").text
    pages["code e-mail"] = mailoutbox[0].subject + "\n" + mailoutbox[0].body
    rsvp = RsvpFactory(event=event, family=spanish_family)
    family = client_for(spanish_family)
    for path in (
        reverse("engagement:family_home"),
        event.get_absolute_url(),
        reverse("engagement:event_list", kwargs={"slug": world.school.slug}),
    ):
        pages[path] = family.get(path).content.decode()
    link = reverse("engagement:rsvp_link", kwargs={"token": tokens.make_rsvp_token(rsvp)})
    pages["signed link"] = client.get(link).content.decode()

    informal = {
        where: sorted({match.group(0) for match in TU.finditer(text_of(html))})
        for where, html in pages.items()
    }
    assert {where: words for where, words in informal.items() if words} == {}
    assert all('lang="es"' in html for where, html in pages.items() if where != "code e-mail")


def test_buttons_say_what_they_do(world, event, spanish_family, client_for):
    client = client_for(spanish_family)
    url = reverse("engagement:rsvp_submit", kwargs={"slug": world.school.slug, "pk": event.pk})
    html = client.get(event.get_absolute_url()).content.decode()
    assert re.search(
        r'<button type="submit" class="button">\s*Confirmar asistencia\s*</button>', html
    )
    client.post(url, {"adults": 1, "children": 0})
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Guardar los cambios de mi confirmación</button>" in html
    # Cancelling asks first: the summary names it, the button under it confirms it.
    assert "Cancelar mi confirmación de asistencia</summary>" in html
    assert "Sí, cancelar mi confirmación de asistencia</button>" in html
    assert ">Cambiar idioma</button>" in html
