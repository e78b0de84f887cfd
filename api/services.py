"""Writing API tokens: made and revoked by a district admin, audited."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadership import audit
from leadership.models import District, Membership, Role, User
from leadership.prepared import Prepared

from .models import ApiToken, Scope

TOKEN_PREFIX = "acc_"  # noqa: S105 (not a secret: what every secret starts with)
# last_used_at is written at most this often per token, not once per request.
LAST_USED_EVERY = timedelta(minutes=1)

NO_SCOPE = _("Choose at least one scope.")
UNKNOWN_SCOPE = _("Unknown scope: %(scope)s.")
ALREADY_REVOKED = _("This token was revoked already.")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: User, district: District, name: str, scopes: list[str]
) -> tuple[ApiToken, str]:
    """A new token and its secret. The secret is returned once and never stored."""
    scopes = sorted(set(scopes))
    if not scopes:
        raise ValidationError({"scopes": NO_SCOPE})
    for scope in scopes:
        if scope not in Scope.values:
            raise ValidationError({"scopes": UNKNOWN_SCOPE % {"scope": scope}})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        district=district,
        name=name.strip(),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_secret(secret),
        scopes=scopes,
        created_by=actor,
    )
    token.full_clean()
    token.save()
    audit.record(
        actor=actor,
        action="api_token.create",
        obj=token,
        after={"name": token.name, "scopes": scopes, "district": district.pk},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(ALREADY_REVOKED)
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor,
        action="api_token.revoke",
        obj=token,
        after={"name": token.name, "district": token.district_id},
    )
    return token


def _token_query(*, key_hash: str):
    maker_admin = Membership.objects.active().filter(
        user=OuterRef("created_by"), district=OuterRef("district"), role=Role.DISTRICT_ADMIN
    )
    # key_hash is unique: no order needed for the one row.
    return (
        ApiToken.objects.select_related("district", "created_by")
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .annotate(maker_runs_district=Exists(maker_admin))
        .order_by()[:1]
    )


# Compiled once: the lookup runs on every API request (see leadership.prepared).
_token_by_hash = Prepared(_token_query)


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token with this secret (its district and maker loaded), noting its use;
    `maker_runs_district` tells, read by the same query, whether its maker is still an admin
    of its district (as leadership.permissions.is_district_admin would)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = _token_by_hash.first(key_hash=hash_secret(secret))
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
