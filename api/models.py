"""Tokens a district gives its own systems to call the REST API."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leadership.models import District


class Scope(models.TextChoices):
    READ = "read", _("Read the district's data")
    WRITE_DATA = "write:data", _("Add measure data points (assessment results)")
    WRITE_EVENTS = "write:events", _("Create and change family events")


class ApiToken(models.Model):
    """One system's key to one district. Only the SHA-256 of the secret is kept: the secret is
    shown once, when the token is made, and cannot be read back. A revoked token stays listed
    (who made it, when it was last used) but answers 401."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What system uses it."))
    prefix = models.CharField(max_length=12)  # the first characters, to tell tokens apart
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
