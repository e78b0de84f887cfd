"""The district admin's page of API tokens, and the JSON 404 of unknown API addresses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from leadership.htmx import apply_form_errors
from leadership.models import District
from leadership.permissions import district_view

from . import services
from .forms import TokenForm
from .models import ApiToken

SHOW_ONCE = "api_token_created"


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view()
def tokens(request: HttpRequest, district: District) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                actor=request.user, district=district, **form.cleaned_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            # Shown on the page the redirect leads to, then dropped: a reload neither makes a
            # second token nor shows the secret again.
            request.session[SHOW_ONCE] = {"id": token.pk, "secret": secret}
            return redirect("api:tokens", slug=district.slug)
    shown = request.session.pop(SHOW_ONCE, None) if request.method == "GET" else None
    rows = ApiToken.objects.filter(district=district).select_related("created_by", "revoked_by")
    created = next((t for t in rows if shown and t.pk == shown["id"]), None)
    return render(
        request,
        "api/tokens.html",
        {
            "district": district,
            "form": form,
            "tokens": rows,
            "created": created,
            "secret": shown["secret"] if created else None,
        },
    )


@login_required
@require_POST
@district_view()
def token_revoke(request: HttpRequest, district: District, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, district=district, pk=pk)
    try:
        services.token_revoke(actor=request.user, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api:tokens", slug=district.slug)


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(
        {"error": {"code": "not_found", "message": "No such API address.", "details": None}},
        status=404,
    )
