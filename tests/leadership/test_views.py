"""The leadership pages as people use them: home, vision in place, people and invitations."""

import re

import pytest
from django.urls import reverse

from leadership import services, tokens
from leadership.models import Invitation, Membership, Role, User
from tests.leadership.factories import InvitationFactory, MembershipFactory, UserFactory

HX = {"HTTP_HX_REQUEST": "true"}


def _version(world) -> str:
    return services.school_vision_version(world.school)


@pytest.mark.parametrize(
    ("role", "where"),
    [
        ("district_admin", "/districts/riverside/dashboard/"),
        ("principal", "/schools/lincoln/"),
        ("teacher_leader", "/schools/lincoln/"),
        ("staff", "/schools/lincoln/"),
        ("family", "/family/"),
    ],
)
def test_home_sends_each_person_where_their_work_is(world, client_for, role, where):
    response = client_for(world.user(role)).get("/")
    assert response.status_code == 302
    assert response["Location"] == where


def test_home_tells_a_person_without_a_role_what_to_do(db, client_for):
    response = client_for(UserFactory()).get("/")
    assert response.status_code == 200
    assert "no role in a school yet" in response.text


def test_school_page_shows_the_vision_and_an_edit_button_to_the_principal_only(world, client_for):
    world.school.vision_statement = "Every child reads."
    world.school.save()
    page = client_for(world.principal).get("/schools/lincoln/").text
    assert "Every child reads." in page
    assert "Edit the vision" in page
    page = client_for(world.staff).get("/schools/lincoln/").text
    assert "Every child reads." in page
    assert "Edit the vision" not in page


def test_vision_edit_in_place_returns_only_the_form(world, client_for):
    response = client_for(world.principal).get("/schools/lincoln/vision/", **HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'name="vision_statement"' in response.text
    assert "HX-Request" in {name.strip() for name in response["Vary"].split(",")}


def test_vision_save_in_place_returns_the_new_statement(world, client_for):
    response = client_for(world.principal).post(
        "/schools/lincoln/vision/",
        {"vision_statement": "We lead together.", "version": _version(world)},
        **HX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "We lead together." in response.text
    world.school.refresh_from_db()
    assert world.school.vision_statement == "We lead together."


def test_the_vision_is_written_in_each_language_and_families_read_their_own(world, client_for):
    response = client_for(world.principal).post(
        "/schools/lincoln/vision/",
        {
            "vision_statement": "Every child reads.",
            "vision_es": "Cada niño lee.",
            "version": _version(world),
        },
    )
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert world.school.vision_translations == {"es": "Cada niño lee."}

    world.family.preferred_language = "es"
    world.family.save(update_fields=["preferred_language"])
    page = client_for(world.family).get("/family/").text
    assert '<p class="vision" lang="es">Cada niño lee.</p>' in page
    assert "Every child reads." not in page
    page = client_for(world.staff).get("/schools/lincoln/").text
    assert "Every child reads." in page and "Cada niño lee." not in page
    form = client_for(world.principal).get("/schools/lincoln/vision/").text
    assert 'name="vision_es"' in form and "Cada niño lee." in form


def test_an_over_long_vision_re_renders_in_place_with_the_input_kept(world, client_for):
    world.school.vision_statement = "Old"
    world.school.save()
    too_long = "word " * 900  # 4,500 characters
    response = client_for(world.principal).post(
        "/schools/lincoln/vision/",
        {"vision_statement": too_long, "version": _version(world)},
        **HX,
    )
    assert response.status_code == 200
    assert "The vision statement was not saved" in response.text
    assert "Ensure this value has at most 4000 characters" in response.text
    assert too_long.strip() in response.text
    assert 'aria-invalid="true"' in response.text
    world.school.refresh_from_db()
    assert world.school.vision_statement == "Old"


def test_vision_save_without_javascript_redirects_with_a_message(world, client_for):
    client = client_for(world.principal)
    response = client.post(
        "/schools/lincoln/vision/",
        {"vision_statement": "Plain form.", "version": _version(world)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/schools/lincoln/"
    assert "The vision statement was saved." in response.text


def test_principal_invites_a_family_and_the_email_goes_out(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.principal).post(
            "/schools/lincoln/people/invite/",
            {
                "email": "parent@example.org",
                "full_name": "Pat Parent",
                "role": "family",
                "language": "en",
            },
            **HX,
        )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/schools/lincoln/people/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.school) == (
        "parent@example.org",
        Role.FAMILY,
        world.school,
    )
    assert mailoutbox[0].to == ["parent@example.org"]
    page = client_for(world.principal).get("/schools/lincoln/people/").text
    assert "parent@example.org" in page
    assert "Pending" in page


def test_a_bad_invitation_re_renders_in_place_with_the_input_kept(world, client_for, mailoutbox):
    response = client_for(world.principal).post(
        "/schools/lincoln/people/invite/",
        {"email": "not-an-address", "full_name": "Kept Name", "role": "staff", "language": "en"},
        **HX,
    )
    assert response.status_code == 200
    assert "The invitation was not sent" in response.text
    assert "Enter a valid email address." in response.text
    assert 'value="Kept Name"' in response.text
    assert 'value="not-an-address"' in response.text
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_principal_cannot_invite_to_a_role_they_do_not_offer(world, client_for):
    response = client_for(world.principal).post(
        "/schools/lincoln/people/invite/",
        {"email": "x@example.org", "role": "district_admin", "language": "en"},
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not Invitation.objects.exists()


def test_people_page_lists_members_in_a_constant_number_of_queries(
    world, client_for, django_assert_num_queries
):
    for _ in range(30):
        MembershipFactory(school=world.school, role=Role.FAMILY)
    for _ in range(10):
        InvitationFactory(school=world.school, invited_by=world.principal)
    client = client_for(world.principal)
    # 5: the session with the person, their roles and menu, the page's own reads, and the
    # families' grades in one query for all members at once.
    with django_assert_num_queries(5):
        response = client.get("/schools/lincoln/people/")
    assert response.status_code == 200
    assert response.text.count("<tr>") == 34 + 1 + 10 + 1  # members and invitations, with headers


def test_district_page_lists_schools_in_a_constant_number_of_queries(
    world, client_for, django_assert_num_queries
):
    from tests.leadership.factories import SchoolFactory

    for _ in range(25):
        school = SchoolFactory(district=world.district)
        MembershipFactory(school=school, role=Role.PRINCIPAL)
    client = client_for(world.district_admin)
    with django_assert_num_queries(5):
        response = client.get("/districts/riverside/")
    assert response.status_code == 200
    assert "27 schools" in response.text


# --- accepting an invitation ----------------------------------------------------------


def accept_url(invitation) -> str:
    return reverse("leadership:invitation_accept", kwargs={"token": tokens.make_token(invitation)})


def test_new_staff_accept_choose_a_password_and_land_at_their_school(world, client):
    invitation = InvitationFactory(school=world.school, role=Role.STAFF, email="new@example.org")
    page = client.get(accept_url(invitation)).text
    assert "Choose a password" in page
    response = client.post(
        accept_url(invitation),
        {
            "full_name": "Nia New",
            "password1": "lincoln-garden-42",
            "password2": "lincoln-garden-42",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/schools/lincoln/"
    assert "Welcome to Lincoln Elementary." in response.text
    user = User.objects.get(email="new@example.org")
    assert Membership.objects.filter(user=user, school=world.school, role=Role.STAFF).exists()


def test_mismatched_passwords_change_nothing_and_keep_the_name(world, client):
    invitation = InvitationFactory(school=world.school, role=Role.STAFF, email="new@example.org")
    response = client.post(
        accept_url(invitation),
        {
            "full_name": "Nia New",
            "password1": "lincoln-garden-42",
            "password2": "lincoln-garden-43",
        },
    )
    assert response.status_code == 200
    assert "The two passwords do not match." in response.text
    assert 'value="Nia New"' in response.text
    assert not User.objects.filter(email="new@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_family_accepts_without_a_password_and_lands_on_its_page(world, client):
    invitation = InvitationFactory(school=world.school, role=Role.FAMILY, email="fam@example.org")
    page = client.get(accept_url(invitation)).text
    assert "No password needed" in page
    assert 'name="password1"' not in page
    response = client.post(accept_url(invitation), {"full_name": "Kim Family"}, follow=True)
    assert response.redirect_chain[-1][0] == "/family/"
    assert "Lincoln Elementary" in response.text


def test_a_family_that_picks_its_language_on_the_invitation_keeps_it(world, client):
    """The invitation went out in English; the parent switches the page to Vietnamese and
    accepts: the account is in Vietnamese, and so is the family page."""
    invitation = InvitationFactory(
        school=world.school, role=Role.FAMILY, email="fam@example.org", language="en"
    )
    client.post("/language/", {"language": "vi", "next": accept_url(invitation)})
    assert '<html lang="vi">' in client.get(accept_url(invitation)).text
    response = client.post(accept_url(invitation), {"full_name": "Kim Family"}, follow=True)
    assert response.redirect_chain[-1][0] == "/family/"
    assert '<html lang="vi">' in response.text
    assert User.objects.get(email="fam@example.org").preferred_language == "vi"


def test_a_used_link_says_so_and_changes_nothing(world, client):
    invitation = InvitationFactory(school=world.school, role=Role.FAMILY, email="fam@example.org")
    client.post(accept_url(invitation), {"full_name": "Kim Family"})
    client.logout()
    response = client.post(accept_url(invitation), {"full_name": "Somebody Else"})
    assert response.status_code == 410
    assert "already been used" in response.text
    assert User.objects.get(email="fam@example.org").full_name == "Kim Family"


def test_an_expired_link_says_whom_to_ask(world, client):
    from datetime import timedelta

    from django.utils import timezone

    invitation = InvitationFactory(
        school=world.school,
        invited_by=world.principal,
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert "has expired" in response.text
    assert world.principal.email in response.text


def test_a_forged_or_mangled_link_is_not_found(world, client):
    invitation = InvitationFactory(school=world.school)
    token = tokens.make_token(invitation)
    assert client.get(f"/invitations/{token[:-2]}xx/").status_code == 404
    assert client.get("/invitations/nonsense/").status_code == 404


def test_an_existing_person_accepts_and_is_asked_to_sign_in(world, client):
    invitation = InvitationFactory(
        school=world.other_school, role=Role.FAMILY, email=world.staff.email
    )
    response = client.post(accept_url(invitation), follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Sign in to continue" in response.text
    assert Membership.objects.filter(user=world.staff, school=world.other_school).exists()


def test_a_link_opened_while_signed_in_as_someone_else_changes_nothing(world, client_for):
    invitation = InvitationFactory(school=world.school, email="someone@example.org")
    response = client_for(world.staff).post(accept_url(invitation), {"full_name": "X"})
    assert "Sign out, then open the link again." in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_withdrawing_an_invitation_makes_its_link_stop_working(world, client_for):
    invitation = InvitationFactory(school=world.school, invited_by=world.principal)
    response = client_for(world.principal).post(
        reverse("leadership:invitation_revoke", kwargs={"pk": invitation.pk}), follow=True
    )
    assert f"The invitation to {invitation.email} was withdrawn." in response.text
    client_for(None)
    response = client_for(None).get(accept_url(invitation))
    assert response.status_code == 410
    assert "withdrawn" in response.text


# --- language -------------------------------------------------------------------------


def test_switching_language_keeps_it_for_a_signed_in_person(world, client_for):
    client = client_for(world.family)
    response = client.post("/language/", {"language": "es", "next": "/family/"})
    assert response["Location"] == "/family/"
    world.family.refresh_from_db()
    assert world.family.preferred_language == "es"
    page = client.get("/family/").text
    assert '<html lang="es">' in page


def test_switching_language_refuses_an_outside_next(db, client):
    response = client.post("/language/", {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies["accord_language"].value == "es"


def test_pages_speak_the_persons_language(world, client_for):
    world.family.preferred_language = "es"
    world.family.save()
    page = client_for(world.family).get("/family/").text
    assert re.search(r"<h1>Bienvenid", page)


def test_people_are_listed_principals_first_families_last(world, client_for):
    page = client_for(world.principal).get("/schools/lincoln/people/").text
    positions = [
        page.index(label)
        for label in ("Principal</td>", "Teacher leader</td>", "Staff</td>", "Family</td>")
    ]
    assert positions == sorted(positions)


def test_a_person_made_by_a_roster_import_chooses_a_password_when_accepting(world, client):
    imported = UserFactory(email="imported@example.org", full_name="")
    imported.set_unusable_password()
    imported.save()
    invitation = InvitationFactory(school=world.school, role=Role.STAFF, email=imported.email)
    assert "Choose a password" in client.get(accept_url(invitation)).text
    response = client.post(
        accept_url(invitation),
        {
            "full_name": "Ima Ported",
            "password1": "lincoln-garden-42",
            "password2": "lincoln-garden-42",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/schools/lincoln/"
    imported.refresh_from_db()
    assert imported.check_password("lincoln-garden-42")
    assert imported.full_name == "Ima Ported"
    assert User.objects.filter(email="imported@example.org").count() == 1
