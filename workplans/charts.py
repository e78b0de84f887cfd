"""Measure status and the server-side SVG chart of a measure against its baseline->target path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import Measure

ON_TRACK_TOLERANCE = Decimal("0.05")  # of the distance from baseline to target
AT_RISK_TOLERANCE = Decimal("0.15")


class Status:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_ENOUGH = "not_enough_data"


STATUS_LABELS = {
    Status.ON_TRACK: gettext_lazy("On track"),
    Status.AT_RISK: gettext_lazy("At risk"),
    Status.OFF_TRACK: gettext_lazy("Off track"),
    Status.NOT_ENOUGH: gettext_lazy("Not enough data"),
    "done": gettext_lazy("Done"),
    "not_started": gettext_lazy("Not started"),
}
STATUS_BADGES = {
    Status.ON_TRACK: "badge-ok",
    "done": "badge-ok",
    Status.AT_RISK: "badge-warn",
    Status.OFF_TRACK: "badge-bad",
}
SEVERITY = {Status.ON_TRACK: 0, "done": 0, Status.AT_RISK: 1, Status.OFF_TRACK: 2}

STATUS_RULE = gettext_lazy(
    "How the status is worked out: we take the latest value shown and compare it with the value "
    "expected on that date on the straight line from the baseline to the target. On track: no "
    "more than 5% of the baseline-to-target distance behind the line (or ahead of it). At risk: "
    "more than 5% and up to 15% behind. Off track: more than 15% behind. “Behind” respects the "
    "measure's direction (higher or lower is better). Not enough data: fewer than two values "
    "shown. Suppressed values (small groups) are not counted."
)
GOAL_RULE = gettext_lazy(
    "A goal's status is the worst of its measures' statuses and its action steps' latest "
    "reported statuses; with neither, there is not enough data."
)


@dataclass(frozen=True)
class Point:
    date: date
    value: Decimal | None  # None: suppressed
    n: int | None
    group: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


def visible_points(measure, threshold: int) -> list[Point]:
    """The measure's data with small disaggregated groups suppressed (value None)."""
    points = []
    for dp in measure.data_points.all():  # prefetched, ordered by date
        small = bool(dp.group) and (dp.n is None or dp.n < threshold)
        points.append(Point(dp.date, None if small else dp.value, dp.n, dp.group))
    return points


def own_points(measure, points: list[Point]) -> list[Point]:
    """The points that are the measure's own figure: everyone's (no group) or those of the group
    the measure follows. Other groups' points (a disaggregated student group, or a survey
    result's group such as "Class or grade: Grade 3") are listed in the data table, but the
    status, the goal's status, the dashboard and the chart's line read only these: a subgroup's
    figure of the same day is not the measure's latest value."""
    return [p for p in points if p.group in ("", measure.student_group)]


def expected_on(measure, on: date) -> Decimal:
    """The value on the straight path from baseline to target at `on` (clamped to its ends)."""
    span = (measure.target_date - measure.baseline_date).days
    elapsed = min(max((on - measure.baseline_date).days, 0), span)
    return measure.baseline + (measure.target - measure.baseline) * Decimal(elapsed) / Decimal(span)


def measure_status(measure, points: list[Point]) -> str:
    shown = [p for p in own_points(measure, points) if not p.suppressed]
    if len(shown) < 2:
        return Status.NOT_ENOUGH
    latest = shown[-1]
    distance = abs(measure.target - measure.baseline)
    sign = 1 if measure.direction == Measure.Direction.UP else -1
    behind = (expected_on(measure, latest.date) - latest.value) * sign
    if behind <= distance * ON_TRACK_TOLERANCE:
        return Status.ON_TRACK
    if behind <= distance * AT_RISK_TOLERANCE:
        return Status.AT_RISK
    return Status.OFF_TRACK


def worst(statuses) -> str:
    ranked = [s for s in statuses if s in SEVERITY]
    if not ranked:
        return Status.NOT_ENOUGH
    return max(ranked, key=lambda s: SEVERITY[s])


# --- SVG ------------------------------------------------------------------------------

WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def measure_svg(measure, points: list[Point], *, chart_id: str) -> str:
    """An accessible SVG line chart of the measure's own points (see `own_points`); the data
    table beside it carries the same numbers, and those of other groups."""
    others = len(points)
    points = own_points(measure, points)
    others -= len(points)
    shown = [p for p in points if not p.suppressed]
    values = [measure.baseline, measure.target] + [p.value for p in shown]
    low, high = min(values), max(values)
    if low == high:
        high = low + 1
    pad = (high - low) * Decimal("0.1")
    low, high = low - pad, high + pad
    start = min([measure.baseline_date] + [p.date for p in points])
    end = max([measure.target_date] + [p.date for p in points])
    days = max((end - start).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(on: date) -> float:
        return round(LEFT + plot_w * (on - start).days / days, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h * float((high - value) / (high - low)), 1)

    title = _("%(name)s: data against the path to the target") % {"name": measure.name}
    desc = _(
        "Baseline %(baseline)s%(unit)s on %(bdate)s, target %(target)s%(unit)s by %(tdate)s; "
        "%(count)s values shown, %(suppressed)s suppressed. The table below has the numbers."
    ) % {
        "baseline": _fmt(measure.baseline),
        "target": _fmt(measure.target),
        "unit": measure.unit,
        "bdate": measure.baseline_date.isoformat(),
        "tdate": measure.target_date.isoformat(),
        "count": len(shown),
        "suppressed": len(points) - len(shown),
    }
    if others:
        desc += " " + ngettext(
            "%(count)s value of another group is in the table, not on the chart.",
            "%(count)s values of other groups are in the table, not on the chart.",
            others,
        ) % {"count": others}
    parts = [
        f'<svg class="wp-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#6b7280"/>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        f'stroke="#6b7280"/>',
    ]
    for tick in (high - pad, (high + low) / 2, low + pad):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4}" text-anchor="end" font-size="11" '
            f'fill="#374151">{escape(_fmt(tick.quantize(Decimal("0.1"))))}</text>'
        )
    parts.append(
        f'<text x="{LEFT}" y="{HEIGHT - 8}" font-size="11" fill="#374151">'
        f"{start.isoformat()}</text>"
    )
    parts.append(
        f'<text x="{LEFT + plot_w}" y="{HEIGHT - 8}" text-anchor="end" font-size="11" '
        f'fill="#374151">{end.isoformat()}</text>'
    )
    # The expected path, dashed.
    parts.append(
        f'<line class="wp-path" x1="{x(measure.baseline_date)}" y1="{y(measure.baseline)}" '
        f'x2="{x(measure.target_date)}" y2="{y(measure.target)}" stroke="#6b7280" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    if shown:
        coords = " ".join(f"{x(p.date)},{y(p.value)}" for p in shown)
        parts.append(
            f'<polyline class="wp-data" points="{coords}" fill="none" stroke="#1d4ed8" '
            f'stroke-width="2.5"/>'
        )
        for p in shown:
            parts.append(f'<circle cx="{x(p.date)}" cy="{y(p.value)}" r="3.5" fill="#1d4ed8"/>')
    for p in points:
        if p.suppressed:
            parts.append(
                f'<text x="{x(p.date)}" y="{TOP + plot_h - 4}" text-anchor="middle" '
                f'font-size="12" fill="#6b7280">*</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
