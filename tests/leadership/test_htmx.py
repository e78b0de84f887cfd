"""The one answer to "is this a partial request", for every kind of request htmx sends."""

import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from leadership.htmx import is_partial


def _request(**headers):
    request = RequestFactory().get("/", headers=headers)
    HtmxMiddleware(lambda r: None)(request)
    return request


@pytest.mark.parametrize(
    ("headers", "target", "partial"),
    [
        ({}, None, False),  # a page load
        ({"HX-Request": "true"}, None, True),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, None, False),
        ({"HX-Request": "true", "HX-Boosted": "true"}, None, False),  # htmx swaps the body
        ({"HX-Request": "true", "HX-Target": "results"}, "results", True),
        ({"HX-Request": "true", "HX-Target": "other"}, "results", False),
        ({"HX-Target": "results"}, "results", False),  # not sent by htmx
    ],
)
def test_is_partial(headers, target, partial):
    assert is_partial(_request(**headers), target=target) is partial
