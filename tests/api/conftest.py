"""An API world: the shared world's two districts with a plan, a meeting, a decision and an
event each, and tokens of each scope."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from api import services as api_services
from api.models import ApiToken, Scope
from engagement.models import RsvpStatus
from leadership.models import Role
from teams.models import Decision, DecisionModel, DecisionOutcome, DecisionRule, Team
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person
from tests.teams import factories as tf
from tests.workplans.factories import DataPointFactory, GoalFactory, MeasureFactory, WorkPlanFactory
from workplans.models import WorkPlan


@dataclass
class Data:
    plan: WorkPlan
    goal: object
    measure: object
    point: object
    team: object
    meeting: object
    decision: object
    event: object


def build_data(school, year) -> Data:
    plan = WorkPlanFactory(school=school, school_year=year)
    goal = GoalFactory(plan=plan)
    measure = MeasureFactory(goal=goal, baseline_date=year.start, target_date=year.end)
    point = DataPointFactory(measure=measure, date=year.start + timedelta(days=30))
    team = Team.objects.create(school=school, school_year=year, kind="ilt", name="ILT")
    meeting = tf.meeting(team, days=-7, status="held")
    item = tf.item(meeting)
    rule = DecisionRule.objects.create(
        team=team, area="budget", model=DecisionModel.CONSENSUS, who_decides="The ILT"
    )
    decision = Decision.objects.create(
        item=item,
        meeting=meeting,
        rule=rule,
        model_used=DecisionModel.CONSENSUS,
        text="Buy books",
        outcome=DecisionOutcome.ADOPTED,
    )
    event = EventFactory(school=school)
    return Data(plan, goal, measure, point, team, meeting, decision, event)


@dataclass
class ApiWorld:
    mine: Data
    theirs: Data
    secrets: dict[str, str]  # scope name (or "all", "revoked", "other_district") -> secret
    tokens: dict[str, ApiToken]

    def auth(self, name: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secrets[name]}"} if name != "none" else {}


def make_token(admin, district, scopes, name="System"):
    return api_services.token_create(actor=admin, district=district, name=name, scopes=scopes)


@pytest.fixture
def api_world(world) -> ApiWorld:
    year = tf.current_year(world.district)
    far_year = tf.current_year(world.other_district)
    mine = build_data(world.school, year)
    theirs = build_data(world.far_school, far_year)
    RsvpFactory(
        event=mine.event,
        family=world.family,
        adults=2,
        children=1,
        interpretation_language="es",
        accessibility_needs="A ramp, please",
    )
    waiting = person(Role.FAMILY, school=world.school, email="waiting@example.org")
    RsvpFactory(event=mine.event, family=waiting, status=RsvpStatus.WAITLISTED)
    secrets, tokens = {}, {}
    for name, scopes in [
        ("read", [Scope.READ]),
        ("write:data", [Scope.WRITE_DATA]),
        ("write:events", [Scope.WRITE_EVENTS]),
        ("all", list(Scope.values)),
        ("revoked", list(Scope.values)),
    ]:
        tokens[name], secrets[name] = make_token(world.district_admin, world.district, scopes)
    api_services.token_revoke(actor=world.district_admin, token=tokens["revoked"])
    tokens["other_district"], secrets["other_district"] = make_token(
        world.other_district_admin, world.other_district, list(Scope.values)
    )
    return ApiWorld(mine, theirs, secrets, tokens)


def points_body(measure, *rows, day: date | None = None) -> dict:
    """A bulk body of data points for `measure`; each row a dict overriding the defaults."""
    day = day or timezone.now().date()
    return {
        "data_points": [
            {"measure": measure.pk, "date": (day - timedelta(days=i)).isoformat(), "value": "50"}
            | row
            for i, row in enumerate(rows or [{}])
        ]
    }
