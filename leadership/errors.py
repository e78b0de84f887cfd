"""Error pages Django answers before any view runs: a request too large or with too many parts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.template import loader

from leadership.uploads import size_label


def bad_request(request, exception, template_name: str = "400.html") -> HttpResponse:
    """handler400. Says which limit was passed and what to do, in the person's language (the
    middleware has activated it by the time the body is read). Rendered without the request:
    no context processor runs, so the page needs no session, user or database."""
    status, context = 400, {"reason": "bad"}
    if isinstance(exception, RequestDataTooBig):
        status = 413  # Content Too Large: the same request will fail again
        context = {
            "reason": "too_big",
            "limit": size_label(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        }
    elif isinstance(exception, TooManyFieldsSent):
        context = {"reason": "too_many_fields", "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    elif isinstance(exception, TooManyFilesSent):
        status = 413
        context = {"reason": "too_many_files", "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    return HttpResponse(loader.render_to_string(template_name, context), status=status)
