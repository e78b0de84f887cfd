"""Admin site views of events, for support; the school's staff work in the app's own pages."""

from django.contrib import admin

from leadership.admin import MarksSchoolAdmin

from .models import Event, EventTranslation, Rsvp


class EventTranslationInline(admin.TabularInline):
    model = EventTranslation
    extra = 0


@admin.register(Event)
class EventAdmin(MarksSchoolAdmin):
    school_path = "school_id"
    list_display = ["id", "school", "kind", "status", "starts_at", "capacity", "seats_taken"]
    list_filter = ["status", "kind"]
    list_select_related = ["school"]
    readonly_fields = ["seats_taken"]
    inlines = [EventTranslationInline]


@admin.register(Rsvp)
class RsvpAdmin(MarksSchoolAdmin):
    school_path = "event__school_id"
    list_display = ["id", "event_id", "family", "status", "adults", "children"]
    list_filter = ["status"]
    list_select_related = ["family"]
    raw_id_fields = ["event", "family"]
