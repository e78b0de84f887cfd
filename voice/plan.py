"""The work plan as voice sees it: goals and measures to attach results to, and a way to add a
data point. Work plans sit above voice, so voice does not import them: workplans registers
these in its AppConfig.ready() (workplans/voice_link.py). Without it (voice alone) nothing
can be attached."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PlanLink:
    # (id, label) of the goals and measures of the school's plans that are not closed.
    goals: Callable[..., list[tuple[int, str]]]
    measures: Callable[..., list[tuple[int, str]]]
    # add_point(*, actor, school, measure_id, date, value, n, source, group=""): raises
    # ValidationError (also when the measure already has a value for that date and group).
    add_point: Callable[..., None]


_registered: PlanLink | None = None


def register(link: PlanLink) -> None:
    global _registered
    _registered = link


def plan_link() -> PlanLink | None:
    return _registered
