"""Families and the school on phones: a family in Spanish asks a question, the staff answer
in the inbox, and the family reads the answer from the e-mailed link; axe on every page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import expect

from community import services
from community.models import Conversation, ConversationStatus, Coordinator, HelpRequest, HelpStatus
from tests.e2e.conftest import TIMEOUT_MS

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phones(browser, transactional_db, live_server, settings, tmp_path):
    """phone(user or None) -> a new phone-sized tab, signed in as `user` (session cookie)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    contexts, errors = [], []

    def phone(user):
        context = browser.new_context(base_url=live_server.url, locale="en-US", **PHONE)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        return tab

    yield phone
    for context in contexts:
        context.close()
    if errors:
        pytest.fail("Console errors in the browser:\n" + "\n".join(errors), pytrace=False)


def test_a_spanish_family_asks_and_reads_the_answer_from_the_emailed_link(
    phones, mailbox, axe_check, world
):
    family = world.family
    family.preferred_language = "es"
    family.full_name = "Rosa Díaz"
    family.save(update_fields=["preferred_language", "full_name"])
    world.staff.full_name = "Sam Lee"
    world.staff.save(update_fields=["full_name"])

    # The family, in Spanish, writes from its page.
    tab = phones(family)
    tab.goto("/family/")
    expect(tab.locator("html")).to_have_attribute("lang", "es")
    tab.get_by_role("link", name=f"Escribir a {world.school.name}").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Mensajes a")
    axe_check(tab)
    tab.get_by_label("Una pregunta").check()
    tab.get_by_label("Asunto").fill("Parada del autobús")
    tab.get_by_label("Su mensaje").fill("¿Dónde para el autobús la próxima semana?")
    tab.get_by_role("button", name="Enviar el mensaje").click()
    expect(tab.get_by_role("heading", level=1, name="Parada del autobús")).to_be_visible()
    expect(tab.get_by_role("status")).to_contain_text("Su mensaje se envió")
    axe_check(tab)

    # The staff member answers from the inbox.
    staff = phones(world.staff)
    staff.goto(f"/schools/{world.school.slug}/inbox/")
    expect(staff.get_by_role("heading", level=1, name="Messages from families")).to_be_visible()
    axe_check(staff)
    staff.get_by_role("link", name="Parada del autobús").click()
    axe_check(staff)
    staff.get_by_label("Your answer").fill("En la esquina de Oak y 3.ª, a las 7:40.")
    staff.get_by_role("button", name="Send the answer").click()
    expect(staff.get_by_role("status")).to_contain_text("Your answer was sent.")
    expect(staff.get_by_text("Answered by Sam Lee")).to_be_visible()

    # The e-mail, in Spanish, with its link: opened on a phone that is not signed in.
    [mail] = [m for m in mailbox if m.to == [family.email]]
    assert "respondió" in mail.subject
    link = re.search(r"https?://\S+/messages/\S+/", mail.body).group(0)
    reader = phones(None)
    reader.goto(urlsplit(link).path)
    expect(reader.locator("html")).to_have_attribute("lang", "es")
    expect(reader.get_by_text("En la esquina de Oak y 3.ª, a las 7:40.")).to_be_visible()
    axe_check(reader)
    reader.get_by_label("Su respuesta").fill("¡Gracias!")
    reader.get_by_role("button", name="Enviar la respuesta").click()
    expect(reader.get_by_role("status")).to_contain_text("Su respuesta se envió")
    expect(reader.get_by_text("¡Gracias!")).to_be_visible()
    assert Conversation.objects.get().status == ConversationStatus.OPEN


def test_a_principal_sends_in_two_languages_and_a_family_sees_only_its_own(
    phones, mailbox, axe_check, world
):
    family = world.family
    family.preferred_language = "es"
    family.save(update_fields=["preferred_language"])

    principal = phones(world.principal)
    principal.goto(f"/schools/{world.school.slug}/announcements/")
    expect(principal.get_by_role("heading", level=1, name="Announcements")).to_be_visible()
    axe_check(principal)
    principal.get_by_role("link", name="Write an announcement").click()
    axe_check(principal)
    principal.get_by_label("All families of the school").check()
    principal.get_by_label("Title (English)").fill("No school on Friday")
    principal.get_by_label("Text (English)").fill("The school is closed for teacher training.")
    # The Spanish text is forgotten at first: nothing is sent and the page says why.
    principal.get_by_role("button", name="Send the announcement").click()
    expect(principal.get_by_role("alert")).to_contain_text("Spanish is missing")
    axe_check(principal)
    assert not [m for m in mailbox if m.to == [family.email]]
    principal.get_by_label("Title (Spanish)").fill("No hay clases el viernes")
    principal.get_by_label("Text (Spanish)").fill("La escuela cierra por formación docente.")
    principal.get_by_role("button", name="Send the announcement").click()
    expect(principal.get_by_role("status")).to_contain_text("on its way to 1 person")
    axe_check(principal)

    [letter] = [m for m in mailbox if m.to == [family.email]]
    assert "No hay clases el viernes" in letter.subject and "Friday" not in letter.body

    tab = phones(family)
    tab.goto("/family/")
    expect(tab.get_by_role("link", name="No hay clases el viernes")).to_be_visible()
    expect(tab.get_by_text("No school on Friday")).to_have_count(0)
    axe_check(tab)
    tab.get_by_role("link", name="No hay clases el viernes").click()
    expect(tab.get_by_role("heading", level=1, name="No hay clases el viernes")).to_be_visible()
    expect(tab.get_by_text("formación docente")).to_be_visible()
    axe_check(tab)

    principal.goto(f"/schools/{world.school.slug}/announcements/")
    principal.get_by_role("link", name="No school on Friday").click()
    expect(principal.locator(".stat").nth(2)).to_have_text("1")


def test_a_family_asks_for_help_with_food_privately_and_the_coordinator_closes_it(
    phones, mailbox, axe_check, world
):
    family = world.family
    family.preferred_language = "es"
    family.full_name = "Rosa Díaz"
    family.save(update_fields=["preferred_language", "full_name"])
    Coordinator.objects.create(school=world.school, user=world.teacher_leader)
    services.partner_create(
        actor=world.principal,
        school=world.school,
        name="Banco de Alimentos Riverside",
        kinds=["food"],
        phone="555-0100",
        languages=["en", "es"],
        texts={
            "en": ("Free groceries every week.", "Mon-Fri 9-5"),
            "es": ("Comestibles gratis cada semana.", "lun-vie 9-17"),
        },
    )

    tab = phones(family)
    tab.goto(f"/schools/{world.school.slug}/partners/")
    expect(tab.get_by_text("Comestibles gratis cada semana.")).to_be_visible()
    axe_check(tab)
    tab.get_by_label("Ayuda con").select_option("food")
    tab.get_by_role("button", name="Mostrar").click()
    expect(tab.get_by_role("heading", name="Banco de Alimentos Riverside")).to_be_visible()
    tab.get_by_role("link", name="Pedir ayuda a Banco de Alimentos Riverside").click()
    axe_check(tab)
    tab.get_by_label("Comida").check()
    tab.get_by_label("Cualquier cosa que nos ayude").fill("Nos quedamos sin comida esta semana.")
    tab.get_by_role("button", name="Enviar mi solicitud").click()
    expect(tab.get_by_role("status")).to_contain_text("y a nadie más")
    expect(tab.get_by_text("Recibida")).to_be_visible()
    axe_check(tab)

    # Another staff member finds nothing; the coordinator finds it and closes it.
    request = HelpRequest.objects.get()
    other = Client()
    other.force_login(world.staff)
    assert other.get(request.get_absolute_url()).status_code == 404

    lead = phones(world.teacher_leader)
    [notice] = [m for m in mailbox if m.to == [world.teacher_leader.email]]
    assert "sin comida" not in notice.body
    lead.goto(f"/schools/{world.school.slug}/help/requests/")
    axe_check(lead)
    lead.get_by_role("link", name="Food").click()
    expect(lead.get_by_text("Nos quedamos sin comida esta semana.")).to_be_visible()
    axe_check(lead)
    lead.get_by_label("Status").select_option("closed")
    lead.get_by_role("button", name="Update the request").click()
    expect(lead.get_by_role("status")).to_contain_text("The request is updated.")
    expect(lead.locator("#help-status")).to_have_text("Closed")
    assert HelpRequest.objects.get().status == HelpStatus.CLOSED

    tab.reload()
    expect(tab.get_by_text("Cerrada")).to_be_visible()
