"""One list of my work: the sections that the apps above offer, gathered on one page, counted
on the home page and e-mailed weekly.

Each app registers a provider in its AppConfig.ready(): `provider(*, user, today) -> Section
| None`, reading only the person's own work. A provider reads its rows in a fixed number of
queries. The page, the counts and the e-mail show the sections in their `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass
class Entry:
    """One thing to do: what, where it lives, when it is due."""

    title: str
    url: str
    context: str = ""  # the team, the school, the goal...
    due: date | None = None
    overdue: bool = False
    status: str = ""


@dataclass
class Section:
    key: str
    title: str
    entries: list[Entry] = field(default_factory=list)
    empty: str = ""
    more_url: str = ""  # the app's own page for this kind of work
    order: int = 100

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def overdue(self) -> int:
        return sum(1 for entry in self.entries if entry.overdue)


Provider = Callable[..., Section | None]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def sections(*, user, today: date) -> list[Section]:
    found = [section for provider in _providers if (section := provider(user=user, today=today))]
    return sorted(found, key=lambda section: (section.order, section.key))
