"""Pages of the leadership app: home, district, school, people, invitations, language."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from . import clock, edits, mywork, selectors, services, sso, tokens
from . import grades as grade_codes
from .forms import AcceptInvitationForm, FamilyGradesForm, InvitationForm, LanguageForm, VisionForm
from .htmx import HtmxHttpRequest, is_partial
from .htmx import apply_form_errors as _apply_form_errors
from .languages import chosen_language
from .models import (
    OUTSIDE_ROLES,
    District,
    Grade,
    Invitation,
    Membership,
    Role,
    School,
    SignOnProvider,
    User,
)
from .permissions import (
    can_edit_school,
    can_invite,
    can_invite_district_admin,
    can_set_family_grades,
    can_view_people,
    district_view,
    enter_district,
    enter_school,
    invitable_roles,
    is_district_admin,
    school_view,
)


@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "leadership/welcome.html")
    url = selectors.home_url(request.user)
    if url:
        return redirect(url)
    return render(request, "leadership/no_role.html")


@login_required
@require_safe
def my_work(request: HtmxHttpRequest) -> HttpResponse:
    """Everything the person has to do, from every app, on one page."""
    today = clock.today()
    return render(
        request,
        "leadership/my_work.html",
        {"sections": mywork.sections(user=request.user, today=today), "today": today},
    )


# --- district -------------------------------------------------------------------------


@login_required
@require_safe
@district_view()
def district_detail(request: HtmxHttpRequest, district: District) -> HttpResponse:
    return render(
        request,
        "leadership/district_detail.html",
        {
            "district": district,
            "schools": selectors.district_schools(user=request.user, district=district),
            "admins": selectors.district_admins(user=request.user, district=district),
            "invitations": selectors.district_invitations(user=request.user, district=district),
            "form": InvitationForm(
                roles=[Role.DISTRICT_ADMIN], initial={"language": get_language()}
            ),
        },
    )


@login_required
@require_POST
@district_view(can_invite_district_admin)
def district_invite(request: HtmxHttpRequest, district: District) -> HttpResponse:
    form = InvitationForm(request.POST, roles=[Role.DISTRICT_ADMIN])
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, district=district, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            if is_partial(request):
                return HttpResponseClientRedirect(district.get_absolute_url())
            return redirect(district)
    context = {"district": district, "form": form}
    if is_partial(request):
        return render(request, "leadership/district_detail.html#invite-form", context)
    context.update(
        schools=selectors.district_schools(user=request.user, district=district),
        admins=selectors.district_admins(user=request.user, district=district),
        invitations=selectors.district_invitations(user=request.user, district=district),
    )
    return render(request, "leadership/district_detail.html", context)


# --- school ---------------------------------------------------------------------------


def _school_context(request, school: School, **extra) -> dict:
    vision, vision_language = school.vision_in(get_language())
    return {
        "school": school,
        "vision": vision,
        "vision_language": vision_language,
        "can_edit": can_edit_school(request.user, school),
        "can_view_people": can_view_people(request.user, school),
        "can_invite": can_invite(request.user, school),
        "can_see_dashboard_row": can_edit_school(request.user, school)
        or is_district_admin(request.user, school.district_id),
        "role_counts": selectors.school_role_counts(school=school),
        **extra,
    }


@login_required
@require_safe
@vary_on_headers("HX-Request")
@school_view()
def school_detail(request: HtmxHttpRequest, school: School) -> HttpResponse:
    context = _school_context(request, school)
    if is_partial(request):
        return render(request, "leadership/school_detail.html#vision", context)
    return render(request, "leadership/school_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@school_view(can_edit_school)
def school_vision_edit(request: HtmxHttpRequest, school: School) -> HttpResponse:
    conflict = None
    if request.method == "POST":
        form = VisionForm(request.POST, instance=School.objects.get(pk=school.pk))
        if form.is_valid():
            try:
                services.school_vision_update(
                    school=school,
                    actor=request.user,
                    vision_statement=form.cleaned_data["vision_statement"],
                    translations=form.translations(),
                    version=form.cleaned_data["version"],
                )
            except edits.StaleEdit as stale:
                saved = {"vision_statement": stale.current.vision_statement} | {
                    f"vision_{code}": text
                    for code, text in (stale.current.vision_translations or {}).items()
                }
                conflict = edits.show_conflict(form, stale, saved, place=school)
            else:
                if is_partial(request):
                    return render(
                        request,
                        "leadership/school_detail.html#vision",
                        _school_context(request, school, saved=True),
                    )
                messages.success(request, _("The vision statement was saved."))
                return redirect(school)
    else:
        form = VisionForm(
            instance=school, initial={"version": services.school_vision_version(school)}
        )
    context = _school_context(request, school, form=form, conflict=conflict)
    if is_partial(request):
        return render(request, "leadership/school_vision_edit.html#vision-form", context)
    return render(request, "leadership/school_vision_edit.html", context)


def _people_context(request, school: School, form: InvitationForm | None = None) -> dict:
    roles = invitable_roles(request.user, school)
    if form is None and roles:
        form = InvitationForm(roles=roles, initial={"language": school.default_language})
    return {
        "school": school,
        "members": selectors.school_members(user=request.user, school=school),
        "invitations": selectors.school_invitations(user=request.user, school=school)
        if roles
        else [],
        "form": form,
        "can_invite": bool(roles),
        "can_set_grades": can_set_family_grades(request.user, school),
    }


@login_required
@require_safe
@school_view(can_view_people)
def school_people(request: HtmxHttpRequest, school: School) -> HttpResponse:
    return render(request, "leadership/school_people.html", _people_context(request, school))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_set_family_grades)
def family_grades_edit(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user").prefetch_related("grades"),
        pk=pk,
        school=school,
        role=Role.FAMILY,
        is_active=True,
    )
    current = [row.grade for row in membership.grades.all()]
    codes = grade_codes.ordered({*grade_codes.in_span(school.grade_span), *current})
    choices = [(code, Grade(code).label) for code in codes] or None
    form = FamilyGradesForm(request.POST or None, choices=choices, initial={"grades": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.family_grades_set(
                actor=request.user, membership=membership, grades=form.cleaned_data["grades"]
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(
                request,
                _("The grades of %(name)s were saved.")
                % {"name": membership.user.full_name or membership.user.email},
            )
            return redirect(reverse("leadership:school_people", kwargs={"slug": school.slug}))
    return render(
        request,
        "leadership/family_grades.html",
        {"school": school, "membership": membership, "form": form},
    )


@login_required
@require_POST
@school_view(can_invite)
def school_invite(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = InvitationForm(request.POST, roles=invitable_roles(request.user, school))
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, school=school, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            url = reverse("leadership:school_people", kwargs={"slug": school.slug})
            if is_partial(request):
                return HttpResponseClientRedirect(url)
            return redirect(url)
    context = _people_context(request, school, form=form)
    if is_partial(request):
        return render(request, "leadership/school_people.html#invite-form", context)
    return render(request, "leadership/school_people.html", context)


@login_required
@require_POST
def invitation_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("school__district", "district"), pk=pk
    )
    if invitation.school is not None:
        enter_school(request, invitation.school, can_invite)
        back = reverse("leadership:school_people", kwargs={"slug": invitation.school.slug})
    else:
        enter_district(request, invitation.district, can_invite_district_admin)
        back = invitation.district.get_absolute_url()
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect(back)


# --- accepting an invitation ----------------------------------------------------------


def _invitation_from_token(token: str) -> Invitation:
    found = tokens.read_token(token)
    if found is None:
        raise Http404
    pk, nonce = found
    invitation = (
        Invitation.objects.select_related("school", "district", "invited_by")
        .filter(pk=pk, nonce=nonce)
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def _unusable(request, invitation: Invitation, state: str) -> HttpResponse:
    return render(
        request,
        "leadership/invitation_unusable.html",
        {"invitation": invitation, "state": state},
        status=410,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_from_token(token)
    if invitation.state != Invitation.State.PENDING:
        return _unusable(request, invitation, invitation.state)

    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None and services.is_unclaimed(existing):
        existing = None  # made by a rostering import and never used: accepted like a new account
    if request.user.is_authenticated and request.user.email.lower() != invitation.email.lower():
        return render(
            request,
            "leadership/invitation_accept.html",
            {"invitation": invitation, "other_user": True},
        )
    needs_password = existing is None and invitation.role not in OUTSIDE_ROLES
    form_kwargs = {"needs_password": needs_password, "email": invitation.email}
    if existing is not None:
        form = None
    elif request.method == "POST":
        form = AcceptInvitationForm(request.POST, **form_kwargs)
    else:
        form = AcceptInvitationForm(initial={"full_name": invitation.full_name}, **form_kwargs)

    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user, created = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data.get("password1") if form else None,
            )
        except services.InvitationUnusable as error:
            return _unusable(request, invitation, error.state)
        place = invitation.school or invitation.district
        if created or request.user.is_authenticated:
            if not request.user.is_authenticated:
                # As at every sign-in: a language picked on this device is the person's.
                if (language := chosen_language(request)) and language != user.preferred_language:
                    services.user_language_set(user=user, language=language)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(place)s.") % {"place": place})
            return redirect("home")
        messages.success(
            request,
            _("You now have a role at %(place)s. Sign in to continue.") % {"place": place},
        )
        return redirect(f"{reverse('account_login')}?email={invitation.email}")

    return render(
        request,
        "leadership/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing is not None},
    )


# --- language -------------------------------------------------------------------------


@require_POST
def language_set(request: HtmxHttpRequest) -> HttpResponse:
    """Switch the language; a signed-in person keeps it as their preference."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_language_set(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@require_POST
def sign_on_start(request: HtmxHttpRequest, slug: str, kind: str) -> HttpResponse:
    """A staff member pressed their district's sign-on button: on to the provider."""
    config = get_object_or_404(
        SignOnProvider.objects.select_related("district"),
        district__slug=slug,
        kind=kind,
        is_active=True,
    )
    return sso.start(request, config)
