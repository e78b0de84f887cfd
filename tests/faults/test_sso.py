"""Single sign-on when the district's provider fails: a real OpenID Connect provider
(tests/oidc_provider, its own process) stopped before the button is pressed, stopped between
the person's sign-in there and the callback here, or hung (SIGSTOP) so that it never answers.

What must hold: the person lands back on the sign-in page with a plain message, within the
configured timeout, signed in as nobody; never a server error."""

from __future__ import annotations

import html
import os
import re
import signal
import time
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse

from leadership.models import SignOnProvider
from tests.oidc_provider import running

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

PEOPLE = [{"username": "sam", "email": "staff@example.org", "password": "provider-password-1"}]
TIMEOUT = 2  # SOCIALACCOUNT_REQUESTS_TIMEOUT in these tests; production's default is 5 s


@pytest.fixture
def provider(world, tmp_path):
    callback = f"http://testserver/accounts/oidc/district-{world.district.pk}/login/callback/"
    with running.oidc_provider(redirect_uri=callback, people=PEOPLE, workdir=tmp_path) as started:
        SignOnProvider.objects.create(
            district=world.district,
            kind=SignOnProvider.Kind.OPENID_CONNECT,
            label="Riverside accounts",
            client_id=started.client_id,
            secret=started.client_secret,
            server_url=started.issuer,
        )
        yield started


def _processes_on(port: int) -> list[int]:
    """The provider's server process (the one listening on `port`)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = open(f"/proc/{entry}/cmdline", "rb").read()  # noqa: SIM115
        except OSError:
            continue
        if b"tests.oidc_provider.serve" in cmdline:
            environ = open(f"/proc/{entry}/environ", "rb").read()  # noqa: SIM115
            if f"OIDC_PORT={port}".encode() in environ.split(b"\0"):
                pids.append(int(entry))
    return pids


def _kill_provider(port: int) -> None:
    """SIGKILL the provider and wait until it is gone: a killed process stays listed in /proc
    for a moment until the kernel has taken it down."""
    for pid in _processes_on(port):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _processes_on(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _processes_on(port), "the provider is still running after SIGKILL"


def _press_button(client):
    return client.post(
        reverse("leadership:sign_on_start", kwargs={"slug": "riverside", "kind": "openid_connect"})
    )


def _message(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def _sign_in_at_provider(authorize_url: str) -> str:
    """What a browser does at the provider: sign in, and be sent back with a code. Returns
    the callback address the provider sends the person to (not followed)."""
    session = requests.Session()
    login = session.get(authorize_url, timeout=5)
    assert login.status_code == 200, login.text

    def field(name: str) -> str:
        return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', login.text).group(1))

    answer = session.post(
        login.url,
        data={
            "csrfmiddlewaretoken": field("csrfmiddlewaretoken"),
            "username": "sam",
            "password": "provider-password-1",
            "next": field("next"),
        },
        allow_redirects=False,
        timeout=5,
    )
    for _hop in range(5):
        location = answer.headers.get("Location", "")
        if "/login/callback/" in location:
            return location
        assert answer.status_code in (301, 302, 303), answer.text
        answer = session.get(urljoin(answer.url, location), allow_redirects=False, timeout=5)
    raise AssertionError("the provider did not send the person back with a code")


def test_provider_down_when_the_button_is_pressed(client, world, provider):
    _kill_provider(provider.port)

    response = _press_button(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "could not reach Riverside accounts" in _message(response)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session


@override_settings(SOCIALACCOUNT_REQUESTS_TIMEOUT=TIMEOUT)
def test_provider_hung_when_the_button_is_pressed_answers_within_the_timeout(
    client, world, provider
):
    pids = _processes_on(provider.port)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = _press_button(client)
        took = time.monotonic() - started
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert response.status_code == 302
    assert "could not reach Riverside accounts" in _message(response)
    assert took < TIMEOUT * 3, f"the sign-in page waited {took:.1f} s for a hung provider"


def test_provider_down_between_its_sign_in_and_the_callback(client, world, provider):
    redirect = _press_button(client)
    assert redirect.status_code == 302
    assert redirect["Location"].startswith(provider.issuer)
    callback = _sign_in_at_provider(redirect["Location"])

    _kill_provider(provider.port)

    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "did not work" in _message(response)
    assert "_auth_user_id" not in client.session
    assert not world.staff.socialaccount_set.exists()


def test_the_whole_exchange_works_while_the_provider_is_up(client, world, provider):
    """The same steps with nothing stopped sign the person in: the faults above are what
    make the difference."""
    redirect = _press_button(client)
    callback = _sign_in_at_provider(redirect["Location"])
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.staff.pk)
