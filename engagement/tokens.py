"""Signed links: one RSVP's page in a reminder e-mail. (Calendar links carry a stored random
token instead, engagement.models.CalendarFeed, so that they can be replaced.)"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

RSVP_SALT = "accord.engagement.rsvp-link"


def rsvp_link_max_age() -> int:
    return int(getattr(settings, "ENGAGEMENT_RSVP_LINK_MAX_AGE", 14 * 24 * 3600))


def make_rsvp_token(rsvp) -> str:
    """A token that names one RSVP and its family; it opens that RSVP and nothing else."""
    return signing.dumps({"r": rsvp.pk, "f": rsvp.family_id}, salt=RSVP_SALT, compress=False)


def read_rsvp_token(token: str) -> tuple[int, int] | None:
    """(rsvp id, family id), or None when the token is tampered with, foreign or expired."""
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=rsvp_link_max_age())
        return int(data["r"]), int(data["f"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
