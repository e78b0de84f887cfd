"""The permission-matrix harness: (role x URL) -> expected status, for every URL of ours.

Each app's tests/<app>/test_permissions.py declares `MATRIX = [Row(...), ...]` and
parametrizes `check_row` over it; tests/test_url_coverage.py walks the URL resolver and
fails when one of our URLs has no row, so a new page cannot ship without its permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from tests.conftest import ROLES

Factory = Callable[[Any], dict]


def _nothing(world) -> dict:
    return {}


@dataclass(frozen=True)
class Row:
    name: str
    expect: dict[str, int]
    kwargs: Factory = _nothing
    method: str = "GET"
    data: Factory = _nothing
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        missing = set(ROLES) - set(self.expect)
        extra = set(self.expect) - set(ROLES)
        if missing or extra:
            raise ValueError(
                f"{self.name}: roles missing {sorted(missing)}, unknown {sorted(extra)}"
            )

    def cases(self):
        """(row, role) pairs for pytest.mark.parametrize, with readable ids."""
        return [(self, role) for role in ROLES]

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}"


def parametrize(matrix: list[Row]):
    import pytest

    cases = [case for row in matrix for case in row.cases()]
    return pytest.mark.parametrize(
        ("row", "role"), cases, ids=[f"{row.id}-{role}" for row, role in cases]
    )


def check_row(row: Row, role: str, world, client) -> None:
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    url = reverse(row.name, kwargs=row.kwargs(world))
    if row.method == "GET":
        response = client.get(url, **row.headers)
    else:
        response = client.generic(
            row.method,
            url,
            data=_encode(row.data(world)),
            content_type="application/x-www-form-urlencoded",
            **row.headers,
        )
    expected = row.expect[role]
    assert response.status_code == expected, (
        f"{row.method} {url} as {role}: expected {expected}, got {response.status_code}"
    )
    if row.method == "GET":
        # Uptime monitors and link checkers ask with HEAD: the same answer, without a body.
        head = client.head(url, **row.headers)
        body = b"".join(head.streaming_content) if head.streaming else head.content
        assert (head.status_code, body) == (expected, b""), (
            f"HEAD {url} as {role}: expected {expected}, got {head.status_code}"
        )


def _encode(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)
