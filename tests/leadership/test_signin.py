"""Signing in: staff with a password, families with an e-mailed code; limits and resets."""

import re

import pytest

from leadership.adapters import INCORRECT_CODE, TOO_MANY_ATTEMPTS
from tests.leadership.factories import PASSWORD


def code_from(message) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_staff_sign_in_with_a_password_and_land_at_their_school(world, client):
    response = client.post(
        "/accounts/login/", {"login": "PRINCIPAL@example.org", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/schools/lincoln/"


def test_a_wrong_password_says_so_and_signs_nobody_in(world, client):
    response = client.post(
        "/accounts/login/", {"login": "principal@example.org", "password": "nope"}
    )
    assert response.status_code == 200
    assert "not correct" in response.text
    assert "_auth_user_id" not in client.session


@pytest.fixture
def family_without_password(world):
    world.family.set_unusable_password()
    world.family.save()
    return world.family


def test_a_family_signs_in_with_an_emailed_code(family_without_password, client, mailoutbox):
    response = client.post("/accounts/login/code/", {"email": "family@example.org"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/code/confirm/"
    assert len(mailoutbox) == 1
    response = client.post(
        "/accounts/login/code/confirm/", {"code": code_from(mailoutbox[0])}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/family/"
    assert int(client.session["_auth_user_id"]) == family_without_password.pk


def test_the_code_email_speaks_the_familys_language(family_without_password, client, mailoutbox):
    family_without_password.preferred_language = "es"
    family_without_password.save()
    client.post("/accounts/login/code/", {"email": "family@example.org"})
    assert "código" in mailoutbox[0].body.lower()


def _answer(client, url: str, email: str):
    response = client.post(url, {"email": email}, follow=True)
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.text)
    page = page.replace(email, "ADDRESS")
    return [url for url, _ in response.redirect_chain], page


def test_an_unknown_address_gets_the_same_answer_as_a_known_one(
    family_without_password, client, mailoutbox
):
    known = _answer(client, "/accounts/login/code/", "family@example.org")
    client.logout()
    unknown = _answer(client, "/accounts/login/code/", "nobody@example.org")
    assert known[0] == unknown[0] == ["/accounts/login/code/confirm/"]
    assert "If ADDRESS has an account, a sign-in code is on its way to it." in unknown[1]
    assert known[1].split("<main", 1)[1] == unknown[1].split("<main", 1)[1]
    # The known address gets its code; the unknown one a note that no account uses it.
    assert [m.to for m in mailoutbox] == [["family@example.org"], ["nobody@example.org"]]
    assert code_from(mailoutbox[0])
    assert "no account uses this address" in mailoutbox[1].body
    assert not re.search(r"^\s*[A-Z0-9]{4}-[A-Z0-9]{4}\s*$", mailoutbox[1].body, re.MULTILINE)
    # Whatever code is tried for the unknown address, nobody is signed in.
    response = client.post("/accounts/login/code/confirm/", {"code": "BCDF-GHJK"})
    assert str(INCORRECT_CODE) in response.text.replace("&#x27;", "'")
    assert "_auth_user_id" not in client.session


def test_code_requests_for_an_unknown_address_are_rate_limited_too(world, client, mailoutbox):
    for _ in range(3):
        client.post("/accounts/login/code/", {"email": "nobody@example.org"})
        client.logout()
    response = client.post("/accounts/login/code/", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "Too many" in response.text
    assert len(mailoutbox) == 3


def test_a_password_reset_for_an_unknown_address_looks_like_any_other(world, client, mailoutbox):
    known = _answer(client, "/accounts/password/reset/", "staff@example.org")
    unknown = _answer(client, "/accounts/password/reset/", "nobody@example.org")
    assert known[0] == unknown[0] == ["/accounts/password/reset/done/"]
    assert known[1].split("<main", 1)[1] == unknown[1].split("<main", 1)[1]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert "no account uses this address" in mailoutbox[1].body


def test_a_wrong_code_is_refused_and_the_code_dies_after_three_tries(
    family_without_password, client, mailoutbox
):
    client.post("/accounts/login/code/", {"email": "family@example.org"})
    right = code_from(mailoutbox[0])
    wrong = "AAAA-AAAA" if right != "AAAA-AAAA" else "BBBB-BBBB"
    response = client.post("/accounts/login/code/confirm/", {"code": wrong})
    assert response.status_code == 200
    assert str(INCORRECT_CODE) in response.text.replace("&#x27;", "'")
    for _ in range(2):
        response = client.post("/accounts/login/code/confirm/", {"code": wrong})
    # After the last allowed attempt the code is gone: even the right one no longer works.
    response = client.post("/accounts/login/code/confirm/", {"code": right}, follow=True)
    assert "_auth_user_id" not in client.session
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_failed_password_logins_are_rate_limited(world, client):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "principal@example.org", "password": "nope"})
    response = client.post(
        "/accounts/login/", {"login": "principal@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert str(TOO_MANY_ATTEMPTS) in response.text


def test_password_reset_by_email_link(world, client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "staff@example.org"}, follow=True)
    assert response.status_code == 200
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", mailoutbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url,
        {"password1": "brand-new-garden-7", "password2": "brand-new-garden-7"},
        follow=True,
    )
    assert "password is now changed" in response.text.lower()
    world.staff.refresh_from_db()
    assert world.staff.check_password("brand-new-garden-7")


def test_nobody_signs_up_without_an_invitation(db, client):
    response = client.get("/accounts/signup/")
    assert "Accounts are made by invitation" in response.text
    response = client.post(
        "/accounts/signup/", {"email": "walk-in@example.org", "password1": "x-long-password-1"}
    )
    from leadership.models import User

    assert not User.objects.filter(email="walk-in@example.org").exists()


def test_a_language_chosen_before_signing_in_is_kept_and_saved(
    family_without_password, client, mailoutbox
):
    """A Spanish-speaking parent picks Spanish on the sign-in page of a phone whose account
    still says English: the code e-mail is in Spanish, and so is every page after sign-in."""
    assert family_without_password.preferred_language == "en"
    client.post("/language/", {"language": "es", "next": "/accounts/login/code/"})
    page = client.get("/accounts/login/code/").text
    assert '<html lang="es">' in page

    client.post("/accounts/login/code/", {"email": "family@example.org"})
    assert "código" in mailoutbox[0].body.lower()
    response = client.post(
        "/accounts/login/code/confirm/", {"code": code_from(mailoutbox[0])}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/family/"
    assert '<html lang="es">' in response.text
    family_without_password.refresh_from_db()
    assert family_without_password.preferred_language == "es"
