"""The signed link in an e-mail that opens one conversation for its family, without a password."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

THREAD_SALT = "accord.community.thread-link"


def thread_link_max_age() -> int:
    return int(getattr(settings, "COMMUNITY_THREAD_LINK_MAX_AGE", 30 * 24 * 3600))


def make_thread_token(conversation) -> str:
    """Names one conversation and its family; it opens that conversation and nothing else."""
    return signing.dumps(
        {"c": conversation.pk, "f": conversation.family_id}, salt=THREAD_SALT, compress=False
    )


def read_thread_token(token: str) -> tuple[int, int] | None:
    """(conversation id, family id), or None when tampered with, foreign or expired."""
    try:
        data = signing.loads(token, salt=THREAD_SALT, max_age=thread_link_max_age())
        return int(data["c"]), int(data["f"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
