"""Signed class links: the token names a link and its nonce; the link works while the survey
is open, for at most VOICE_LINK_MAX_AGE seconds, and stops when the owner withdraws it."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing

LINK_SALT = "accord.voice.class-link"


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def link_max_age() -> int:
    return int(getattr(settings, "VOICE_LINK_MAX_AGE", 180 * 24 * 3600))


def make_link_token(link) -> str:
    return signing.dumps({"l": link.pk, "n": link.nonce}, salt=LINK_SALT, compress=False)


def read_link_token(token: str) -> tuple[int, str] | None:
    """(link id, nonce), or None when tampered with, foreign or expired."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=link_max_age())
        return int(data["l"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def new_edit_key() -> str:
    return secrets.token_urlsafe(32)


def hash_edit_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_author_salt() -> str:
    return secrets.token_hex(16)


def author_key(user_id: int, exchange_id: int, salt: str) -> str:
    """Whose idea this is, to leave it out of the ideas its author is asked to rate. Each idea
    has its own random salt, so one person's ideas do not share a key: whoever holds the
    database cannot group them together, nor match them to the same person's ratings
    (`rater_key`), and the key names nobody without the secret key. It is checked, never
    looked up: `is_author` recomputes it for the person and the idea."""
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"author:{salt}:{exchange_id}:{user_id}".encode(),
        hashlib.sha256,
    ).hexdigest()


def _unsalted_author_key(user_id: int, exchange_id: int) -> str:
    # Ideas added before each idea had a salt: one key per person and exchange.
    return hmac.new(
        settings.SECRET_KEY.encode(), f"author:{exchange_id}:{user_id}".encode(), hashlib.sha256
    ).hexdigest()


def is_author(idea, user_id: int) -> bool:
    """Whether `user_id` wrote `idea` (False for an idea kept without an author key)."""
    if not idea.author_key:
        return False
    if idea.author_salt:
        expected = author_key(user_id, idea.exchange_id, idea.author_salt)
    else:
        expected = _unsalted_author_key(user_id, idea.exchange_id)
    return hmac.compare_digest(idea.author_key, expected)


def new_device_key() -> str:
    return secrets.token_urlsafe(32)


def hash_device_key(key: str, survey_id: int) -> str:
    """The device's key for one survey: the same session gives different hashes in different
    surveys, so its answers cannot be joined across surveys."""
    return hashlib.sha256(f"device:{survey_id}:{key}".encode()).hexdigest()


def rater_key(user_id: int, exchange_id: int) -> str:
    """The same person rates an idea once: a keyed hash of the person and the exchange, which
    names nobody without the secret key and differs between exchanges."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"rater:{exchange_id}:{user_id}".encode(), hashlib.sha256
    ).hexdigest()
