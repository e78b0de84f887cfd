"""People, places and roles: districts, schools, years, users, memberships, invitations, audit,
and each district's single sign-on providers."""

from __future__ import annotations

import os
import re
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .grades import Grade

LANGUAGE_CHOICES = settings.LANGUAGES


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def validate_languages(value: list) -> None:
    known = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [code for code in value if code not in known]
    if unknown:
        raise ValidationError(
            _("Unknown language code(s): %(codes)s."),
            params={"codes": ", ".join(map(str, unknown))},
        )


def default_languages() -> list[str]:
    return [settings.LANGUAGE_CODE]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The e-mail address is the login; `is_staff` only opens Django's admin site."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=LANGUAGE_CHOICES,
        default=settings.LANGUAGE_CODE,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Opens Django's admin site. Grants no rights in any school."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class District(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    languages = models.JSONField(
        _("languages offered to families"),
        default=default_languages,
        validators=[validate_languages],
    )
    small_group_threshold = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Disaggregated results for a group with fewer students than this are suppressed."
        ),
    )
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Off: the district's staff sign in through its single sign-on provider only (families keep
    # the e-mailed code). Turned off only while the district has a provider switched on.
    staff_password_sign_in = models.BooleanField(
        _("staff may sign in with a password"), default=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leadership:district_detail", kwargs={"slug": self.slug})


class School(models.Model):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    vision_statement = models.TextField(
        _("vision statement"),
        max_length=4000,
        blank=True,
        validators=[MaxLengthValidator(4000)],
    )
    # The vision in the school's other languages, by code; the statement above is in its first.
    vision_translations = models.JSONField(
        _("vision in the other languages"), default=dict, blank=True
    )
    grade_span = models.CharField(
        _("grade span"), max_length=20, blank=True, help_text=_("For example K-5 or 9-12.")
    )
    languages = models.JSONField(
        _("languages"), default=default_languages, validators=[validate_languages]
    )
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Students are not people in Accord; the rostering import keeps only how many there are.
    student_count = models.PositiveIntegerField(_("students on the roster"), null=True, blank=True)
    # When the row last changed, for API clients that sync changes (`updated_since`).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leadership:school_detail", kwargs={"slug": self.slug})

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE

    def vision_in(self, language: str | None) -> tuple[str, str]:
        """The vision and the language it is written in: `language`'s if the school wrote it,
        else the statement in the school's first language."""
        text = (self.vision_translations or {}).get(language or "", "")
        if text and language in self.languages[1:]:
            return text, language
        return self.vision_statement, self.default_language


class SchoolYear(models.Model):
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="school_years", verbose_name=_("district")
    )
    label = models.CharField(_("label"), max_length=20, help_text=_("For example 2026-27."))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    is_current = models.BooleanField(_("current"), default=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    # When the row last changed, for API clients that sync changes (`updated_since`).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        constraints = [
            models.UniqueConstraint(fields=["district", "label"], name="schoolyear_label_unique"),
            models.UniqueConstraint(
                fields=["district"],
                condition=models.Q(is_current=True),
                name="schoolyear_one_current_per_district",
                violation_error_message=_("The district already has a current school year."),
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="schoolyear_ends_after_start",
                violation_error_message=_("The last day must come after the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District admin")
    PRINCIPAL = "principal", _("Principal")
    TEACHER_LEADER = "teacher_leader", _("Teacher leader")
    STAFF = "staff", _("Staff")
    FAMILY = "family", _("Family")
    # A partner organisation's contact holding a team's community seat: sees the teams they
    # sit on and nothing else of the school (leadership.permissions.enter_school).
    COMMUNITY_PARTNER = "community_partner", _("Community partner (their team only)")


SCHOOL_ROLES = (
    Role.PRINCIPAL,
    Role.TEACHER_LEADER,
    Role.STAFF,
    Role.FAMILY,
    Role.COMMUNITY_PARTNER,
)
# Roles of people who do not work at the school: they have no staff pages.
OUTSIDE_ROLES = frozenset({Role.FAMILY, Role.COMMUNITY_PARTNER})
STAFF_ROLES = (Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF)


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True)


class Membership(models.Model):
    """A role a person holds: in a district (district admin) or in one of its schools."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("district")
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name=_("school"),
    )
    school_year = models.ForeignKey(
        SchoolYear,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("school year"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.DISTRICT_ADMIN, school__isnull=True)
                    | (~models.Q(role=Role.DISTRICT_ADMIN) & models.Q(school__isnull=False))
                ),
                name="membership_scope_matches_role",
                violation_error_message=_(
                    "A district admin belongs to a district; every other role to a school."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=models.Q(school__isnull=False),
                name="membership_unique_school_role",
                violation_error_message=_("This person already holds this role at this school."),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                condition=models.Q(school__isnull=True),
                name="membership_unique_district_role",
                violation_error_message=_("This person already holds this role in this district."),
            ),
        ]
        indexes = [models.Index(fields=["school", "role", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.school or self.district}"

    def clean(self) -> None:
        super().clean()
        if self.school_id and self.district_id and self.school.district_id != self.district_id:
            raise ValidationError({"school": _("The school is not in this district.")})

    @property
    def grade_labels(self) -> str:
        """The grades of a family's children here, in words (reads prefetched grades)."""
        from .grades import labels

        return labels(row.grade for row in self.grades.all())


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An invitation to hold a role. Only a hash of its token is stored; the link is single-use."""

    class State(models.TextChoices):
        """Where an invitation stands, read from its dates (not a column)."""

        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    language = models.CharField(
        _("language of the invitation"),
        max_length=10,
        choices=LANGUAGE_CHOICES,
        default=settings.LANGUAGE_CODE,
    )
    # The link carries this nonce signed with SECRET_KEY (leadership.tokens), so neither a
    # copy of the database nor a guessed id is enough to accept an invitation.
    nonce = models.CharField(max_length=43, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.DISTRICT_ADMIN, school__isnull=True)
                    | (~models.Q(role=Role.DISTRICT_ADMIN) & models.Q(school__isnull=False))
                ),
                name="invitation_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> Invitation.State:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.is_expired:
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class DistrictPriority(models.Model):
    """A district priority that the goals of every school align to; its pages are the district
    app's."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("district")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("year")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        # The table keeps the name it had when the model lived in workplans.
        db_table = "workplans_districtpriority"
        ordering = ["title"]
        verbose_name = _("district priority")
        verbose_name_plural = _("district priorities")
        constraints = [
            models.UniqueConstraint(
                "district",
                "school_year",
                Lower("title"),
                name="priority_title_once_per_year",
                violation_error_message=_("This year already has a priority with that title."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class SchoolVersion(models.Model):
    """A counter that grows by one with every committed write to a school's data (see
    leadership.versions): the version its cached pages and its dashboard figures are kept
    under. Counters, not clocks, so servers whose clocks differ agree."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="data_version"
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.school_id} · {self.version}"


class OutboxTask(models.Model):
    """Background work recorded in the transaction of the write that asks for it.

    A row is written beside the data, so it commits or rolls back with it; on commit it is
    handed to the broker and `dispatched_at` is set. If the broker cannot be reached then, the
    row stays undispatched and the sweep (leadership.outbox.sweep, every minute) queues it.
    Nothing is lost between commit and queue; the tasks themselves are idempotent, so a row
    queued twice (a crash after publishing, before marking) does its work once.
    """

    task = models.CharField(max_length=200)  # the task's dotted name
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(dispatched_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"


class SentMail(models.Model):
    """One e-mail to one person, sent: the unique key is inserted in the transaction that
    sends, so a retry finds it and sends nothing, and a failed send rolls it back."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class SignOnProvider(models.Model):
    """A district's single sign-on provider for its staff, fed to django-allauth as a SocialApp
    (leadership.sso). The client secret comes from the environment
    (SSO_SECRET_<DISTRICT>_<KIND>, see `secret_env_name`) or is entered by a district admin."""

    class Kind(models.TextChoices):
        GOOGLE = "google", _("Google Workspace")
        MICROSOFT = "microsoft", _("Microsoft Entra ID")
        OPENID_CONNECT = "openid_connect", _("Another OpenID Connect provider")

    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        related_name="sign_on_providers",
        verbose_name=_("district"),
    )
    kind = models.CharField(_("provider"), max_length=20, choices=Kind.choices)
    label = models.CharField(
        _("button label"),
        max_length=80,
        help_text=_("What staff see on the sign-in button, for example “Springfield Google”."),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    secret = models.CharField(_("client secret"), max_length=255, blank=True)
    server_url = models.URLField(
        _("issuer URL"),
        blank=True,
        help_text=_("OpenID Connect only: the provider's address (its issuer)."),
    )
    tenant = models.CharField(
        _("tenant"),
        max_length=100,
        blank=True,
        help_text=_("Microsoft Entra ID only: your directory (tenant) ID or domain."),
    )
    is_active = models.BooleanField(_("switched on"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["district", "kind"]
        verbose_name = _("sign-on provider")
        verbose_name_plural = _("sign-on providers")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind"],
                name="signonprovider_one_per_kind",
                violation_error_message=_("The district already has a provider of this kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.label}"

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.OPENID_CONNECT and not self.server_url:
            raise ValidationError({"server_url": _("Give the provider's issuer URL.")})
        if self.kind == self.Kind.MICROSOFT and not self.tenant:
            raise ValidationError(
                {"tenant": _("Give your directory (tenant) ID, so only your staff can sign in.")}
            )
        if self.kind == self.Kind.MICROSOFT and self.tenant.lower() in {
            "common",
            "organizations",
            "consumers",
        }:
            raise ValidationError(
                {"tenant": _("Give your own directory (tenant) ID, not a shared one.")}
            )

    @property
    def secret_env_name(self) -> str:
        slug = re.sub(r"[^A-Z0-9]+", "_", self.district.slug.upper())
        return f"SSO_SECRET_{slug}_{self.kind.upper()}"

    def client_secret(self) -> str:
        """The secret from the environment when it is set there, else the one entered."""
        return os.environ.get(self.secret_env_name) or self.secret

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret())


# --- grades of families ------------------------------------------------------------------------


class FamilyGrade(models.Model):
    """A grade the children of a family are in at the membership's school, from the roster (or
    set by the principal for a family not rostered). It is a group the family belongs to, so a
    survey can ask the families of chosen grades; it names no student. A table rather than a
    list in a JSON field, so that "families of grades 1 and 2" is a plain join on any database."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="grades")
    grade = models.CharField(_("grade"), max_length=5, choices=Grade.choices)

    class Meta:
        ordering = ["membership", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "grade"], name="family_grade_once")
        ]
        indexes = [models.Index(fields=["grade", "membership"])]

    def __str__(self) -> str:
        return f"{self.membership_id} · {self.grade}"


class Session(AbstractBaseSession):
    """Django's session row (SESSION_ENGINE leadership.sessions), with the id of the person
    signed in on it beside the signed data: the session and the person, with their roles, are
    then read in one query on every request (leadership.sessions, leadership.auth). The id is
    a copy of the data's, written with it, and is trusted only where the two agree; it is no
    foreign key, so that a session outliving its person is an anonymous one, as before."""

    user_id = models.BigIntegerField(null=True, blank=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "leadership_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
