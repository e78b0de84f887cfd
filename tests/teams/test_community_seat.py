"""A community partner's contact holds the ILT's community seat: invited in their language,
they open their team and its meetings, and get 403 or 404 on every other page of the school
(another team, the school page, events, the directory, people, ...)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from leadership import services as leadership
from leadership.models import Invitation, Membership, Role
from leadership.selectors import home_url
from leadership.tasks import send_invitation_email
from teams.models import StakeholderGroup, Team, TeamKind, TeamMember
from tests.teams.factories import current_year, meeting


@pytest.fixture
def partner_contact(world, ilt, client, mailoutbox):
    """Invited by the principal in Vietnamese, accepted, seated on the ILT by the facilitator."""
    invitation = leadership.invitation_create(
        actor=world.principal,
        email="lan@foodbank.example.org",
        full_name="Lan Tran",
        role=Role.COMMUNITY_PARTNER,
        school=world.school,
        language="vi",
    )
    assert send_invitation_email(invitation.pk)
    user, created = leadership.invitation_accept(invitation=invitation)
    assert created and user.preferred_language == "vi"
    client.force_login(world.principal)
    response = client.post(
        reverse("teams:member_add", kwargs={"slug": world.school.slug, "pk": ilt.team.pk}),
        {"user": user.pk, "stakeholder_group": StakeholderGroup.COMMUNITY, "role": "member"},
    )
    assert response.status_code == 302
    client.logout()
    return user


def test_the_invitation_is_in_their_language_and_needs_no_password(world, ilt, mailoutbox):
    invitation = leadership.invitation_create(
        actor=world.principal,
        email="lan@foodbank.example.org",
        role=Role.COMMUNITY_PARTNER,
        school=world.school,
        language="vi",
    )
    send_invitation_email(invitation.pk)
    body = mailoutbox[-1].body
    assert "Đối tác cộng đồng" in body  # the role, in Vietnamese
    assert "mật khẩu" in body  # "you will not need a password", as families are told
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_they_sit_in_the_community_seat_and_open_their_team_and_meetings(
    world, ilt, client, partner_contact
):
    seat = TeamMember.objects.get(team=ilt.team, user=partner_contact)
    assert seat.stakeholder_group == StakeholderGroup.COMMUNITY
    assert Membership.objects.get(user=partner_contact).role == Role.COMMUNITY_PARTNER
    upcoming = meeting(ilt.team)
    client.force_login(partner_contact)
    slug = world.school.slug
    assert (
        client.get(
            reverse("teams:team_detail", kwargs={"slug": slug, "pk": ilt.team.pk})
        ).status_code
        == 200
    )
    for name in ("meeting_detail", "meeting_live", "meeting_print", "meeting_ics"):
        url = reverse(f"teams:{name}", kwargs={"slug": slug, "pk": upcoming.pk})
        assert client.get(url).status_code == 200, name
    # Signing in takes them to their work (their team's meetings), not a school page.
    assert home_url(partner_contact) == reverse("leadership:my_work")
    assert client.get("/").status_code == 302
    page = client.get(reverse("leadership:my_work"))
    assert page.status_code == 200
    assert world.school.get_absolute_url() not in page.content.decode()


def test_another_team_and_its_meetings_are_refused(world, ilt, client, partner_contact):
    other = Team.objects.create(
        school=world.school,
        school_year=current_year(world.district),
        kind=TeamKind.OTHER,
        name="Attendance team",
    )
    theirs = meeting(other)
    client.force_login(partner_contact)
    slug = world.school.slug
    assert (
        client.get(reverse("teams:team_detail", kwargs={"slug": slug, "pk": other.pk})).status_code
        == 403
    )
    for name in ("meeting_detail", "meeting_live", "meeting_print", "meeting_ics"):
        url = reverse(f"teams:{name}", kwargs={"slug": slug, "pk": theirs.pk})
        assert client.get(url).status_code in (403, 404), name


# The pages opened to seat holders; their own checks keep a partner to their team.
SEAT_HOLDER_PAGES = {
    "teams:team_detail",
    "teams:meeting_detail",
    "teams:meeting_live",
    "teams:meeting_print",
    "teams:meeting_ics",
    "teams:poll_vote",
}


def _school_pages():
    """(name, address) of every page under a school's address, ids filled with one that does
    not exist: the gate answers before any object is looked up."""

    def walk(patterns, prefix="", namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if route.startswith("schools/<slug:slug>/"):
                    address = re.sub(
                        r"<int:\w+>", "999999", route.replace("<slug:slug>", "lincoln")
                    )
                    address = re.sub(r"<(?:str|slug):\w+>", "x", address)
                    yield f"{namespace}{entry.name}", "/" + address

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_other_page_of_the_school_is_refused(world, ilt, client, partner_contact):
    pages = _school_pages()
    assert len(pages) > 100
    assert {name for name, _address in pages} >= SEAT_HOLDER_PAGES
    client.force_login(partner_contact)
    wrong = {}
    for name, address in pages:
        for method in ("get", "post"):
            status = getattr(client, method)(address).status_code
            expected = {404, 405} if name in SEAT_HOLDER_PAGES else {403, 405}
            if status not in expected:
                wrong[f"{method.upper()} {address}"] = status
    assert not wrong, f"a community partner was not refused: {wrong}"
    # The school itself, and the school of another district, are as closed.
    assert client.get(world.school.get_absolute_url()).status_code == 403
    assert client.get(world.other_school.get_absolute_url()).status_code == 404


def test_the_role_changes_nothing_for_a_person_who_also_works_at_the_school(world, ilt, client):
    Membership.objects.create(
        user=world.staff, district=world.district, school=world.school, role=Role.COMMUNITY_PARTNER
    )
    client.force_login(world.staff)
    assert client.get(world.school.get_absolute_url()).status_code == 200
