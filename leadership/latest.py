"""Fragments kept in this process's memory at the latest version of what they show.

A page whose fragments are kept under a version read from the database on every request
(a survey's results version, the district dashboard's figures) can keep them in Redis, shared
by every process, but then pays a round trip and the unpickling of the whole fragment on every
view. `LatestFragments` keeps, per scope (a survey, a district), the fragments of one version
only: the one last asked for. A view that finds the version moved drops what was kept before
drawing anew, and a writer can drop a scope at once (`forget`); a fragment older than
`seconds` is dropped when next looked at. It is bounded in scopes and in memory, and each web
process keeps its own.

Honest as the Redis fragments are, for the same reason: the version is read from the
database before the data, on every request, and a fragment kept under a version is the one
drawn from that version's data.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from typing import Any


def _size(value: Any) -> int:
    """Bytes a kept value holds, near enough for a bound: its strings and their containers."""
    if isinstance(value, (tuple, list)):
        return sys.getsizeof(value) + sum(_size(item) for item in value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(_size(k) + _size(v) for k, v in value.items())
    return sys.getsizeof(value)


class LatestFragments:
    """Per scope, the fragments of its latest version only (see the module)."""

    def __init__(self, *, scopes: int = 32, max_bytes: int = 16 * 1024 * 1024, seconds: float = 60):
        self.scopes = scopes
        self.max_bytes = max_bytes
        self.seconds = seconds
        self._lock = threading.Lock()
        # scope -> (version, kept at (monotonic), {parts: (value, size)})
        self._kept: OrderedDict[tuple, tuple[Any, float, dict[tuple, tuple[Any, int]]]] = (
            OrderedDict()
        )
        self._bytes = 0

    def get(self, scope: tuple, version: Any, parts: tuple) -> Any | None:
        with self._lock:
            entry = self._kept.get(scope)
            if entry is None:
                return None
            if entry[0] != version or time.monotonic() - entry[1] > self.seconds:
                self._drop(scope)
                return None
            self._kept.move_to_end(scope)
            found = entry[2].get(parts)
            return None if found is None else found[0]

    def put(self, scope: tuple, version: Any, parts: tuple, value: Any) -> None:
        size = _size(value)
        with self._lock:
            entry = self._kept.get(scope)
            # The version asked for last is kept. A slower request's older one may replace a
            # newer one for a moment; a reader of the newer one then draws it again, never
            # sees the older.
            if entry is not None and entry[0] != version:
                self._drop(scope)
                entry = None
            if size > self.max_bytes // 4:
                return
            if entry is None:
                entry = (version, time.monotonic(), {})
                self._kept[scope] = entry
            if parts not in entry[2]:
                entry[2][parts] = (value, size)
                self._bytes += size
            self._kept.move_to_end(scope)
            while self._kept and (len(self._kept) > self.scopes or self._bytes > self.max_bytes):
                self._drop(next(iter(self._kept)))

    def forget(self, key: Any) -> None:
        """Drop every scope whose first part is `key` (a write committed here)."""
        with self._lock:
            for scope in [scope for scope in self._kept if scope[0] == key]:
                self._drop(scope)

    def _drop(self, scope: tuple) -> None:
        _version, _at, fragments = self._kept.pop(scope)
        self._bytes -= sum(size for _value, size in fragments.values())

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0
