"""Small server-rendered SVG pictures for the dashboard. Each carries its own text alternative
(role="img" and a label) and sits beside a table with the same numbers; colours come from
classes in dashboard.css (the strict CSP allows no inline style)."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from workplans import selectors as workplans

STATUS_KEYS = ("on_track", "at_risk", "off_track", "no_data")


def status_labels() -> dict[str, str]:
    return {
        "on_track": _("on track"),
        "at_risk": _("at risk"),
        "off_track": _("off track"),
        "no_data": _("not enough data"),
    }


def mark_goal(goal, status: str):
    """Give a goal its dashboard status key and the plan page's badge for `status` (a status
    stored in the figures: the work plan's own names)."""
    not_enough, goal.dash_label, goal.dash_badge = workplans.goal_status_display(status)
    goal.dash_status = "no_data" if not_enough else status
    return goal


def describe(counts: dict[str, int]) -> str:
    labels = status_labels()
    parts = [f"{counts[key]} {labels[key]}" for key in STATUS_KEYS if counts.get(key)]
    return ", ".join(parts) if parts else _("no goals")


def status_bar(counts: dict[str, int], *, width: int = 120, height: int = 14) -> SafeString:
    """A stacked bar of a school's goals by status."""
    total = sum(counts.get(key, 0) for key in STATUS_KEYS)
    label = _("Goals: %(summary)s") % {"summary": describe(counts)}
    if not total:
        return format_html(
            '<svg class="status-bar" role="img" aria-label="{}" width="{}" height="{}" '
            'viewBox="0 0 {} {}"><rect class="bar-empty" x="0" y="0" width="{}" height="{}"/>'
            "</svg>",
            label,
            width,
            height,
            width,
            height,
            width,
            height,
        )
    segments = []
    x = 0.0
    for key in STATUS_KEYS:
        n = counts.get(key, 0)
        if not n:
            continue
        w = width * n / total
        segments.append((f"bar-{key.replace('_', '-')}", f"{x:.1f}", f"{w:.1f}", height))
        x += w
    rects = format_html_join("", '<rect class="{}" x="{}" y="0" width="{}" height="{}"/>', segments)
    return format_html(
        '<svg class="status-bar" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}">{}</svg>',
        label,
        width,
        height,
        width,
        height,
        rects,
    )


def month_label(key: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return date_format(date(year, month, 1), "M Y")


def trend_rows(trend: dict[str, list[int]]) -> list[dict]:
    """{"2026-09": [on, risk, off, none]} -> rows for the table and the chart, oldest first."""
    rows = []
    for key in sorted(trend):
        on, risk, off, none = trend[key]
        total = on + risk + off + none
        rows.append(
            {
                "key": key,
                "label": month_label(key),
                "on_track": on,
                "at_risk": risk,
                "off_track": off,
                "no_data": none,
                "total": total,
                "share": round(100 * on / total) if total else None,
            }
        )
    return rows


def trend_chart(rows: list[dict], *, title_id: str) -> SafeString:
    """Stacked columns per month: goals on track at the bottom, then at risk, off track and
    not enough data; the share on track printed above each column."""
    if not rows:
        return SafeString("")
    width, height, top, bottom, left = 560, 200, 22, 28, 8
    column = (width - left) / len(rows)
    bar = min(48.0, column * 0.6)
    peak = max(row["total"] for row in rows) or 1
    scale = (height - top - bottom) / peak
    parts = []
    for i, row in enumerate(rows):
        x = left + i * column + (column - bar) / 2
        y = height - bottom
        for key in STATUS_KEYS:
            h = row[key] * scale
            if h:
                y -= h
                parts.append(
                    format_html(
                        '<rect class="bar-{}" x="{}" y="{}" width="{}" height="{}"/>',
                        key.replace("_", "-"),
                        f"{x:.1f}",
                        f"{y:.1f}",
                        f"{bar:.1f}",
                        f"{h:.1f}",
                    )
                )
        centre = x + bar / 2
        if row["share"] is not None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="chart-value">{}%</text>',
                    f"{centre:.1f}",
                    f"{max(y - 6, 12):.1f}",
                    row["share"],
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-axis">{}</text>',
                f"{centre:.1f}",
                height - 8,
                row["label"],
            )
        )
    last = rows[-1]
    label = _(
        "Goals on track by month, from %(first)s (%(first_share)s%%) to %(last)s "
        "(%(last_share)s%%). The table below has every figure."
    ) % {
        "first": rows[0]["label"],
        "first_share": rows[0]["share"] if rows[0]["share"] is not None else "—",
        "last": last["label"],
        "last_share": last["share"] if last["share"] is not None else "—",
    }
    return format_html(
        '<svg class="trend-chart" role="img" aria-labelledby="{}" viewBox="0 0 {} {}" '
        'preserveAspectRatio="xMidYMid meet"><title id="{}">{}</title>{}</svg>',
        title_id,
        width,
        height,
        title_id,
        label,
        SafeString("".join(parts)),
    )


def sum_trends(trends) -> dict[str, list[int]]:
    total: dict[str, list[int]] = {}
    for trend in trends:
        for key, counts in (trend or {}).items():
            row = total.setdefault(key, [0, 0, 0, 0])
            for i, n in enumerate(counts):
                row[i] += n
    return total
