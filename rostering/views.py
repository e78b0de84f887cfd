"""Pages of rostering: upload an export, read its preview, apply it, invite the new people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from leadership.models import District
from leadership.permissions import district_view, is_district_admin
from leadership.uploads import refused_uploads, upload_limit
from leadership.views import HtmxHttpRequest, is_partial

from . import selectors, services
from .forms import RosterInviteForm, RosterUploadForm, SisConnectionForm
from .models import RosterImport, SisConnection

COUNT_ROWS = [
    ("schools", "Schools"),
    ("school_years", "School years"),
    ("people", "People"),
    ("memberships", "Roles"),
]


def _list_context(request, district: District, form=None, invite_form=None) -> dict:
    return {
        "district": district,
        "imports": selectors.roster_imports(user=request.user, district=district),
        "form": form or RosterUploadForm(),
        "invite_form": invite_form or RosterInviteForm(district=district),
        "new_people": selectors.new_people_count(user=request.user, district=district),
    }


@upload_limit("roster")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view(is_district_admin)
def roster_imports(request: HtmxHttpRequest, district: District) -> HttpResponse:
    form = RosterUploadForm()
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES, refused=refused_uploads(request))
        if form.is_valid():
            try:
                roster_import = services.roster_import_create(
                    district=district, actor=request.user, files=form.cleaned_data["files"]
                )
            except ValidationError as error:
                form.add_error("files", error)
            else:
                url = reverse(
                    "rostering:import_detail",
                    kwargs={"slug": district.slug, "pk": roster_import.pk},
                )
                if is_partial(request):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
        if is_partial(request):
            return render(
                request,
                "rostering/import_list.html#upload-form",
                {"district": district, "form": form},
            )
    return render(request, "rostering/import_list.html", _list_context(request, district, form))


def _table(counts: dict) -> list[dict]:
    labels = {
        "schools": _("Schools"),
        "school_years": _("School years"),
        "people": _("People"),
        "memberships": _("Roles"),
    }
    return [
        {
            "label": labels[key],
            "created": counts.get(f"{key}_created", 0),
            "updated": counts.get(f"{key}_updated", 0) + counts.get(f"{key}_reactivated", 0),
            "deactivated": counts.get(f"{key}_deactivated", 0),
        }
        for key, _label in COUNT_ROWS
    ]


def _get_import(request, district: District, pk: int) -> RosterImport:
    roster_import = selectors.roster_import(user=request.user, district=district, pk=pk)
    if roster_import is None:
        raise Http404
    return roster_import


def _detail_context(
    request, district: District, roster_import: RosterImport, apply_error: str = ""
) -> dict:
    Status = RosterImport.Status
    counts = (
        roster_import.counts
        if roster_import.status == Status.APPLIED
        else roster_import.preview_counts
    )
    return {
        "district": district,
        "roster_import": roster_import,
        "progress": services.progress_of(roster_import),
        "table": _table(counts),
        "students": counts.get("students", 0),
        "problems": services.problem_rows(roster_import.problems),
        "stored_all": len(roster_import.problems)
        >= roster_import.error_count + roster_import.warning_count,
        "can_apply": roster_import.status in {Status.READY, Status.FAILED},
        "apply_error": apply_error,
        "invite_form": RosterInviteForm(district=district),
    }


@login_required
@require_safe
@vary_on_headers("HX-Request")
@district_view(is_district_admin)
def roster_import_detail(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    roster_import = _get_import(request, district, pk)
    context = _detail_context(request, district, roster_import)
    if is_partial(request):
        return render(request, "rostering/import_detail.html#import-status", context)
    return render(request, "rostering/import_detail.html", context)


@login_required
@require_POST
@district_view(is_district_admin)
def roster_import_apply(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    roster_import = _get_import(request, district, pk)
    apply_error = ""
    try:
        services.roster_import_queue_apply(roster_import=roster_import, actor=request.user)
    except ValidationError as error:
        apply_error = " ".join(error.messages)
    url = reverse("rostering:import_detail", kwargs={"slug": district.slug, "pk": pk})
    if is_partial(request):
        roster_import.refresh_from_db()
        return render(
            request,
            "rostering/import_detail.html#import-status",
            _detail_context(request, district, roster_import, apply_error),
        )
    if apply_error:
        messages.error(request, apply_error)
    return redirect(url)


@login_required
@require_safe
@district_view(is_district_admin)
def roster_import_problems(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    roster_import = _get_import(request, district, pk)
    response = HttpResponse(services.problems_csv(roster_import), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="roster-import-{pk}-problems.csv"'
    return response


@login_required
@require_POST
@district_view(is_district_admin)
def roster_invite(request: HtmxHttpRequest, district: District) -> HttpResponse:
    form = RosterInviteForm(request.POST, district=district)
    if form.is_valid():
        school = form.cleaned_data["school"]
        services.roster_invitations_queue(district=district, actor=request.user, school=school)
        messages.success(
            request,
            _("Invitations are on their way to the new people of %(place)s.")
            % {"place": school or district},
        )
        return redirect("rostering:imports", slug=district.slug)
    return render(
        request,
        "rostering/import_list.html",
        _list_context(request, district, invite_form=form),
    )


def _sis_context(request, district: District, form=None, sync_error: str = "") -> dict:
    connection = SisConnection.objects.filter(district=district).first()
    if form is None:
        initial = (
            {
                "base_url": connection.base_url,
                "token_url": connection.token_url,
                "version": connection.version,
                "client_id": connection.client_id,
                "nightly": connection.nightly,
            }
            if connection
            else {"nightly": True}
        )
        form = SisConnectionForm(
            initial=initial, has_secret=bool(connection and services.sis_secret(connection))
        )
    syncs = selectors.sis_syncs(user=request.user, district=district)
    return {
        "district": district,
        "connection": connection,
        "form": form,
        "syncs": syncs,
        "sync_error": sync_error,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view(is_district_admin)
def sis_connection(request: HtmxHttpRequest, district: District) -> HttpResponse:
    """Connect the district's information system (OneRoster REST) and see its last syncs."""
    if request.method == "POST":
        connection = SisConnection.objects.filter(district=district).first()
        form = SisConnectionForm(
            request.POST, has_secret=bool(connection and services.sis_secret(connection))
        )
        if form.is_valid():
            try:
                services.sis_connection_save(
                    district=district, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The connection was saved."))
                return redirect("rostering:sis", slug=district.slug)
        return render(request, "rostering/sis.html", _sis_context(request, district, form))
    return render(request, "rostering/sis.html", _sis_context(request, district))


@login_required
@require_POST
@district_view(is_district_admin)
def sis_sync(request: HtmxHttpRequest, district: District) -> HttpResponse:
    """Sync now: what changed since the last sync, or everything with full=1."""
    try:
        roster_import = services.roster_sync_start(
            district=district, actor=request.user, full=request.POST.get("full") == "1"
        )
    except ValidationError as error:
        context = _sis_context(request, district, sync_error=" ".join(error.messages))
        return render(request, "rostering/sis.html", context, status=409)
    return redirect("rostering:import_detail", slug=district.slug, pk=roster_import.pk)
