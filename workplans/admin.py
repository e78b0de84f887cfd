"""Django admin for work plans."""

from django.contrib import admin

from leadership.admin import MarksSchoolAdmin

from .models import (
    ActionStep,
    DataPoint,
    Goal,
    LearningActivity,
    LookForTally,
    Measure,
    WorkPlan,
)


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0
    raw_id_fields = ["team"]


@admin.register(WorkPlan)
class WorkPlanAdmin(MarksSchoolAdmin):
    school_path = "school_id"
    list_display = ["school", "school_year", "status", "summary_published"]
    list_filter = ["status", "school_year"]
    search_fields = ["school__name"]
    inlines = [GoalInline]


class DataPointInline(admin.TabularInline):
    model = DataPoint
    extra = 0


@admin.register(Measure)
class MeasureAdmin(MarksSchoolAdmin):
    school_path = "goal__plan__school_id"
    list_display = ["name", "goal", "direction", "baseline", "target", "target_date"]
    inlines = [DataPointInline]


@admin.register(ActionStep)
class ActionStepAdmin(MarksSchoolAdmin):
    school_path = "goal__plan__school_id"
    list_display = ["title", "owner", "due", "status"]
    list_filter = ["status"]
    raw_id_fields = ["owner", "goal", "learning_activity", "team"]


class LookForTallyInline(admin.TabularInline):
    model = LookForTally
    extra = 0


@admin.register(LearningActivity)
class LearningActivityAdmin(MarksSchoolAdmin):
    school_path = "goal__plan__school_id"
    list_display = ["title", "kind", "goal", "date"]
    inlines = [LookForTallyInline]
