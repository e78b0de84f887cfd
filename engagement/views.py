"""Family pages of the engagement app."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from leadership.selectors import family_schools


@login_required
@require_GET
def family_home(request: HttpRequest) -> HttpResponse:
    """A family's page: its children's schools and, as they are published, their events."""
    schools = list(family_schools(user=request.user))
    if not schools:
        raise PermissionDenied
    return render(request, "engagement/family_home.html", {"schools": schools})
