"""Every write of the leadership app: schools, invitations, memberships, language."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit, edits, outbox, tokens, versions
from . import grades as grade_codes
from .models import (
    District,
    DistrictPriority,
    FamilyGrade,
    Invitation,
    Membership,
    Role,
    School,
    SchoolYear,
    SignOnProvider,
    User,
)
from .permissions import forget_roles
from .updates import model_update

ALREADY_MEMBER = _("%(email)s already holds this role here.")
ALREADY_INVITED = _(
    "%(email)s was already invited to this role. Withdraw that invitation to send a new one."
)
INVITATION_NOT_PENDING = _("This invitation can no longer be used.")
SEND_INVITATION = "leadership.tasks.send_invitation_email"
WRONG_SCOPE = _("A district admin is invited to a district; every other role to a school.")


class InvitationUnusable(Exception):
    """The invitation was accepted, withdrawn or has expired."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def school_vision_version(school: School) -> str:
    """The version of the vision an edit form carries (see leadership.edits)."""
    return edits.version_of(school, VISION_FIELDS)


VISION_FIELDS = ["vision_statement", "vision_translations"]


@transaction.atomic
def school_vision_update(
    *,
    school: School,
    actor: User,
    vision_statement: str,
    translations: dict[str, str] | None = None,
    version: str | None = None,
) -> School:
    """Save the vision, unless someone saved it since the form's `version` (StaleEdit).

    `translations` gives it in the school's other languages, by code; a blank one is dropped
    (families reading that language see the statement in the school's first language)."""
    current = School.objects.select_for_update().get(pk=school.pk)
    edits.refuse_if_stale(current, version, school_vision_version(current))
    others = set(current.languages[1:])
    kept = {
        code: text.strip()
        for code, text in (translations or {}).items()
        if code in others and text.strip()
    }
    if translations is None:  # a caller that does not edit them keeps the ones there are
        kept = dict(current.vision_translations or {})
    before = audit.snapshot(current, VISION_FIELDS)
    model_update(
        instance=school,
        fields=VISION_FIELDS,
        data={"vision_statement": vision_statement.strip(), "vision_translations": kept},
    )
    audit.record(
        actor=actor,
        action="school.vision_update",
        obj=school,
        school=school,
        before=before,
        after=audit.snapshot(school, VISION_FIELDS),
    )
    versions.mark_changed(school=school)
    return school


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    email: str,
    role: str,
    school: School | None = None,
    district=None,
    full_name: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> Invitation:
    """Invite a person to a role and queue the e-mail. The caller has checked the actor's right.

    A pending invitation whose e-mail has not gone out yet (the broker was down, the mail
    server refused it) is not a reason to refuse: its e-mail is queued again and that
    invitation is returned. The send task sends it once however often it is queued.
    """
    email = User.objects.normalize_email(email).strip().lower()
    district = school.district if school is not None else district
    if (role == Role.DISTRICT_ADMIN) != (school is None):
        raise ValidationError(WRONG_SCOPE)

    scope = {"school": school} if school is not None else {"school__isnull": True}
    if (
        Membership.objects.active()
        .filter(user__email__iexact=email, role=role, district=district, **scope)
        .exists()
    ):
        raise ValidationError({"email": ALREADY_MEMBER % {"email": email}})
    pending = (
        Invitation.objects.pending()
        .select_for_update(of=("self",))
        .filter(email__iexact=email, role=role, district=district, **scope)
        .order_by("-created_at")
        .first()
    )
    if pending is not None and pending.sent_at:
        raise ValidationError({"email": ALREADY_INVITED % {"email": email}})
    if pending is not None:
        audit.record(actor=actor, action="invitation.resend", obj=pending, school=school)
        if school is not None:
            versions.mark_changed(school=school)
        outbox.enqueue(SEND_INVITATION, pending.pk)
        return pending

    invitation = Invitation(
        email=email,
        full_name=full_name.strip(),
        role=role,
        district=district,
        school=school,
        language=language,
        nonce=tokens.new_nonce(),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit.record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        school=school,
        after=audit.snapshot(invitation, ["email", "role", "school", "district", "language"]),
    )
    if school is not None:
        versions.mark_changed(school=school)
    outbox.enqueue(SEND_INVITATION, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.state != Invitation.State.PENDING:
        raise ValidationError(INVITATION_NOT_PENDING)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="invitation.revoke", obj=invitation, school=invitation.school)
    if invitation.school is not None:
        versions.mark_changed(school=invitation.school)
    return invitation


def is_unclaimed(user: User) -> bool:
    """An account nobody has used yet: made by a rostering import, never signed in to."""
    return user.last_login is None and not user.has_usable_password()


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, full_name: str = "", password: str | None = None
) -> tuple[User, bool]:
    """Accept an invitation: make (or find) the person and give them the role.

    Returns the user and whether the account is new. The row is locked, so a link
    opened twice at once is still used only once.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("school", "district")
        .get(pk=invitation.pk)
    )
    if invitation.state != Invitation.State.PENDING:
        raise InvitationUnusable(invitation.state)

    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is not None and is_unclaimed(user):
        # A rostering import made the account; accepting is its first use, as for a new one.
        if password:
            user.set_password(password)
        if full_name:
            user.full_name = full_name.strip()
        user.full_clean()
        user.save()
        created = True
    else:
        created = user is None
    if user is None:
        user = User(
            email=invitation.email,
            full_name=(full_name or invitation.full_name).strip(),
            preferred_language=invitation.language,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
    elif full_name and not user.full_name:
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
    # The link reached this address, which proves it belongs to the person.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )

    membership_scope = (
        {"school": invitation.school} if invitation.school_id else {"school__isnull": True}
    )
    membership, _created = Membership.objects.update_or_create(
        user=user,
        role=invitation.role,
        district=invitation.district,
        **membership_scope,
        defaults={"is_active": True, "school": invitation.school},
    )
    forget_roles(user)

    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user,
        action="invitation.accept",
        obj=invitation,
        school=invitation.school,
        after={"membership": membership.pk, "new_account": created},
    )
    if invitation.school is not None:
        versions.mark_changed(school=invitation.school)
    return user, created


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


# --- district priorities -----------------------------------------------------------------


def priority_version(priority: DistrictPriority) -> str:
    return edits.version_of(priority, PRIORITY_FIELDS)


PRIORITY_FIELDS = ["title", "description"]


@transaction.atomic
def priority_save(
    *,
    actor: User,
    district,
    year: SchoolYear,
    priority: DistrictPriority | None = None,
    version: str | None = None,
    **fields,
) -> DistrictPriority:
    """Add a district priority for the school year, or change one (district admins); a change
    is refused if someone saved the priority since the form's `version` (StaleEdit)."""
    title = " ".join(fields.get("title", "").split())
    if priority is not None:
        priority = DistrictPriority.objects.select_for_update().get(pk=priority.pk)
        edits.refuse_if_stale(priority, version, priority_version(priority))
    before = audit.snapshot(priority, PRIORITY_FIELDS) if priority else None
    if priority is None:
        priority = DistrictPriority(district=district, school_year=year)
    priority.title = title
    priority.description = fields.get("description", "").strip()
    priority.full_clean()  # a duplicate title too, by the model's constraint
    try:
        with transaction.atomic():
            priority.save()
    except IntegrityError as error:  # the same title added at the same moment
        raise ValidationError(
            {"title": _("This year already has a priority with that title.")}
        ) from error
    audit.record(
        actor=actor,
        action="priority.update" if before else "priority.create",
        obj=priority,
        before=before,
        after=audit.snapshot(priority, PRIORITY_FIELDS),
    )
    # Goals of every school of the district show the priority's title.
    versions.mark_changed(district=district)
    return priority


# --- single sign-on (leadership.sso reads these) ---------------------------------------------

SIGN_ON_FIELDS = ["kind", "label", "client_id", "server_url", "tenant", "is_active"]
PASSWORD_NEEDED = _(
    "Switch on a sign-on provider before turning password sign-in off, or your staff could "
    "not sign in at all."
)


def sign_on_provider_version(provider: SignOnProvider) -> str:
    """The version of a provider an edit form carries (the secret never counts)."""
    return edits.version_of(provider, SIGN_ON_FIELDS, secret_set=bool(provider.secret))


@transaction.atomic
def sign_on_provider_save(
    *,
    actor: User,
    district: District,
    provider: SignOnProvider | None = None,
    version: str | None = None,
    secret: str = "",
    **fields,
) -> SignOnProvider:
    """Add a district's single sign-on provider, or change one (district admins). A blank
    `secret` keeps the one saved; the secret is never written to the audit log."""
    if provider is None:
        before = None
        provider = SignOnProvider(district=district)
    else:
        provider = SignOnProvider.objects.select_for_update().get(pk=provider.pk)
        edits.refuse_if_stale(provider, version, sign_on_provider_version(provider))
        before = audit.snapshot(provider, SIGN_ON_FIELDS)
    for name in SIGN_ON_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(provider, name, value.strip() if isinstance(value, str) else value)
    secret_changed = bool(secret.strip())
    if secret_changed:
        provider.secret = secret.strip()
    if not provider.has_secret:
        raise ValidationError(
            {
                "secret": _("Give the client secret, or set %(name)s in the server's environment.")
                % {"name": provider.secret_env_name}
            }
        )
    provider.full_clean()
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError as error:
        raise ValidationError(
            {"kind": _("The district already has a provider of this kind.")}
        ) from error
    _refuse_locked_out(district)
    after = audit.snapshot(provider, SIGN_ON_FIELDS)
    after["secret_changed"] = secret_changed
    audit.record(
        actor=actor,
        action="sign_on.update" if before else "sign_on.create",
        obj=provider,
        before=before,
        after=after,
    )
    versions.mark_changed(district=district)
    return provider


@transaction.atomic
def sign_on_provider_delete(*, actor: User, provider: SignOnProvider) -> None:
    provider = SignOnProvider.objects.select_for_update().get(pk=provider.pk)
    district = provider.district
    before = audit.snapshot(provider, SIGN_ON_FIELDS)
    audit.record(actor=actor, action="sign_on.delete", obj=provider, before=before)
    provider.delete()
    _refuse_locked_out(district)
    versions.mark_changed(district=district)


@transaction.atomic
def district_password_sign_in_set(*, actor: User, district: District, allowed: bool) -> District:
    """Let the district's staff sign in with a password, or not (then only through the
    district's single sign-on; families keep the e-mailed code)."""
    district = District.objects.select_for_update().get(pk=district.pk)
    before = audit.snapshot(district, ["staff_password_sign_in"])
    district, changed = model_update(
        instance=district,
        fields=["staff_password_sign_in"],
        data={"staff_password_sign_in": allowed},
    )
    _refuse_locked_out(district)
    if changed:
        audit.record(
            actor=actor,
            action="district.password_sign_in",
            obj=district,
            before=before,
            after=audit.snapshot(district, ["staff_password_sign_in"]),
        )
    versions.mark_changed(district=district)
    return district


def _refuse_locked_out(district: District) -> None:
    district = District.objects.get(pk=district.pk)
    if (
        not district.staff_password_sign_in
        and not district.sign_on_providers.filter(is_active=True).exists()
    ):
        raise ValidationError(PASSWORD_NEEDED)


NOT_A_FAMILY = _("Grades are kept for families only.")


@transaction.atomic
def family_grades_set(*, actor: User, membership: Membership, grades: list[str]) -> list[str]:
    """The grades of a family's children at the membership's school, set by hand (a family
    the roster does not list; a roster import sets those it lists). Returns them in order."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("school")
        .get(pk=membership.pk)
    )
    if membership.role != Role.FAMILY or membership.school is None:
        raise ValidationError(NOT_A_FAMILY)
    wanted = grade_codes.ordered(g for g in (grade_codes.normalize(v) for v in grades) if g)
    before = grade_codes.ordered(membership.grades.values_list("grade", flat=True))
    membership.grades.exclude(grade__in=wanted).delete()
    FamilyGrade.objects.bulk_create(
        [FamilyGrade(membership=membership, grade=g) for g in wanted if g not in before]
    )
    audit.record(
        actor=actor,
        action="membership.family_grades_set",
        obj=membership,
        school=membership.school,
        before={"grades": before},
        after={"grades": wanted},
    )
    versions.mark_changed(school=membership.school)
    return wanted
