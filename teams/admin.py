"""Admin pages of the teams app: charters and seats are edited here for now."""

from django.contrib import admin

from leadership.admin import MarksSchoolAdmin

from .models import DecisionRule, Meeting, StakeholderSeat, Team, TeamMember


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ["user"]
    extra = 0


class SeatInline(admin.TabularInline):
    model = StakeholderSeat
    extra = 0


class RuleInline(admin.TabularInline):
    model = DecisionRule
    extra = 0


@admin.register(Team)
class TeamAdmin(MarksSchoolAdmin):
    school_path = "school_id"
    list_display = ["name", "school", "school_year", "kind"]
    list_filter = ["kind", "school_year"]
    search_fields = ["name", "school__name"]
    inlines = [TeamMemberInline, SeatInline, RuleInline]


@admin.register(Meeting)
class MeetingAdmin(MarksSchoolAdmin):
    school_path = "team__school_id"
    list_display = ["team", "starts_at", "status", "minutes_status"]
    list_filter = ["status", "minutes_status"]
    raw_id_fields = ["team", "current_item"]
