"""The Content-Security-Policy header: built once for the site, and exactly what django-csp
writes, for a plain page, a page with its own policy and a changed setting."""

import pytest
from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from leadership.middleware import ContentSecurityPolicyMiddleware, _site_policy

HEADER = "Content-Security-Policy"


def _both(request_path="/", **response_attrs):
    """(ours, django-csp's) header for the same request and response."""
    answers = []
    for middleware in (ContentSecurityPolicyMiddleware, CSPMiddleware):

        def view(request):
            response = HttpResponse("page")
            for name, value in response_attrs.items():
                setattr(response, name, value)
            return response

        request = RequestFactory().get(request_path)
        answers.append(middleware(view)(request))
    return answers


def test_a_plain_page_gets_the_policy_django_csp_builds():
    ours, theirs = _both()
    assert ours[HEADER] == theirs[HEADER]
    assert "default-src 'self'" in ours[HEADER]
    assert "Content-Security-Policy-Report-Only" not in ours


def test_a_page_with_its_own_policy_goes_through_django_csp():
    update = {"form-action": ["https://login.example.org"]}
    ours, theirs = _both(_csp_update=update)
    assert ours[HEADER] == theirs[HEADER]
    assert "form-action 'self' https://login.example.org" in ours[HEADER]


def test_an_exempt_page_gets_no_policy():
    ours, theirs = _both(_csp_exempt=True)
    assert HEADER not in ours and HEADER not in theirs


def test_a_changed_setting_is_the_policy_at_once():
    before = _site_policy()[0]
    changed = {
        "DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "https://img.example.org"]},
        "EXCLUDE_URL_PREFIXES": ["/excluded/"],
    }
    report_only = {"DIRECTIVES": {"default-src": [NONE]}}
    with override_settings(
        CONTENT_SECURITY_POLICY=changed, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only
    ):
        ours, theirs = _both()
        assert ours[HEADER] == theirs[HEADER]
        assert "https://img.example.org" in ours[HEADER]
        assert (
            ours[HEADER + "-Report-Only"]
            == theirs[HEADER + "-Report-Only"]
            == ("default-src 'none'")
        )
        ours, theirs = _both("/excluded/page")
        assert HEADER not in ours and HEADER not in theirs
    assert _site_policy()[0] == before


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    request = RequestFactory().get("/")
    ContentSecurityPolicyMiddleware(lambda r: HttpResponse())(request)
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)


@pytest.mark.django_db
def test_every_page_is_served_with_the_site_policy(client):
    response = client.get("/accounts/login/")
    assert response[HEADER] == _both()[1][HEADER]
