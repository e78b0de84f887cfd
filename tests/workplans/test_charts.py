"""The status rule and the SVG chart of a measure."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from workplans import charts
from workplans.charts import Point, Status


def measure(direction="up", baseline="40", target="60", student_group=""):
    return SimpleNamespace(
        name="Reading",
        unit="%",
        direction=direction,
        baseline=Decimal(baseline),
        target=Decimal(target),
        baseline_date=date(2026, 1, 1),
        target_date=date(2026, 1, 1).replace(year=2027),
        student_group=student_group,
    )


def points(*values, on=date(2026, 7, 2)):
    """A first value at the baseline date, then `values` with the last on `on` (mid-way)."""
    first = [Point(date(2026, 1, 1), Decimal("40"), None, "")]
    return first + [Point(on, Decimal(v), None, "") for v in values]


# Mid-way (day 182 of 365) the path expects 40 + 20 * 182/365 = 49.97.
@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        ("55", Status.ON_TRACK),  # ahead of the path
        ("49.1", Status.ON_TRACK),  # 0.87 behind, within 5% of 20 (= 1)
        ("48.5", Status.AT_RISK),  # 1.47 behind: more than 1, up to 3
        ("47.0", Status.AT_RISK),  # 2.97 behind
        ("46.9", Status.OFF_TRACK),  # 3.07 behind: beyond 15%
    ],
)
def test_the_status_compares_the_latest_value_with_the_path(latest, expected):
    assert charts.measure_status(measure(), points(latest)) == expected


def test_lower_is_better_turns_the_comparison_around():
    down = measure(direction="down", baseline="40", target="20")
    mid = [Point(date(2026, 1, 1), Decimal("40"), None, "")]
    assert charts.measure_status(
        down, [*mid, Point(date(2026, 7, 2), Decimal("29"), None, "")]
    ) == (Status.ON_TRACK)
    assert charts.measure_status(
        down, [*mid, Point(date(2026, 7, 2), Decimal("36"), None, "")]
    ) == (Status.OFF_TRACK)


def test_fewer_than_two_shown_values_is_not_enough_data():
    one = [Point(date(2026, 3, 1), Decimal("45"), None, "")]
    suppressed = [Point(date(2026, 4, 1), None, 4, "english_learners")]
    assert charts.measure_status(measure(), one + suppressed) == Status.NOT_ENOUGH
    assert charts.measure_status(measure(), []) == Status.NOT_ENOUGH


def test_small_groups_are_suppressed_and_whole_school_values_are_not():
    rows = [
        SimpleNamespace(date=date(2026, 2, 1), value=Decimal("41"), n=None, group=""),
        SimpleNamespace(date=date(2026, 3, 1), value=Decimal("77"), n=9, group="english_learners"),
        SimpleNamespace(date=date(2026, 4, 1), value=Decimal("44"), n=10, group="english_learners"),
    ]
    m = SimpleNamespace(data_points=SimpleNamespace(all=lambda: rows))
    shown = charts.visible_points(m, threshold=10)
    assert [p.value for p in shown] == [Decimal("41"), None, Decimal("44")]


def test_the_chart_is_an_accessible_svg_without_inline_style():
    m = measure(student_group="black")
    svg = charts.measure_svg(
        m, [*points("45", "50"), Point(date(2026, 8, 1), None, 3, "black")], chart_id="chart-1"
    )
    tree = ElementTree.fromstring(svg)  # noqa: S314  (our own output)
    ns = "{http://www.w3.org/2000/svg}"
    assert tree.get("role") == "img"
    assert tree.get("aria-labelledby") == "chart-1-title chart-1-desc"
    assert "Reading" in tree.find(f"{ns}title").text
    assert "1 suppressed" in tree.find(f"{ns}desc").text
    assert len(tree.findall(f"{ns}circle")) == 3  # the suppressed value draws no point
    assert "style=" not in svg
    assert tree.find(f"{ns}line[@stroke-dasharray]") is not None  # the path to the target


def test_another_groups_point_of_the_same_day_is_not_the_measures_latest_value():
    """A subgroup's point (a survey result's class, or another student group) stays in the
    table but not in the status or the chart's line: the measure follows everyone here."""
    everyone = points("46.9")  # off track on its own
    grade_3 = Point(date(2026, 7, 2), Decimal("66.7"), 12, "Class or grade: Grade 3")
    learners = Point(date(2026, 7, 2), Decimal("70"), 40, "english_learners")
    assert charts.measure_status(measure(), [*everyone, grade_3, learners]) == Status.OFF_TRACK
    # The measure that follows English learners counts their point, and everyone's.
    followed = measure(student_group="english_learners")
    assert charts.measure_status(followed, [*everyone, grade_3, learners]) == Status.ON_TRACK
    svg = charts.measure_svg(measure(), [*everyone, grade_3, learners], chart_id="c")
    tree = ElementTree.fromstring(svg)  # noqa: S314  (our own output)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(tree.findall(f"{ns}circle")) == 2
    assert len(tree.find(f"{ns}polyline").get("points").split()) == 2
    desc = tree.find(f"{ns}desc").text
    assert "2 values shown, 0 suppressed" in desc
    assert desc.endswith("2 values of other groups are in the table, not on the chart.")
