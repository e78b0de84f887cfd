"""The inbox's page written in Python (community/inbox_html.py) and its read compiled once
(community.selectors.inbox_page) answer as the template and the ORM they replace: the same
HTML byte for byte, for every reader, language, filter and page, and every write seen at once."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from math import ceil
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django.utils.translation.template import templatize

from community import inbox_html, selectors, services
from community.models import Conversation, ConversationStatus, Topic
from leadership.models import Role
from tests.community import factories as cf
from tests.leadership.factories import person

LANGUAGES = ("en", "es", "vi")  # every language the site offers (settings.LANGUAGES)

HOSTILE = "<b>\"Tom & Jerry's\"</b> {{ x }} {% now 'Y' %} %s %% 100% é"

# community/inbox.html as it was before its rows were written in Python: the reference.
TEMPLATE_PAGE = (Path(__file__).parent / "inbox_as_template.html").read_text()

# The rows' loop of that page, alone, with the column names it translates.
_LABELS = TEMPLATE_PAGE.split("{% if conversations %}")[1].split("\n")[0]
_LOOP = TEMPLATE_PAGE.split("  <tbody>\n  ")[1].split("{% endfor %}")[0]
TEMPLATE_ROWS = "{% load i18n %}" + _LABELS + _LOOP + "{% endfor %}"


def _label_as_before(rows, *, school) -> None:
    """What the view worked out for each row before the template wrote it."""
    now = timezone.now()
    topics = {value: str(label) for value, label in Topic.choices}
    statuses = {value: str(label) for value, label in ConversationStatus.choices}
    for row in rows:
        days = (now - row.created_at).days
        row.age_label = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
        row.url = reverse(
            "community:conversation_detail", kwargs={"slug": school.slug, "pk": row.pk}
        )
        row.topic_label = topics.get(row.topic, row.topic)
        row.status_label = statuses.get(row.status, row.status)
        row.badge_class = "badge badge-warn" if row.status == ConversationStatus.OPEN else "badge"
        if not hasattr(row, "family_name"):
            row.family_name = row.family.get_full_name()
            row.answerer_name = row.assigned_to.get_full_name() if row.assigned_to else "—"


def _without_tokens(html: str) -> str:
    """The page with its CSRF tokens (masked anew on every render) left out."""
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)
    return re.sub(r'("x-csrftoken": ")[^"]+', r"\1", html)


@pytest.fixture(autouse=True)
def _compiled_afresh():
    """Each test compiles the inbox's read itself (and leaves none compiled behind)."""
    selectors._INBOX_PAGE._compiled.clear()
    yield
    selectors._INBOX_PAGE._compiled.clear()


@pytest.fixture
def hostile_inbox(world):
    """An inbox of every status over three pages (25 a page; two for each status alone),
    with names and subjects that must be escaped, a family without a name, and ages from
    today to years ago."""
    now = timezone.now()
    families = [
        person(Role.FAMILY, school=world.school, email="a&b@example.org", full_name=HOSTILE),
        person(Role.FAMILY, school=world.school, email="<no-name>@example.org", full_name=""),
        person(Role.FAMILY, school=world.school, email="c@example.org", full_name="Ana Díaz"),
    ]
    world.staff.full_name = "<i>Staff</i> & 'co'"
    world.staff.save(update_fields=["full_name"])
    answerers = [world.staff, world.principal, world.teacher_leader]
    days = (0, 1, 2, 5, 21, 1001)
    for n in range(80):
        extra = {
            "subject": HOSTILE if n % 7 == 0 else f"Question {n}",
            "topic": Topic.values[n % len(Topic.values)],
            "created_at": now - timedelta(days=days[n % len(days)], hours=n),
        }
        family = families[n % len(families)]
        if n % 3 == 0:
            cf.conversation(world.school, family, **extra)
        elif n % 3 == 1:
            cf.answered(world.school, family, answerers[n % len(answerers)], **extra)
        else:
            cf.conversation(world.school, family, status=ConversationStatus.CLOSED, **extra)
    # Another school's inbox, read with the same compiled SQL.
    cf.conversation(world.other_school, families[2], subject="Elsewhere")
    return families


def _compare_with_template(client, world, user, language, query="") -> int:
    """The inbox page asked with `query`, compared with the former template's; how many
    conversations it shows."""
    url = reverse("community:inbox", kwargs={"slug": world.school.slug})
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    status = response.wsgi_request.GET.get("status", "")
    page = response.context["page"]
    every = selectors.inbox(user=user, school=world.school, status=status or None)
    assert page.pages == max(1, ceil(every.count() / 25))
    rows = list(every[(page.number - 1) * 25 : page.number * 25])
    _label_as_before(rows, school=world.school)
    context = {
        "school": world.school,
        "conversations": rows,
        "status": status,
        "statuses": ConversationStatus.choices,
        "can_see_times": user == world.principal,
        "page": page,
        "previous_url": response.context["previous_url"],
        "next_url": response.context["next_url"],
    }
    template = engines["django"].from_string(TEMPLATE_PAGE)
    with translation.override(language):
        expected = template.render(context, request=response.wsgi_request)
    html = response.content.decode()
    assert _without_tokens(html) == _without_tokens(expected)
    return len(rows)


def _reading_in(user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reader", ["principal", "staff"])
def test_the_inbox_page_is_the_html_the_template_wrote(
    world, hostile_inbox, client_for, reader, language
):
    user = _reading_in(getattr(world, reader), language)
    client = client_for(user)
    shown = []
    with time_machine.travel(timezone.now(), tick=False):
        for status in ("", "open", "waiting", "closed"):
            for number in (1, 2, 3):
                query = f"status={status}&page={number}" if status else f"page={number}"
                shown.append(_compare_with_template(client, world, user, language, query))
    # The whole list over three pages, each status over two (its third is its last).
    assert shown == [25, 25, 4, 25, 2, 2, 25, 2, 2, 25, 1, 1]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_inbox_and_a_single_page_are_the_html_the_template_wrote(
    world, client_for, language
):
    user = _reading_in(world.principal, language)
    client = client_for(user)
    with time_machine.travel(timezone.now(), tick=False):
        assert _compare_with_template(client, world, user, language) == 0
        assert _compare_with_template(client, world, user, language, "status=closed") == 0
        cf.conversation(world.school, world.family, subject=HOSTILE)
        assert _compare_with_template(client, world, user, language) == 1
        assert _compare_with_template(client, world, user, language, "page=2") == 1
    html = client.get(reverse("community:inbox", kwargs={"slug": world.school.slug})).content
    assert b'<nav class="pagination"' not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_rows_are_the_loop_of_the_template_in_every_language(world, language):
    """Values no conversation the services write can hold still come out as the template
    wrote them: an unknown topic or status, empty text, markup, percent signs, a nameless
    answerer, and ages in each plural form."""
    now = timezone.now()

    def row(pk, days, **given):
        values = {
            "pk": pk,
            "topic": Topic.QUESTION,
            "subject": "Bus stop",
            "status": ConversationStatus.OPEN,
            "created_at": now - timedelta(days=days, seconds=1),
            "family_name": "Ana Díaz",
            "answerer_name": None,
        }
        return SimpleNamespace(**{**values, **given})

    rows = [
        row(1, 0),
        row(2, 1, subject=HOSTILE, family_name=HOSTILE, answerer_name=HOSTILE),
        row(3, 2, subject="", family_name="", answerer_name=""),
        row(4, 3, topic="retired-topic", status="<retired>"),
        row(5, 5, topic=Topic.ILT, status=ConversationStatus.WAITING, answerer_name="Sam"),
        row(6, 11, topic=Topic.HELP, status=ConversationStatus.CLOSED),
        row(7, 21, status=ConversationStatus.WAITING, answerer_name="Sam"),
        row(8, 22),
        row(9, 1001),
        row(2_000_000_123, 12345, subject="100%% sure & <done>"),
    ]
    template = engines["django"].from_string(TEMPLATE_ROWS)
    with translation.override(language):
        labels = inbox_html.column_labels()
        html = inbox_html.rows_html(rows, school=world.school, labels=labels, now=now)
        for written in rows:
            written.answerer_name = "—" if written.answerer_name is None else written.answerer_name
        _label_as_before(rows, school=world.school)
        expected = template.render({"conversations": rows})
        head = engines["django"].from_string(
            '{% load i18n %}{% translate "Subject" %}|{% translate "Family" %}|'
            '{% translate "Status" %}|{% translate "Answered by" %}|{% translate "Age" %}'
        )
        expected_labels = head.render({}).split("|")
    assert html == expected
    assert list(labels.values()) == expected_labels
    assert html.count("<tr>") == len(rows)
    assert _LABELS.count("{% translate") == 5 and _LOOP.startswith("{% for row in conversations")


def test_no_rows_write_nothing(world):
    labels = inbox_html.column_labels()
    assert inbox_html.rows_html([], school=world.school, labels=labels) == ""


def test_the_compiled_read_gives_the_rows_the_orm_gives(world, hostile_inbox):
    for school in (world.school, world.other_school, world.far_school):
        for status in (None, "", *ConversationStatus.values, "made-up"):
            for number in (1, 2, 3, 4, 11, 40):
                found = selectors._inbox_rows(school.pk, status, number, 7)
                orm = list(selectors._inbox_values(school.pk, status)[(number - 1) * 7 :][:7])
                assert [tuple(row) for row in found] == orm
                for size in (1, 7, 25):
                    offset = (number - 1) * size
                    assert selectors._INBOX_PAGE.is_prepared(
                        limit=size, offset=offset, school=school.pk, status=status or None
                    )
    # A status or none, the first page or a later one: four shapes, whatever the page or size.
    assert len(selectors._INBOX_PAGE._compiled) == 4


def test_a_read_that_would_not_answer_as_compiled_is_left_to_the_orm(
    world, hostile_inbox, monkeypatch
):
    """A read whose SQL is not the same for every school (here, one that treats the stand-in
    school apart) is refused on its first call, and every call asks the ORM."""
    school_inbox = selectors._school_inbox

    def odd(school_id, status):
        rows = school_inbox(school_id, status)
        return rows.filter(subject="never") if school_id > 2_000_000_000 else rows

    monkeypatch.setattr(selectors, "_school_inbox", odd)
    page = selectors.inbox_page(user=world.principal, school=world.school)
    assert list(selectors._INBOX_PAGE._compiled.values()) == [False]
    assert not selectors._INBOX_PAGE.is_prepared(
        limit=25, offset=0, school=world.school.pk, status=None
    )
    assert len(page.rows) == 25


def _inbox(client, world, status=""):
    url = reverse("community:inbox", kwargs={"slug": world.school.slug})
    return client.get(url + (f"?status={status}" if status else "")).content.decode()


def test_every_write_to_a_conversation_shows_in_the_inbox_at_once(world, client_for):
    staff = client_for(world.staff)
    assert "No conversations here." in _inbox(staff, world)  # the read compiled, empty
    conversation = services.conversation_start(
        actor=world.family, school=world.school, topic="question", subject="Bus", body="Where?"
    )
    html = _inbox(staff, world)
    assert '<span class="badge badge-warn">Open</span>' in html
    assert 'data-label="Answered by">—</td>' in html

    services.message_reply(actor=world.staff, conversation=conversation, body="At the corner.")
    html = _inbox(staff, world)
    assert '<span class="badge">Waiting for the family</span>' in html
    assert f'data-label="Answered by">{world.staff.get_full_name()}</td>' in html

    services.message_reply(actor=world.family, conversation=conversation, body="Thanks, but?")
    assert '<span class="badge badge-warn">Open</span>' in _inbox(staff, world)

    world.family.full_name = "Rosa <Díaz>"
    world.family.save(update_fields=["full_name"])
    assert 'data-label="Family">Rosa &lt;Díaz&gt;</td>' in _inbox(staff, world)

    services.conversation_close(actor=world.staff, conversation=conversation)
    assert "No conversations here." in _inbox(staff, world)
    assert '<span class="badge">Closed</span>' in _inbox(staff, world, "closed")
    assert Conversation.objects.get().status == ConversationStatus.CLOSED


def test_a_family_row_names_the_family_as_its_account_does(world, client_for):
    nameless = person(Role.FAMILY, school=world.school, email="n&n@example.org", full_name="")
    cf.conversation(world.school, nameless)
    [row] = selectors.inbox_page(user=world.staff, school=world.school).rows
    assert row.family_name == nameless.get_full_name() == "n&n@example.org"
    assert row.answerer_name is None
    assert 'data-label="Family">n&amp;n@example.org</td>' in _inbox(client_for(world.staff), world)


def test_whoever_may_not_use_the_inbox_reads_no_rows(world, hostile_inbox):
    page = selectors.inbox_page(user=world.family, school=world.school, number=2)
    assert (page.rows, page.number, page.pages) == ([], 1, 1)


def test_a_column_name_is_escaped_and_its_percent_signs_kept_as_the_template_does():
    message = "Tom & <Jerry> say \"100%\" and 'more' %%"
    template = engines["django"].from_string(
        "{% load i18n %}{% translate '" + message.replace("'", "\\'") + "' as name %}{{ name }}"
    )
    assert inbox_html._translated(message) == template.render({})


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_numbers_are_localised_as_the_template_does(settings, language):
    settings.USE_THOUSAND_SEPARATOR = True  # so that a page's number has something to show
    pagination = TEMPLATE_PAGE.split("{% if page.pages > 1 %}")[1].split("{% endif %}\n{% else")[0]
    template = engines["django"].from_string("{% load i18n %}" + pagination)
    page = selectors.InboxPage(rows=[], number=1234, pages=5678)
    links = {"previous_url": "?page=1233", "next_url": "?status=open&page=1235"}
    with translation.override(language):
        html = inbox_html._pages(page, **links)
        assert html == template.render({"page": page, **links})
    assert ("Page 1,234 of 5,678" in html) == (language == "en")  # grouped, as English does
    assert 'href="?status=open&amp;page=1235"' in html


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_every_sentence_of_the_former_template_stays_in_the_catalogues(tmp_path):
    """`make messages` keeps only what it finds: each sentence the page's template had must
    be found in community/inbox_html.py (or the template left), not only in the catalogues."""

    def messages(source: str) -> set[str]:
        path = tmp_path / "source.py"
        path.write_text(source)
        command = ["xgettext", "--language=Python", "--from-code=UTF-8", "--output=-"]
        found = subprocess.run(
            [*command, "--keyword=gettext_noop", "--keyword=ngettext:1,2", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return set(re.findall(r'^msgid "(.+)"$', found, re.M))

    root = Path(__file__).resolve().parents[2]
    before = messages(templatize(TEMPLATE_PAGE))
    now = messages(templatize((root / "templates/community/inbox.html").read_text()))
    now |= messages((root / "community/inbox_html.py").read_text())
    assert len(before) > 10
    assert before <= now
