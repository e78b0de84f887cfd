"""Messages both ways: a family writes to its school, the staff answer in the thread, the family
is told by e-mail in its language with a link that opens the thread without a password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from community import selectors, services, tokens
from community.models import MAX_BODY, Attachment, Conversation, ConversationStatus, Message
from community.tasks import send_reply_notice
from leadership.models import AuditEntry, Role, SentMail
from teams.models import StakeholderGroup, TeamMember
from tests.community import factories as cf
from tests.leadership.factories import person
from tests.teams import factories as tf

PDF = b"%PDF-1.4\n" + b"0" * 200


@pytest.fixture
def spanish_family(world):
    world.family.preferred_language = "es"
    world.family.full_name = "Rosa Díaz"
    world.family.save(update_fields=["preferred_language", "full_name"])
    return world.family


def _list_url(world):
    return reverse("community:conversation_list", kwargs={"slug": world.school.slug})


def _write(client, world, **data):
    payload = {"topic": "question", "subject": "Parada del autobús", "body": "¿Dónde para?"}
    return client.post(_list_url(world), payload | data)


def _link_from(mail) -> str:
    return re.search(r"https?://\S+/messages/\S+/", mail.body).group(0).split("/", 3)[3]


def test_a_family_asks_the_staff_answer_and_the_family_reads_it_from_the_email(
    client_for, world, spanish_family, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(spanish_family)
    response = _write(client, world, files=[SimpleUploadedFile("carta.pdf", PDF)])
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url()
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.messages.get().attachments.get().original_name == "carta.pdf"

    # The inbox shows it, open, with nobody answering yet.
    staff = client_for(world.staff)
    inbox = staff.get(reverse("community:inbox", kwargs={"slug": world.school.slug}))
    assert "Parada del autobús" in inbox.content.decode()
    assert [c.pk for c in inbox.context["conversations"]] == [conversation.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(conversation.get_absolute_url(), {"body": "En la esquina de Oak."})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING
    assert conversation.assigned_to == world.staff
    assert conversation.first_reply_at is not None

    # One e-mail, in Spanish, with a link that opens the thread without a session.
    [mail] = mailoutbox
    assert mail.to == [spanish_family.email]
    assert "respondió" in mail.subject
    assert "sin contraseña" in mail.body
    anonymous = client_for(None)
    page = anonymous.get("/" + _link_from(mail))
    assert page.status_code == 200
    html = page.content.decode()
    assert "En la esquina de Oak." in html and "¿Dónde para?" in html
    assert '<html lang="es">' in html
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"

    # The family answers from the link: the conversation is open for the school again.
    answer = anonymous.post("/" + _link_from(mail), {"body": "Gracias."})
    assert answer.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.messages.last().author == spanish_family
    assert conversation.messages.last().from_family


def test_the_reply_email_goes_once_however_often_the_task_runs(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    conversation = cf.conversation(world.school, world.family)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_reply(
            actor=world.principal, conversation=conversation, body="Yes."
        )
    assert send_reply_notice.apply(args=[message.pk]).get() is False  # sent already (eager)
    assert len(mailoutbox) == 1
    assert SentMail.objects.filter(key=f"community.reply:{message.pk}").count() == 1


def test_a_family_answer_emails_nobody(world, mailoutbox):
    conversation = cf.conversation(world.school, world.family)
    services.message_reply(actor=world.family, conversation=conversation, body="Also...")
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"body": "   "}, "body", "Escriba su mensaje."),
        ({"body": "x" * (MAX_BODY + 1)}, "body", "4000"),
        ({"subject": ""}, "subject", "Diga en pocas palabras de qué se trata."),
        ({"topic": "gossip"}, "topic", "Elija de qué trata el mensaje."),
    ],
)
def test_bad_messages_are_refused_in_the_familys_language_and_nothing_is_stored(
    client_for, world, spanish_family, data, field, message
):
    client = client_for(spanish_family)
    response = _write(client, world, **data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0


def test_an_attachment_of_a_refused_type_stores_nothing(client_for, world, spanish_family):
    client = client_for(spanish_family)
    response = _write(client, world, files=[SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 50)])
    assert response.status_code == 200
    assert "no es un tipo de archivo permitido" in " ".join(
        response.context["form"].errors["files"]
    )
    assert not Conversation.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_that_is_not_what_its_name_says_is_refused(world):
    fake = SimpleUploadedFile("photo.png", b"not a png at all")
    with pytest.raises(Exception, match="does not contain what its name says"):
        services.conversation_start(
            actor=world.family,
            school=world.school,
            topic="help",
            subject="s",
            body="b",
            files=[fake],
        )
    assert not Conversation.objects.exists()


def test_a_closed_conversation_takes_no_reply(client_for, world, spanish_family):
    conversation = cf.conversation(world.school, spanish_family, status=ConversationStatus.CLOSED)
    client = client_for(spanish_family)
    response = client.post(conversation.get_absolute_url(), {"body": "¿Hola?"})
    assert response.status_code == 200
    assert "Esta conversación está cerrada" in " ".join(response.context["form"].non_field_errors())
    assert conversation.messages.count() == 1


def test_closing_a_conversation(client_for, world):
    conversation = cf.conversation(world.school, world.family)
    response = client_for(world.teacher_leader).post(
        reverse(
            "community:conversation_close",
            kwargs={"slug": world.school.slug, "pk": conversation.pk},
        ),
        follow=True,
    )
    assert "The conversation is closed." in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED
    assert AuditEntry.objects.filter(action="conversation.close").exists()
    with pytest.raises(Exception, match="already closed"):
        services.conversation_close(actor=world.family, conversation=conversation)


def test_a_tampered_or_expired_link_opens_nothing(client_for, world, spanish_family, settings):
    conversation = cf.conversation(world.school, spanish_family)
    token = tokens.make_thread_token(conversation)
    client = client_for(None)
    tampered = client.get(reverse("community:thread_link", kwargs={"token": token[:-2] + "xx"}))
    assert tampered.status_code == 400
    assert "This link does not work" in tampered.content.decode()
    # Another family's id in a token signed for this one's conversation is refused too.
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.COMMUNITY_THREAD_LINK_MAX_AGE + 60)
    ):
        expired = client.post(
            reverse("community:thread_link", kwargs={"token": token}), {"body": "Hola"}
        )
    assert expired.status_code == 400
    assert conversation.messages.count() == 1


def test_a_link_for_another_conversation_file_is_404(world):
    mine = cf.conversation(world.school, world.family)
    other = cf.attachment(cf.conversation(world.school, person(Role.FAMILY, school=world.school)))
    from django.test import Client

    response = Client().get(
        reverse(
            "community:thread_link_file",
            kwargs={"token": tokens.make_thread_token(mine), "pk": other.pk},
        )
    )
    assert response.status_code == 404


def test_families_never_see_one_anothers_conversations(client_for, world):
    neighbour = person(Role.FAMILY, school=world.school, email="neighbour@example.org")
    cf.conversation(world.school, neighbour, subject="Private matter")
    mine = cf.conversation(world.school, world.family, subject="My question")
    page = client_for(world.family).get(_list_url(world))
    assert [c.pk for c in page.context["conversations"]] == [mine.pk]
    assert "Private matter" not in page.content.decode()
    assert list(selectors.inbox(user=world.family, school=world.school)) == []


def test_the_district_admin_does_not_read_conversations(world):
    cf.conversation(world.school, world.family)
    assert not selectors.visible_conversations(user=world.district_admin, school=world.school)
    with pytest.raises(Exception, match="another family"):
        services.message_reply(
            actor=world.district_admin,
            conversation=Conversation.objects.get(),
            body="Hello",
        )


def test_messages_are_rate_limited_per_sender(client_for, world, spanish_family, settings):
    settings.COMMUNITY_MESSAGES_PER_HOUR = 2
    client = client_for(spanish_family)
    assert _write(client, world).status_code == 302
    assert _write(client, world).status_code == 302
    refused = _write(client, world)
    assert refused.status_code == 200
    assert "la última hora" in " ".join(refused.context["form"].non_field_errors())
    assert Conversation.objects.count() == 2
    # Another sender is not held back by this one.
    services.conversation_start(
        actor=person(Role.FAMILY, school=world.school, email="f2@example.org"),
        school=world.school,
        topic="question",
        subject="s",
        body="b",
    )
    # An hour later the family may write again.
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert _write(client, world).status_code == 302


def test_the_principal_sees_response_times_per_month(client_for, world):
    for hours in (1, 3, 8):
        cf.answered(world.school, world.family, world.staff, hours=hours)
    cf.conversation(world.school, world.family)  # not answered yet
    response = client_for(world.principal).get(
        reverse("community:response_times", kwargs={"slug": world.school.slug})
    )
    [month] = response.context["months"]
    assert (month.conversations, month.answered) == (4, 3)
    assert (month.median_hours, month.slowest_hours) == (3.0, 8.0)
    assert "3.0" in response.content.decode()


def test_the_inbox_filters_by_status_and_shows_who_answers(client_for, world):
    cf.conversation(world.school, world.family, subject="Still open")
    cf.answered(world.school, world.family, world.staff, subject="Answered one")
    cf.conversation(world.school, world.family, subject="Done", status=ConversationStatus.CLOSED)
    client = client_for(world.principal)
    url = reverse("community:inbox", kwargs={"slug": world.school.slug})
    default = client.get(url).content.decode()
    assert "Still open" in default and "Answered one" in default and "Done" not in default
    assert world.staff.get_full_name() in default
    closed = client.get(url + "?status=closed").content.decode()
    assert "Done" in closed and "Still open" not in closed


def test_the_family_representatives_on_the_ilt_read_and_answer_what_is_written_to_them(
    client_for, world, mailoutbox, django_capture_on_commit_callbacks
):
    rep = person(Role.FAMILY, school=world.school, email="rep@example.org", full_name="Ana Rep")
    ilt = tf.ilt_for(world)
    TeamMember.objects.create(team=ilt.team, user=rep, stakeholder_group=StakeholderGroup.FAMILY)
    to_reps = cf.conversation(world.school, world.family, subject="For the reps", topic="ilt")
    question = cf.conversation(world.school, world.family, subject="Plain question")

    page = client_for(rep).get(_list_url(world))
    assert [c.pk for c in page.context["for_reps"]] == [to_reps.pk]
    assert "Plain question" not in page.content.decode()
    assert client_for(rep).get(question.get_absolute_url()).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(rep).post(to_reps.get_absolute_url(), {"body": "We will raise it."})
    assert answer.status_code == 302
    to_reps.refresh_from_db()
    assert (to_reps.status, to_reps.assigned_to) == (ConversationStatus.WAITING, rep)
    assert [m.to for m in mailoutbox] == [[world.family.email]]
    # A family without a seat reads none of it.
    neighbour = person(Role.FAMILY, school=world.school, email="n@example.org")
    assert client_for(neighbour).get(to_reps.get_absolute_url()).status_code == 404
    assert not client_for(neighbour).get(_list_url(world)).context["for_reps"]


def test_each_inbox_row_shows_its_link_topic_status_people_and_age_in_the_readers_language(
    client_for, world
):
    now = timezone.now()
    fresh = cf.conversation(world.school, world.family, subject="Today", created_at=now)
    day = cf.conversation(
        world.school, world.family, subject="Yesterday", created_at=now - timedelta(days=1, hours=1)
    )
    answered = cf.answered(
        world.school,
        world.family,
        world.staff,
        subject="Answered",
        created_at=now - timedelta(days=3),
    )
    world.principal.preferred_language = "es"
    world.principal.save(update_fields=["preferred_language"])
    url = reverse("community:inbox", kwargs={"slug": world.school.slug})
    html = client_for(world.principal).get(url).content.decode()
    rows = dict(re.findall(r'<a href="([^"]+)">(Today|Yesterday|Answered)</a>', html))
    assert rows == {
        fresh.get_absolute_url(): "Today",
        day.get_absolute_url(): "Yesterday",
        answered.get_absolute_url(): "Answered",
    }
    assert html.count("(Una pregunta)") == 3
    assert html.count('<span class="badge badge-warn">Abierta</span>') == 2
    assert html.count('<span class="badge">Esperando a la familia</span>') == 1
    assert f'data-label="Responde">{world.staff.get_full_name()}</td>' in html
    assert html.count('data-label="Responde">—</td>') == 2
    assert html.count(f'data-label="Familia">{world.family.get_full_name()}</td>') == 3
    assert '"Antigüedad">0 días</td>' in html
    assert '"Antigüedad">1 día</td>' in html
    assert '"Antigüedad">3 días</td>' in html
