"""Who may see and change work plans: the checks the views hand to the leadership loaders.

Principal and ILT facilitator edit a plan; owners update their own steps; the members of a
goal's team (staff of the school) enter data for its measures and update its steps, and the
members of a step's team update that step; staff of the school
read the active (and closed) plan; families read a summary only once the principal publishes
it; district admins read every plan of their district. Another school's objects are 404.
"""

from __future__ import annotations

from leadership.models import Role, School
from leadership.permissions import is_district_admin, is_principal, is_school_staff, school_roles
from teams import selectors as teams
from teams.permissions import can_run_meeting, team_role

from .models import WorkPlan


def facilitates_ilt(user, school: School) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_wp_ilt", None)
    if cache is None:
        cache = user._wp_ilt = {}
    if school.pk not in cache:  # the teams app owns ILT membership
        cache[school.pk] = bool(teams.facilitates_ilt(user, school))
    return cache[school.pk]


def can_create_plan(user, school: School) -> bool:
    return is_principal(user, school) or facilitates_ilt(user, school)


def can_edit_plan(user, plan: WorkPlan) -> bool:
    """Change the plan (goals, measures, data, steps, status); services refuse a closed plan."""
    return can_create_plan(user, plan.school)


def can_view_plan(user, plan: WorkPlan) -> bool:
    """The whole plan (not only the families' summary)."""
    if can_edit_plan(user, plan) or is_district_admin(user, plan.school.district_id):
        return True
    return is_school_staff(user, plan.school) and plan.status != WorkPlan.Status.DRAFT


def can_view_summary(user, plan: WorkPlan) -> bool:
    if can_view_plan(user, plan):
        return True
    return (
        Role.FAMILY in school_roles(user, plan.school)
        and plan.summary_published
        and plan.status != WorkPlan.Status.DRAFT
    )


def can_edit_goal(user, goal) -> bool:
    return can_edit_plan(user, goal.plan)


def can_edit_measure(user, measure) -> bool:
    return can_edit_plan(user, measure.goal.plan)


def can_edit_step(user, step) -> bool:
    return can_edit_plan(user, step.goal.plan)


def on_team(user, team_id: int | None, school: School) -> bool:
    """A member of the team who works at the school (families on a team read, never write)."""
    return (
        team_id is not None
        and team_role(user, team_id) is not None
        and is_school_staff(user, school)
    )


def can_enter_data(user, measure) -> bool:
    """Add values to a measure: the plan's editors and the members of the goal's team."""
    goal = measure.goal
    return can_edit_plan(user, goal.plan) or on_team(user, goal.team_id, goal.plan.school)


def can_view_evidence(user, evidence) -> bool:
    return can_view_plan(user, evidence.update.step.goal.plan)


def can_update_step(user, step) -> bool:
    plan = step.goal.plan
    if step.owner_id == getattr(user, "pk", None) and is_school_staff(user, plan.school):
        return True
    if on_team(user, step.team_id, plan.school) or on_team(user, step.goal.team_id, plan.school):
        return True
    return can_edit_plan(user, plan)


def can_see_plans(user, school: School) -> bool:
    """The school's list of plans: its staff and district admins."""
    return is_school_staff(user, school) or is_district_admin(user, school.district_id)


def can_link_plan(user, meeting) -> bool:
    """Link agenda items and decisions of a meeting to the plan: whoever runs the meeting."""
    return can_run_meeting(user, meeting.team)


def can_tie_decision(user, decision) -> bool:
    return can_run_meeting(user, decision.meeting.team)


def can_coach(user, plan: WorkPlan) -> bool:
    """Open (and close) coaching threads on a plan: the district's admins and the principal."""
    return is_district_admin(user, plan.school.district_id) or is_principal(user, plan.school)


def can_answer_coaching(user, plan: WorkPlan) -> bool:
    """Answer in a thread: the coaches, and the school's staff who read the plan."""
    return can_coach(user, plan) or (
        is_school_staff(user, plan.school) and can_view_plan(user, plan)
    )
