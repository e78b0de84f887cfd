"""The rate limit counts each token's requests per minute in one round trip to Redis, the same
count the cache's add-then-incr gave; any other cache counts as before, and a Redis that
cannot be reached lets requests through."""

import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches

from api import api as routes
from tests.api.test_views import _error, _get

pytestmark = pytest.mark.django_db

REDIS = pytest.mark.skipif(
    "redis" not in django_settings.CACHES["default"]["BACKEND"].lower(),
    reason="the cache is Redis only when REDIS_URL is set",
)


@REDIS
def test_redis_counts_each_window_once_and_expires_it(api_world):
    backend = caches["default"]
    token = api_world.tokens["read"]
    key = f"api-rate:{token.pk}:{int(time.time() // 60)}"
    backend.delete(key)
    counts = [routes._counted(key) for _ in range(3)]
    assert counts == [1, 2, 3]
    # The counter reads back through the cache as the number it is, and expires.
    assert backend.get(key) == 3
    ttl = backend.ttl(key)
    assert 0 < ttl <= 120


@REDIS
def test_redis_limit_is_per_token(api_world, client, settings):
    caches["default"].clear()
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    for _ in range(2):
        assert _get(client, api_world, "/goals/", "read").status_code == 200
    response = _get(client, api_world, "/goals/", "read")
    _error(response, 429, "rate_limited")
    assert response["Retry-After"].isdigit()
    assert _get(client, api_world, "/goals/", "all").status_code == 200


def test_another_cache_counts_as_before(api_world, client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    for _ in range(2):
        assert _get(client, api_world, "/schools/", "read").status_code == 200
    _error(_get(client, api_world, "/schools/", "read"), 429, "rate_limited")


def test_an_unreachable_redis_lets_requests_through(api_world, client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
        }
    }
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    for _ in range(3):
        assert _get(client, api_world, "/events/", "read").status_code == 200
    assert "Exception ignored" in caplog.text
