"""The plan page's read of its plan (workplans.selectors.plan_in_school), from SQL built once,
against the ORM's select_related read it stands in for."""

import pytest

from tests.workplans.factories import WorkPlanFactory
from workplans import selectors
from workplans.models import WorkPlan

ORM = WorkPlan.objects.select_related("school__district", "school_year")


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("status", [s for s, _label in WorkPlan.Status.choices])
def test_the_plan_read_is_the_orm_s(world, year, status):
    plan = WorkPlanFactory(school=world.school, school_year=year, status=status)
    found = selectors.plan_in_school(world.school, plan.pk)
    expected = ORM.get(school=world.school, pk=plan.pk)
    assert _fields(found) == _fields(expected)
    assert _fields(found.school_year) == _fields(expected.school_year)
    assert found.school is world.school and found.school.district == expected.school.district
    assert found._state.adding is False and found._state.db == "default"
    assert type(found.created_at) is type(expected.created_at)  # converters: aware datetimes
    assert found.created_at.tzinfo is not None


def test_another_school_s_plan_or_none_is_not_found(world, year):
    plan = WorkPlanFactory(school=world.other_school, school_year=year)
    assert selectors.plan_in_school(world.school, plan.pk) is None
    assert selectors.plan_in_school(world.other_school, plan.pk).pk == plan.pk
    assert selectors.plan_in_school(world.school, plan.pk + 1000) is None


@pytest.mark.parametrize("pk", [2**63, 10**30, -(2**63) - 1])
def test_an_id_beyond_the_column_finds_nothing_as_the_orm_does(world, pk):
    assert selectors.plan_in_school(world.school, pk) is None
    assert not ORM.filter(school=world.school, pk=pk).exists()


def test_the_plan_page_of_an_id_beyond_the_column_is_not_found(world, client_for):
    client = client_for(world.principal)
    answer = client.get(f"/schools/{world.school.slug}/plans/{10**30}/")
    assert answer.status_code == 404
