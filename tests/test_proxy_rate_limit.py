"""Behind the TLS proxy, sign-in rate limits count per client, not for the whole proxy."""

import pytest

pytestmark = pytest.mark.django_db


def test_one_client_hitting_the_limit_does_not_lock_out_the_others(client, world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what production runs with (DEBUG=0)

    def sign_in(address: str) -> int:
        response = client.post(
            "/accounts/login/",
            {"login": world.principal.email, "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # every request comes from the proxy
            HTTP_X_FORWARDED_FOR=f"203.0.113.9, {address}",  # a spoofed entry, then the proxy's
        )
        return response.status_code

    statuses = [sign_in("198.51.100.23") for _ in range(31)]
    assert statuses[-1] == 429  # this client: 30 sign-in attempts a minute
    assert sign_in("198.51.100.99") != 429  # another family behind the same proxy
