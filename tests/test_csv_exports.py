"""Every CSV the portal hands out is safe to open in a spreadsheet: text that would start a
formula is defused in every export, and numbers (negative ones too) stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from leadership.exports import FORMULA_STARTS, csv_cell
from leadership.models import Role
from rostering.models import RosterImport
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person
from tests.workplans.factories import (
    ActionStepFactory,
    DataPointFactory,
    GoalFactory,
    MeasureFactory,
    WorkPlanFactory,
)

pytestmark = pytest.mark.django_db

# One payload for each character a spreadsheet reads as the start of a formula.
PAYLOADS = ["=HYPERLINK(1)", "+1+cmd|x", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))


def is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except ArithmeticError:
        return False
    return True


def assert_defused(rows, injected: list[str], numbers: list[str] = ()):
    cells = [cell for row in rows for cell in row]
    for value in injected:
        assert "'" + value in cells, f"{value!r} not defused in {cells}"
    for number in numbers:
        assert number in cells, f"the number {number} was not kept as a number"
    live = [c for c in cells if c[:1] in FORMULA_STARTS and not is_number(c)]
    assert live == []


def plan_export(world, client_for, payload):
    plan = WorkPlanFactory(school=world.school)
    goal = GoalFactory(plan=plan, smart_statement=payload + " goal")
    measure = MeasureFactory(
        goal=goal, name=payload + " measure", unit=payload[:4], baseline=Decimal("-5")
    )
    DataPointFactory(measure=measure, value=Decimal("-3.5"), n=200)
    owner = person(Role.STAFF, school=world.school, full_name=payload + " owner")
    ActionStepFactory(goal=goal, title=payload + " step", owner=owner, team_name=payload + " team")
    response = client_for(world.principal).get(
        reverse("workplans:plan_export", kwargs={"slug": world.school.slug, "pk": plan.pk})
    )
    injected = [payload + s for s in (" goal", " measure", " owner", " step", " team")]
    return rows_of(response), [*injected, payload[:4]], ["-5.00", "-3.50"]


def rsvp_export(world, client_for, payload):
    event = EventFactory(school=world.school)
    family = person(
        Role.FAMILY, school=world.school, email=payload + "@example.org", full_name=payload
    )
    RsvpFactory(
        event=event,
        family=family,
        adults=1,
        interpretation_language=payload + " lang",
        accessibility_needs=payload + " needs",
    )
    response = client_for(world.staff).get(
        reverse("engagement:rsvp_csv", kwargs={"slug": world.school.slug, "pk": event.pk})
    )
    injected = [payload, payload + "@example.org", payload + " lang", payload + " needs"]
    return rows_of(response), injected, []


def dashboard_export(world, client_for, payload):
    world.school.name = payload + " School"
    world.school.grade_span = payload[:4]
    world.school.save()
    response = client_for(world.district_admin).get(
        reverse("district:district_dashboard_csv", kwargs={"slug": world.district.slug})
    )
    return rows_of(response), [payload + " School", payload[:4]], []


def roster_problems_export(world, client_for, payload):
    roster_import = RosterImport.objects.create(
        district=world.district,
        uploaded_by=world.district_admin,
        file="rosters/export.zip",
        status=RosterImport.Status.INVALID,
        problems=[["error", payload + ".csv", 3, payload + " is not a known role."]],
    )
    response = client_for(world.district_admin).get(
        reverse(
            "rostering:import_problems",
            kwargs={"slug": world.district.slug, "pk": roster_import.pk},
        )
    )
    return rows_of(response), [payload + ".csv", payload + " is not a known role."], ["3"]


EXPORTS = [plan_export, rsvp_export, dashboard_export, roster_problems_export]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["eq", "plus", "minus", "at", "tab", "cr"])
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.__name__)
def test_every_export_defuses_formulas(world, client_for, export, payload):
    rows, injected, numbers = export(world, client_for, payload)
    assert_defused(rows, injected, numbers)


def test_numbers_stay_numbers_and_text_that_looks_like_one_does_not():
    assert csv_cell(Decimal("-3.50")) == Decimal("-3.50")
    assert csv_cell(-4) == -4
    assert csv_cell("-4") == "'-4"  # text: could as well be "-4+cmd"
    assert csv_cell(None) == ""
