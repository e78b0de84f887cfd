"""Queries of the inbox, a conversation and a family's list do not grow with the data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community import services
from community.models import Message
from leadership.models import Role
from tests.community import factories as cf
from tests.community.test_partners import make_partner
from tests.engagement.factories import EventFactory
from tests.leadership.factories import MembershipFactory, person


@pytest.fixture
def busy_school(world):
    """A school year's worth of mail: 8 families, 24 conversations, half answered by 3 staff."""
    families = [
        person(Role.FAMILY, school=world.school, email=f"family{n}@example.org") for n in range(8)
    ]
    staff = [world.principal, world.teacher_leader, world.staff]
    rows = []
    for n in range(24):
        family = families[n % len(families)]
        if n % 2:
            rows.append(cf.answered(world.school, family, staff[n % 3], subject=f"Subject {n}"))
        else:
            rows.append(cf.conversation(world.school, family, subject=f"Subject {n}"))
    return rows


def test_the_inbox_reads_in_fixed_queries(
    world, busy_school, client_for, django_assert_num_queries
):
    client = client_for(world.staff)
    url = reverse("community:inbox", kwargs={"slug": world.school.slug})
    # the session with the user and roles (with the menu's schools), school, the conversations with
    # family, answerer and count.
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(response.context["conversations"]) == 24
    assert response.content.decode().count("Subject ") == 24


def test_a_conversation_reads_in_fixed_queries(world, client_for, django_assert_num_queries):
    row = cf.conversation(world.school, world.family)
    for n in range(12):
        Message.objects.create(
            conversation=row,
            author=world.staff if n % 2 else world.family,
            from_family=not n % 2,
            body=f"Message {n}",
        )
    for n in range(4):
        cf.attachment(row, name=f"file{n}.txt")
    client = client_for(world.staff)
    # the session with the user and roles (with the menu's schools), school, the conversation, its
    # messages with authors, their files.
    with django_assert_num_queries(5):
        response = client.get(row.get_absolute_url())
    html = response.content.decode()
    assert html.count("Message ") == 12
    assert html.count("file") >= 4


def test_a_familys_list_reads_in_fixed_queries(
    world, busy_school, client_for, django_assert_num_queries
):
    for n in range(3):
        cf.answered(world.school, world.family, world.staff, subject=f"Mine {n}")
    client = client_for(world.family)
    url = reverse("community:conversation_list", kwargs={"slug": world.school.slug})
    # the session with the user and roles, school, whether the family sits on the ILT, the family's
    # conversations (a family's menu reads none).
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(response.context["conversations"]) == 3


def test_announcements_on_the_family_page_cost_two_queries_for_all_schools(
    world, client_for, django_assert_num_queries
):
    MembershipFactory(
        user=world.family, role=Role.FAMILY, school=world.other_school, district=world.district
    )
    texts = {"en": ("Closed Friday", "No school."), "es": ("Cerrado el viernes", "Sin clases.")}
    for school, principal in (
        (world.school, world.principal),
        (world.other_school, world.other_school_principal),
    ):
        for _n in range(3):
            services.announcement_send(
                actor=principal, school=school, families="all", to_staff=False, texts=texts
            )
    client = client_for(world.family)
    # the session with the user and roles, the schools with their data versions and the family's
    # calendar links, events, (no titles: no events), the family's calendar links (read, made on
    # this first visit, read again), the announcements and their texts.
    with django_assert_num_queries(8):
        page = client.get(reverse("engagement:family_home")).content.decode()
    assert page.count("Closed Friday") == 6


def test_the_directory_reads_in_fixed_queries(world, client_for, django_assert_num_queries):
    events = [EventFactory(school=world.school) for _n in range(3)]
    for n in range(10):
        make_partner(world, name=f"Partner {n}", kinds=["food", "health"], events=events[: n % 3])
    for n in range(3):
        make_partner(world, name=f"District {n}", kinds=["housing"], district_wide=True)
    client = client_for(world.family)
    url = reverse("community:directory", kwargs={"slug": world.school.slug})
    # the session with the user and roles, school, the partners, their texts, kinds, co-hosted
    # events and those events' titles (a family is no coordinator: that check reads nothing).
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["partners"]) == 13
    assert response.content.decode().count("Noche familiar") == 0  # English page
    assert response.content.decode().count("Family math night") == 9


def test_a_long_inbox_is_paged_in_the_same_queries(
    world, busy_school, client_for, django_assert_num_queries
):
    for n in range(24, 38):  # 38 in all, 26 of them open
        cf.conversation(world.school, world.family, subject=f"Subject {n}")
    client = client_for(world.staff)
    url = reverse("community:inbox", kwargs={"slug": world.school.slug})
    # The page's rows and the count of all of them come in the one query.
    with django_assert_num_queries(3):
        first = client.get(url)
    html = first.content.decode()
    assert len(first.context["conversations"]) == 25
    assert '<nav class="pagination" aria-label="Pages of conversations">' in html
    assert '<span aria-current="page">Page 1 of 2</span>' in html
    assert '<a href="?page=2" rel="next">Next</a>' in html and 'rel="prev"' not in html
    with django_assert_num_queries(3):
        second = client.get(url + "?page=2")
    assert len(second.context["conversations"]) == 13
    shown = {c.pk for c in first.context["conversations"]} | {
        c.pk for c in second.context["conversations"]
    }
    assert len(shown) == 38
    html = second.content.decode()
    assert '<a href="?" rel="prev">Previous</a>' in html and 'rel="next"' not in html
    # Past the end: the last page. A word: the first.
    assert client.get(url + "?page=9").context["page"].number == 2
    assert client.get(url + "?page=two").context["page"].number == 1
    # Larger than the database's OFFSET can hold: still the last page, not an error.
    assert client.get(url + "?page=400000000000000000").context["page"].number == 2
    # The status shown is kept from page to page.
    open_ = client.get(url + "?status=open").content.decode()
    assert '<a href="?status=open&amp;page=2" rel="next">' in open_
