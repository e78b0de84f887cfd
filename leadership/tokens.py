"""Signed invitation links: the token is the invitation's id and nonce, signed with SECRET_KEY."""

from __future__ import annotations

import secrets

from django.core import signing

_SALT = "accord.leadership.invitation"


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def make_token(invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_SALT, compress=False)


def read_token(token: str) -> tuple[int, str] | None:
    """(id, nonce) from a token, or None when it was not made by us."""
    try:
        data = signing.loads(token, salt=_SALT)
        return int(data["i"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
